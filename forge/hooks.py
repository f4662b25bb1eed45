"""Points where other apps plug into the kernel without the kernel importing them.

Each hook calls the function named by a setting (a dotted path), if any. A hook is an
outermost boundary: it logs and swallows its own failures so it never breaks a request.
"""

from functools import cache
from typing import Any

import structlog
from django.conf import settings
from django.utils.module_loading import import_string

log = structlog.get_logger("forge.hooks")


@cache
def _target(setting: str):
    path = getattr(settings, setting, "")
    return import_string(path) if path else None


def _call(setting: str, **kwargs: Any) -> None:
    try:
        target = _target(setting)
        if target is not None:
            target(**kwargs)
    except Exception:  # a reporting hook must never fail the request it reports on
        log.exception("hook_failed", hook=setting)


def unhandled_exception(request, exc: Exception) -> None:
    """Report an exception that became a 500."""
    _call("FORGE_HOOK_UNHANDLED_EXCEPTION", request=request, exc=exc)


def client_error(request, exc: Exception, *, status: int, code: str) -> None:
    """Report an API client error (4xx) so the errors app can record the chosen ones."""
    _call("FORGE_HOOK_CLIENT_ERROR", request=request, exc=exc, status=status, code=code)

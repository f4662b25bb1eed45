"""Capture: turn failed requests into recorded errors (wired through `forge.hooks` and a signal).

- `/api/` 500s: `forge.envelope` calls `capture_unhandled_exception` (setting
  `FORGE_HOOK_UNHANDLED_EXCEPTION`).
- `/api/` errors DRF handles: `capture_client_error` (setting `FORGE_HOOK_CLIENT_ERROR`)
  records every 5xx and the 4xx codes listed in `FORGE_ERRORS_CLIENT_ERROR_CODES`.
- Anything else that escapes a view (HTML pages, middleware): Django's
  `got_request_exception` signal, connected in `ErrorsConfig.ready`. Django sends it only
  for exceptions no middleware turned into a response, so an `/api/` view's exception,
  which the envelope middleware answers, is never seen twice; a marker on the request
  guards the remaining overlap.
"""

import sys
from typing import Any

import structlog
from django.conf import settings

from errors.categories import category_for_code
from errors.context import RequestContext, request_context_extract
from errors.models import ErrorSeverity
from errors.services import error_record

log = structlog.get_logger("errors")
_MARKER = "_forge_error_recorded"


def _context(request: Any) -> RequestContext | None:
    """Extract `request` into plain data; None (record without it) if even that fails."""
    if request is None:
        return None
    try:
        return request_context_extract(request)
    except Exception:  # the error still deserves a record
        log.warning("error_request_context_failed", exc_info=True)
        return None


def _already_recorded(request: Any, exc: BaseException) -> bool:
    django_request = getattr(request, "_request", request)
    if getattr(django_request, _MARKER, None) is exc:
        return True
    try:
        setattr(django_request, _MARKER, exc)
    except AttributeError:  # a request object that takes no attributes: record anyway
        log.debug("error_marker_unset")
    return False


def capture_unhandled_exception(*, request: Any, exc: BaseException) -> None:
    """Record an exception that became a 500 (the `FORGE_HOOK_UNHANDLED_EXCEPTION` hook)."""
    if request is not None and _already_recorded(request, exc):
        return
    error_record(
        exc=exc, request_context=_context(request), http_status=500, severity=ErrorSeverity.ERROR
    )


def capture_client_error(*, request: Any, exc: BaseException, status: int, code: str) -> None:
    """Record an enveloped API error if it is a 5xx or one of the chosen client errors."""
    if status >= 500:
        severity = ErrorSeverity.ERROR
    elif str(code) in settings.FORGE_ERRORS_CLIENT_ERROR_CODES:
        severity = settings.FORGE_ERRORS_CLIENT_ERROR_SEVERITY
    else:
        return
    if _already_recorded(request, exc):
        return
    error_record(
        exc=exc,
        request_context=_context(request),
        http_status=status,
        error_code=str(code),
        severity=severity,
        category=category_for_code(code),
        coalesce=str(code) in settings.FORGE_ERRORS_COALESCE_CODES,
    )


def capture_request_exception(sender: Any = None, request: Any = None, **kwargs: Any) -> None:
    """Record an exception that escaped a view or middleware (`got_request_exception`)."""
    exc = sys.exc_info()[1]
    if exc is None:
        return
    try:
        if request is not None and _already_recorded(request, exc):
            return
        error_record(
            exc=exc,
            request_context=_context(request),
            http_status=500,
            severity=ErrorSeverity.ERROR,
        )
    except Exception:  # a signal receiver must never turn one failure into two
        log.exception("error_capture_failed")

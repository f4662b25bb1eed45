"""Request IDs: accepted from clients when well formed, generated otherwise."""

import re
import uuid
from contextvars import ContextVar

from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:\-]+$")
_current: ContextVar[str] = ContextVar("forge_request_id", default="")


def request_id_is_valid(value: str | None) -> bool:
    """Say whether a client-sent request ID is safe to log and echo back."""
    if not value:
        return False
    return len(value) <= settings.FORGE_REQUEST_ID_MAX_LENGTH and bool(_VALID.match(value))


def request_id_new() -> str:
    """Return a fresh request ID."""
    return uuid.uuid4().hex


def request_id_set(value: str) -> None:
    """Make `value` the current request ID for this context (request, job or consumer)."""
    _current.set(value)


def request_id_get() -> str:
    """Return the current context's request ID, or an empty string outside any request."""
    return _current.get()

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

import json
import re
import sys
from typing import Any

import structlog
from django.conf import settings

from errors.models import ErrorCategory, ErrorSeverity

log = structlog.get_logger("errors")
_MARKER = "_forge_error_recorded"
_HEADER_LIMIT = 40
_BODY_LIMIT = 64 * 1024

# Category of each API error code (forge.exceptions.ErrorCode values).
CODE_CATEGORIES = {
    "validation_failed": ErrorCategory.VALIDATION,
    "parse_error": ErrorCategory.VALIDATION,
    "unsupported_media_type": ErrorCategory.VALIDATION,
    "payload_too_large": ErrorCategory.VALIDATION,
    "not_acceptable": ErrorCategory.VALIDATION,
    "method_not_allowed": ErrorCategory.VALIDATION,
    "conflict": ErrorCategory.VALIDATION,
    "not_authenticated": ErrorCategory.AUTHENTICATION,
    "authentication_failed": ErrorCategory.AUTHENTICATION,
    "permission_denied": ErrorCategory.AUTHORIZATION,
    "csrf_failed": ErrorCategory.AUTHORIZATION,
    "not_found": ErrorCategory.NOT_FOUND,
    "rate_limited": ErrorCategory.RATE_LIMIT,
    "external_service_error": ErrorCategory.EXTERNAL_SERVICE,
    "service_unavailable": ErrorCategory.INTERNAL,
    "internal_error": ErrorCategory.INTERNAL,
}

_CONVERTER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")


def route_pattern(request: Any) -> str:
    """Return the URL pattern that matched, as `/api/v1/assets/{id}/` (never the raw path)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return ""
    route = _CONVERTER.sub(r"{\1}", match.route)
    route = _REGEX_GROUP.sub(r"{\1}", route).replace("^", "").replace("$", "")
    return "/" + route.lstrip("/")


def _headers(request: Any) -> dict[str, str]:
    headers = {}
    for i, (name, value) in enumerate(request.headers.items()):
        if i >= _HEADER_LIMIT:
            break
        headers[name] = value
    return headers


def _params(request: Any, drf_request: Any) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if request.GET:
        params["query"] = {k: v if len(v) > 1 else v[0] for k, v in request.GET.lists()}
    data = getattr(drf_request, "_full_data", None) if drf_request is not None else None
    if data is None:
        data = getattr(request, "_post", None)  # something already parsed the form
    if data is None and request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        data = _body(request)
    if data:
        try:
            params["data"] = dict(data.lists()) if hasattr(data, "lists") else data
        except Exception:
            params["data"] = "[unreadable]"
    return params


def _body(request: Any) -> Any:
    """Parse a small JSON or form body that nothing has consumed yet; None otherwise."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= _BODY_LIMIT or getattr(request, "_read_started", False):
        if not hasattr(request, "_body"):
            return None
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            return json.loads(request.body)
        if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            return request.POST
    except Exception:  # unreadable or malformed: the record goes without it
        return "[unreadable]"
    return None


def request_details(request: Any) -> dict[str, Any]:
    """Return what an occurrence keeps of `request` (before scrubbing)."""
    drf_request = request if hasattr(request, "_request") else None
    django_request = getattr(request, "_request", request)
    user = getattr(django_request, "user", None)
    details: dict[str, Any] = {
        "route": route_pattern(django_request),
        "method": getattr(django_request, "method", "") or "",
        "request_id": getattr(django_request, "request_id", "") or "",
        "user": user,
    }
    context: dict[str, Any] = {}
    try:
        context["path"] = django_request.path
        context["headers"] = _headers(django_request)
        context["user_agent"] = django_request.headers.get("User-Agent", "")
        context.update(_params(django_request, drf_request))
    except Exception:  # a half-built request still deserves a record
        log.warning("error_request_context_failed", exc_info=True)
    details["context"] = context
    return details


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
    from errors.services import error_record

    if request is not None and _already_recorded(request, exc):
        return
    error_record(exc=exc, request=request, http_status=500, severity=ErrorSeverity.ERROR)


def capture_client_error(*, request: Any, exc: BaseException, status: int, code: str) -> None:
    """Record an enveloped API error if it is a 5xx or one of the chosen client errors."""
    from errors.services import error_record

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
        request=request,
        http_status=status,
        error_code=str(code),
        severity=severity,
        category=CODE_CATEGORIES.get(str(code), ErrorCategory.INTERNAL),
    )


def capture_request_exception(sender: Any = None, request: Any = None, **kwargs: Any) -> None:
    """Record an exception that escaped a view or middleware (`got_request_exception`)."""
    exc = sys.exc_info()[1]
    if exc is None:
        return
    try:
        if request is not None and _already_recorded(request, exc):
            return
        from errors.services import error_record

        error_record(exc=exc, request=request, http_status=500, severity=ErrorSeverity.ERROR)
    except Exception:  # a signal receiver must never turn one failure into two
        log.exception("error_capture_failed")

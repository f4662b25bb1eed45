"""The API envelope: `{"data": ..., "meta": {...}, "error": null | {...}}` on every /api/ response.

`EnvelopeRenderer` wraps DRF responses; `exception_handler` turns every exception DRF
sees into an error body; `response_for_exception` and `error_response` do the same for
Django-level failures (unknown URLs, errors raised outside DRF, CSRF failures).
"""

import time
from datetime import UTC, datetime
from typing import Any

import structlog
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.encoding import force_str
from rest_framework import exceptions as drf_exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from forge.exceptions import (
    ERROR_STATUS,
    RETRYABLE_CODES,
    ApplicationError,
    ErrorCode,
)
from forge.requestid import request_id_get

log = structlog.get_logger("forge.api")

API_PREFIX = "/api/"

_DRF_CODES: list[tuple[type[Exception], ErrorCode]] = [
    (drf_exceptions.ValidationError, ErrorCode.VALIDATION_FAILED),
    (drf_exceptions.ParseError, ErrorCode.PARSE_ERROR),
    (drf_exceptions.NotAuthenticated, ErrorCode.NOT_AUTHENTICATED),
    (drf_exceptions.AuthenticationFailed, ErrorCode.AUTHENTICATION_FAILED),
    (drf_exceptions.PermissionDenied, ErrorCode.PERMISSION_DENIED),
    (drf_exceptions.NotFound, ErrorCode.NOT_FOUND),
    (drf_exceptions.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED),
    (drf_exceptions.NotAcceptable, ErrorCode.NOT_ACCEPTABLE),
    (drf_exceptions.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (drf_exceptions.Throttled, ErrorCode.RATE_LIMITED),
]
_STATUS_CODES = {status: code for code, status in ERROR_STATUS.items()}


# Errors made outside DRF are written like DRF's renderer writes the rest (no spaces).
COMPACT_JSON = {"separators": (",", ":")}


def is_api_request(request: HttpRequest) -> bool:
    """Say whether `request` is for the JSON API (and so gets enveloped errors)."""
    return request.path.startswith(API_PREFIX)


def build_meta(request: HttpRequest | None, extra: dict | None = None) -> dict[str, Any]:
    """Return the `meta` block: request ID, timestamp, duration, plus `extra`."""
    started = getattr(request, "started_at", None)
    meta = {
        "request_id": getattr(request, "request_id", None) or request_id_get(),
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else 0.0,
    }
    if extra:
        meta.update(extra)
    return meta


def error_body(
    code: ErrorCode, message: str, *, details: Any = None, retryable: bool | None = None
) -> dict[str, Any]:
    """Return the `error` block for `code`."""
    return {
        "code": str(code),
        "message": message,
        "details": details,
        "retryable": code in RETRYABLE_CODES if retryable is None else retryable,
    }


def error_response(
    request: HttpRequest,
    code: ErrorCode,
    message: str,
    *,
    details: Any = None,
    retryable: bool | None = None,
    status: int | None = None,
) -> JsonResponse:
    """Return an enveloped error as a plain Django response (outside DRF)."""
    body = {
        "data": None,
        "meta": build_meta(request),
        "error": error_body(code, message, details=details, retryable=retryable),
    }
    return JsonResponse(body, status=status or ERROR_STATUS[code], json_dumps_params=COMPACT_JSON)


def internal_error_message(request: HttpRequest | None) -> str:
    """Return the only thing a client learns about a 500: that it happened, and its ID."""
    request_id = getattr(request, "request_id", None) or request_id_get()
    return f"Internal error. Quote request ID {request_id} when reporting it."


def response_for_exception(request: HttpRequest, exc: Exception) -> JsonResponse:
    """Envelope an exception raised outside DRF's handling (Django views, middleware)."""
    if isinstance(exc, ApplicationError):
        return error_response(
            request, exc.code, exc.message, details=exc.details, retryable=exc.retryable
        )
    if isinstance(exc, Http404):
        return error_response(request, ErrorCode.NOT_FOUND, "Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return error_response(request, ErrorCode.PERMISSION_DENIED, "Permission denied.")
    if isinstance(exc, RequestDataTooBig):
        return error_response(
            request, ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large."
        )
    if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        return error_response(request, ErrorCode.VALIDATION_FAILED, "Bad request.")
    report_unhandled(request, exc)
    return error_response(request, ErrorCode.INTERNAL_ERROR, internal_error_message(request))


def report_unhandled(request: HttpRequest | None, exc: Exception) -> None:
    """Log an unhandled exception with its stack and hand it to the errors app."""
    log.error("unhandled_exception", error_type=type(exc).__name__, exc_info=exc)
    from forge import hooks

    hooks.unhandled_exception(request, exc)


def _drf_code(exc: drf_exceptions.APIException) -> ErrorCode:
    for cls, code in _DRF_CODES:
        if isinstance(exc, cls):
            if code is ErrorCode.PERMISSION_DENIED and force_str(exc.detail).startswith(
                "CSRF Failed"
            ):
                return ErrorCode.CSRF_FAILED
            return code
    return _STATUS_CODES.get(exc.status_code, ErrorCode.INTERNAL_ERROR)


def _validation_message(details: Any) -> str:
    if isinstance(details, dict) and details:
        field, errors = next(iter(details.items()))
        first = errors[0] if isinstance(errors, list) and errors else errors
        if isinstance(first, dict):
            return f"{field}: {_validation_message(first)}"
        if field == "non_field_errors":
            return force_str(first)
        return f"{field}: {force_str(first)}"
    if isinstance(details, list) and details:
        return force_str(details[0])
    return "The request is not valid."


def _message(exc: drf_exceptions.APIException, request) -> str:
    """Return the client message for a non-validation DRF error, saying what was expected."""
    message = force_str(exc.detail)
    if isinstance(exc, drf_exceptions.NotAuthenticated) and request is not None:
        from forge.authentication import authorization_scheme_hint

        return authorization_scheme_hint(request) or message
    if isinstance(exc, drf_exceptions.UnsupportedMediaType) and request is not None:
        accepted = [parser.media_type for parser in getattr(request, "parsers", None) or []]
        if "application/json" in accepted:
            return f"{message} Send JSON (`Content-Type: application/json`)."
        if accepted:
            return f"{message} Send {' or '.join(accepted)}."
    return message


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's exception handler: every known error becomes an enveloped error response."""
    request = context.get("request")
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        code, message, details, retryable = exc.code, exc.message, exc.details, exc.retryable
        status = exc.status_code
        if getattr(exc, "wait", None):  # RateLimitedError
            headers["Retry-After"] = str(int(exc.wait))
    else:
        if isinstance(exc, DjangoValidationError):
            exc = drf_exceptions.ValidationError(as_serializer_error(exc))
        elif isinstance(exc, Http404):
            exc = drf_exceptions.NotFound()
        elif isinstance(exc, DjangoPermissionDenied):
            exc = drf_exceptions.PermissionDenied()
        elif isinstance(exc, RequestDataTooBig):
            exc = drf_exceptions.APIException("The request body is too large.")
            exc.status_code = 413
        if not isinstance(exc, drf_exceptions.APIException):
            return None  # a real 500: the middleware envelopes and reports it
        code = _drf_code(exc)
        status = exc.status_code
        retryable = None
        if isinstance(exc, drf_exceptions.ValidationError):
            details = (
                exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            )
            message = _validation_message(details)
        else:
            details = None
            message = _message(exc, request)
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait))
            details = {"retry_after_seconds": int(exc.wait)}
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
    from rest_framework.views import set_rollback  # here: DRF's views import this module

    set_rollback()
    response = Response(
        error_body(code, message, details=details, retryable=retryable),
        status=status,
        headers=headers,
    )
    response.envelope_error = True
    if request is not None:
        from forge import hooks

        hooks.client_error(request, exc, status=status, code=code)
    return response


class EnvelopeRenderer(JSONRenderer):
    """Render every DRF response as `{data, meta, error}`."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        request = renderer_context.get("request")
        django_request = getattr(request, "_request", request)
        if response is not None and response.status_code == 204:
            return b""
        if response is not None and getattr(response, "envelope_error", False):
            body = {"data": None, "meta": build_meta(django_request), "error": data}
        else:
            extra = getattr(response, "envelope_meta", None) if response is not None else None
            body = {"data": data, "meta": build_meta(django_request, extra), "error": None}
        return super().render(body, accepted_media_type, renderer_context)

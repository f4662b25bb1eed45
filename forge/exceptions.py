"""The closed list of API error codes and the application's exception tree.

Every error that reaches a client carries one of `ErrorCode`'s values; nothing else
may appear in `error.code`. Raise an `ApplicationError` subclass from services and
the exception handler turns it into the envelope.
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    VALIDATION_FAILED = "validation_failed"
    PARSE_ERROR = "parse_error"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    CSRF_FAILED = "csrf_failed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    RATE_LIMITED = "rate_limited"
    EXTERNAL_SERVICE_ERROR = "external_service_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERNAL_ERROR = "internal_error"


# HTTP status for each code; one place so handlers and docs agree.
ERROR_STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_FAILED: 400,
    ErrorCode.PARSE_ERROR: 400,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.AUTHENTICATION_FAILED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CSRF_FAILED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.NOT_ACCEPTABLE: 406,
    ErrorCode.CONFLICT: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.EXTERNAL_SERVICE_ERROR: 502,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.INTERNAL_ERROR: 500,
}

RETRYABLE_CODES = frozenset(
    {
        ErrorCode.RATE_LIMITED,
        ErrorCode.EXTERNAL_SERVICE_ERROR,
        ErrorCode.SERVICE_UNAVAILABLE,
        ErrorCode.INTERNAL_ERROR,
    }
)


class ApplicationError(Exception):
    """Base of every error the application raises on purpose."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR
    default_message = "Something went wrong."

    def __init__(
        self, message: str | None = None, *, details: Any = None, retryable: bool | None = None
    ):
        self.message = message or self.default_message
        self.details = details
        self.retryable = self.code in RETRYABLE_CODES if retryable is None else retryable
        super().__init__(self.message)

    @property
    def status_code(self) -> int:
        return ERROR_STATUS[self.code]


class ValidationFailedError(ApplicationError):
    code = ErrorCode.VALIDATION_FAILED
    default_message = "The request is not valid."


class NotFoundError(ApplicationError):
    code = ErrorCode.NOT_FOUND
    default_message = "Not found."


class PermissionDeniedError(ApplicationError):
    code = ErrorCode.PERMISSION_DENIED
    default_message = "You do not have permission to do this."


class ConflictError(ApplicationError):
    code = ErrorCode.CONFLICT
    default_message = "The request conflicts with the current state."


class PayloadTooLargeError(ApplicationError):
    code = ErrorCode.PAYLOAD_TOO_LARGE
    default_message = "The request body is too large."


class ExternalServiceError(ApplicationError):
    code = ErrorCode.EXTERNAL_SERVICE_ERROR
    default_message = "An external service failed."

    def __init__(self, message: str | None = None, *, service: str = "", **kwargs: Any):
        self.service = service
        super().__init__(message, **kwargs)


class ServiceUnavailableError(ApplicationError):
    code = ErrorCode.SERVICE_UNAVAILABLE
    default_message = "The service is temporarily unavailable."


class RateLimitedError(ApplicationError):
    """Too many requests; `wait` seconds until the next one is accepted (sent as Retry-After)."""

    code = ErrorCode.RATE_LIMITED
    default_message = "Too many requests. Try again later."

    def __init__(self, message: str | None = None, *, wait: int, **kwargs: Any):
        self.wait = wait
        kwargs.setdefault("details", {"retry_after_seconds": int(wait)})
        super().__init__(message, **kwargs)

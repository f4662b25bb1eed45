"""Which category an error belongs to: by API error code, or by exception type."""

from errors.models import ErrorCategory

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


def category_for_code(code: str) -> str:
    """Return the category of an API error code (`internal` for an unknown one)."""
    return CODE_CATEGORIES.get(str(code), ErrorCategory.INTERNAL)


def category_for_exception(exc: BaseException) -> str:
    """Return the category an exception belongs to when the caller named none."""
    from django.db import DatabaseError

    from forge.exceptions import ApplicationError, ExternalServiceError

    if isinstance(exc, ExternalServiceError):
        return ErrorCategory.EXTERNAL_SERVICE
    if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
        return ErrorCategory.TIMEOUT
    if isinstance(exc, DatabaseError):
        return ErrorCategory.DATABASE
    if isinstance(exc, ApplicationError):
        return category_for_code(exc.code)
    return ErrorCategory.INTERNAL

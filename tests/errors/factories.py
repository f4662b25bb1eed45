"""Helpers that record errors through the public entry point (never by writing rows)."""

from errors.services import error_record


def record(message="something broke", **kwargs):
    """Record one error from a raised exception so it has a real stack."""
    try:
        raise ValueError(message)
    except ValueError as exc:
        return error_record(exc=exc, **kwargs)


# A valid "add project" form of the errors admin (tests add or override fields).
PROJECT_FORM = {
    "name": "game-server",
    "platform": "go",
    "rate_limit_per_minute": "300",
    "retention_days": "30",
    "allowed_origins": "",
}

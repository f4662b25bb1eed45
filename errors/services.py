"""Error recording: the one public entry point other apps call."""

from typing import Any

import structlog

log = structlog.get_logger("errors")


def error_record(
    *,
    exc: BaseException | None = None,
    message: str | None = None,
    severity: str = "error",
    category: str = "internal",
    external_service: str | None = None,
    error_code: str = "",
    request: Any = None,
    route: str = "",
    method: str = "",
    http_status: int | None = None,
    user: Any = None,
    request_id: str | None = None,
    context: dict | None = None,
    fingerprint: str | None = None,
) -> None:
    """Record an error; never raises into the caller.

    Logs only until the errors app stores, groups and aggregates occurrences.
    """
    try:
        log.log(
            40 if severity in {"error", "critical"} else 30,
            "error_recorded",
            error_type=type(exc).__name__ if exc is not None else "",
            message=message or (str(exc) if exc is not None else ""),
            severity=severity,
            category=category,
            external_service=external_service,
            error_code=error_code,
            route=route,
            http_status=http_status,
            request_id=request_id,
        )
    except Exception:  # recording must never break the caller
        log.exception("error_record_failed")

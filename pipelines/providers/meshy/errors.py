"""Turn Meshy's HTTP answers and failed tasks into `ProviderError`s with Forge's codes.

Every message here is written for the person who asked for the model; the text Meshy
sends is added only after the API key has been scrubbed out of it.
"""

from __future__ import annotations

from pipelines.providers.base import ProviderError

SERVICE = "meshy"

# Pipeline error codes the Meshy provider raises (docs/providers.md lists them).
AUTH_FAILED = "provider_auth_failed"
OUT_OF_CREDITS = "provider_out_of_credits"
RATE_LIMITED = "rate_limited"
UNAVAILABLE = "provider_unavailable"
TIMEOUT = "provider_timeout"
TASK_FAILED = "provider_task_failed"
TASK_CANCELED = "provider_task_canceled"
INVALID_REQUEST = "invalid_request"
INVALID_MESH = "invalid_mesh"
RESULT_TOO_LARGE = "provider_result_too_large"
RESULT_MISSING = "provider_result_missing"
RESULT_EXPIRED = "provider_result_expired"
NOT_CONFIGURED = "provider_not_configured"
BUSY = "provider_busy"
CREATE_UNKNOWN = "provider_create_unknown"

# `task_error.type` values that describe Meshy's trouble rather than the request's.
RETRYABLE_TASK_ERROR_TYPES = frozenset({"timeout", "service_unavailable", "server_error"})
# Words in a failure message that say trying again later may work.
RETRYABLE_WORDS = ("try again", "busy", "temporar", "timeout", "timed out", "internal server")

REDACTED = "[redacted]"


def scrub(text: str, secret: str) -> str:
    """Return `text` with every occurrence of `secret` (and its bearer form) replaced."""
    if not text:
        return ""
    if secret:
        text = text.replace(secret, REDACTED)
    return text[:500]


def error(message: str, *, code: str, retryable: bool) -> ProviderError:
    """Return a `ProviderError` from the Meshy service."""
    return ProviderError(message, code=code, retryable=retryable, service=SERVICE)


def error_for_status(status: int, server_message: str, *, what: str) -> ProviderError:
    """Map an HTTP status Meshy answered `what` with (after retries) to a ProviderError.

    `server_message` must already be scrubbed.
    """
    detail = f" Meshy said: {server_message}" if server_message else ""
    if status in (401, 403):
        return error(
            "The 3D generation service (Meshy) rejected Forge's API key, so nothing was "
            "generated. Staff have been alerted; try again once they have fixed it.",
            code=AUTH_FAILED,
            retryable=False,
        )
    if status == 402:
        return error(
            "The Meshy account Forge uses has run out of credits, so this model could not be "
            "generated. Ask staff to top up the account, then run the pipeline again.",
            code=OUT_OF_CREDITS,
            retryable=False,
        )
    if status == 429:
        return error(
            f"Meshy is rate limiting Forge while {what}; the pipeline will try again later.",
            code=RATE_LIMITED,
            retryable=True,
        )
    if status == 422:
        return error(
            f"Meshy could not find a humanoid pose to rig while {what}.{detail}",
            code=INVALID_REQUEST,
            retryable=False,
        )
    if status >= 500:
        return error(
            f"Meshy is having trouble (HTTP {status}) while {what}; the pipeline will try "
            "again later.",
            code=UNAVAILABLE,
            retryable=True,
        )
    return error(
        f"Meshy refused the request while {what} (HTTP {status}).{detail}",
        code=INVALID_REQUEST,
        retryable=False,
    )


def error_for_failed_task(
    task_error: dict | None, server_message: str, *, what: str
) -> ProviderError:
    """Map a task that ended FAILED to a ProviderError; retryable only when Meshy says so.

    `server_message` is the scrubbed `task_error.message`.
    """
    kind = (task_error or {}).get("type") or ""
    lowered = server_message.lower()
    retryable = kind in RETRYABLE_TASK_ERROR_TYPES or any(w in lowered for w in RETRYABLE_WORDS)
    reason = server_message or "no reason given"
    return error(
        f"Meshy failed while {what}: {reason}",
        code=TASK_FAILED,
        retryable=retryable,
    )

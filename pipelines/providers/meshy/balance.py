"""The Meshy account's credit balance for staff pages: read briefly, cached, never slow."""

from __future__ import annotations

import dataclasses
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from pipelines.providers.base import ProviderError
from pipelines.providers.meshy import errors
from pipelines.providers.meshy.client import MeshyClient, MeshyConfig

log = structlog.get_logger("pipelines.providers.meshy")

CACHE_KEY = "meshy:balance"
# A balance is shown for this long before Meshy is asked again; a failure for less.
CACHE_SECONDS = 60
FAILURE_CACHE_SECONDS = 15


def meshy_balance_status() -> dict[str, Any]:
    """Return `{"state", "balance", "message", "checked_at"}` for the admin overview.

    `state` is `ok`, `not_configured` (no `MESHY_API_KEY`) or `unreachable` (Meshy did
    not answer, or refused the key: `message` says which). One quick request, no retries
    and no waiting out rate limits, so a page never hangs on Meshy; cached briefly.
    """
    if not settings.MESHY_API_KEY:
        return {
            "state": "not_configured",
            "balance": None,
            "message": "Meshy is not configured: set MESHY_API_KEY to use it.",
            "checked_at": None,
        }
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    config = dataclasses.replace(
        MeshyConfig.from_settings(),
        retries=0,
        rate_limit_wait=0.0,
        connect_timeout=3.0,
        read_timeout=5.0,
    )
    try:
        status = {"state": "ok", "balance": MeshyClient(config).balance(), "message": ""}
        timeout = CACHE_SECONDS
    except (ProviderError, KeyError, ValueError, TypeError) as exc:
        reason = exc.message if isinstance(exc, ProviderError) else "an unreadable answer"
        if isinstance(exc, ProviderError) and exc.code == errors.AUTH_FAILED:
            reason = "Meshy rejected the API key (MESHY_API_KEY)."
        log.warning("provider.meshy.balance_unreachable", error=type(exc).__name__)
        status = {"state": "unreachable", "balance": None, "message": reason}
        timeout = FAILURE_CACHE_SECONDS
    status["checked_at"] = timezone.now()
    cache.set(CACHE_KEY, status, timeout=timeout)
    return status

"""Prometheus metrics: the HTTP series, and the protected `/metrics` page that exposes them all.

Metrics come from prometheus-client. Every process (daphne, each qcluster worker) counts into
its own files when `PROMETHEUS_MULTIPROC_DIR` names a directory (prometheus-client's
multiprocess mode): `/metrics` then reads every process's files, so a scrape of the web
process shows the workers' pipeline series too. Without it, each process keeps its series in
memory and `/metrics` shows the web process's only (docs/observability.md).

Gauges read from the database at scrape time (queue depth, oldest queued job) come from
collectors that apps add with `metrics_collector_register`.
"""

import hmac
import ipaddress
import os
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import Metric

from forge.clientip import client_ip

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)

http_request_duration = Histogram(
    "forge_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern, method and status.",
    ["route", "method", "status"],
    buckets=HTTP_BUCKETS,
)
http_request_queries = Histogram(
    "forge_http_request_db_queries",
    "Database queries made while answering one HTTP request, by route pattern.",
    ["route"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)

_COLLECTORS: list[Callable[[], Iterable[Metric]]] = []


def metrics_collector_register(func: Callable[[], Iterable[Metric]]):
    """Register `func` to yield metric families computed at each scrape (e.g. from SQL)."""
    _COLLECTORS.append(func)
    return func


class _ScrapeCollector:
    def collect(self) -> Iterable[Metric]:
        for func in _COLLECTORS:
            yield from func()


def metrics_render() -> bytes:
    """Return every series in Prometheus' text format: all processes' in multiprocess mode."""
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(_ScrapeCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry) + generate_latest(scraped)
    return generate_latest(REGISTRY) + generate_latest(scraped)


def metrics_allowed(request: HttpRequest) -> bool:
    """Tell whether `request` may read `/metrics`: staff, the bearer token, or an allowed address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    token = settings.FORGE_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        if hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode()):
            return True
    allowed = [e.strip() for e in settings.FORGE_METRICS_ALLOWED_ADDRESSES if e.strip()]
    if allowed:
        try:
            address = ipaddress.ip_address(client_ip(request))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(entry, strict=False) for entry in allowed)
    return False


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Serve `/metrics` to staff, the configured bearer token or allowed addresses; 403 otherwise."""
    if not metrics_allowed(request):
        return HttpResponse(
            "Forbidden: /metrics needs a staff session, the metrics bearer token or an "
            "allowed address.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(metrics_render(), content_type=CONTENT_TYPE_LATEST)

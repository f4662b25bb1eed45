"""The request instrumentation: Prometheus series, SQL access aggregates and a span per request.

Sits right after `RequestIDMiddleware`, so the request ID is known and this layer's own
time is inside the access log's duration.
"""

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from forge import tracing
from forge.accesslog import access_record
from forge.metrics import http_request_duration, http_request_queries


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + match.route if match.route else match.view_name or "unmatched"


class InstrumentationMiddleware:
    """Count, time and trace every request (FORGE_METRICS=off leaves only the SQL aggregates)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.metrics = settings.FORGE_METRICS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        counter = _QueryCounter()
        with (
            tracing.span(
                f"HTTP {request.method}",
                kind=tracing.SpanKind.SERVER,
                carrier={"traceparent": request.headers["traceparent"]}
                if "traceparent" in request.headers
                else None,
                attributes={
                    "http.request.method": request.method,
                    "url.path": request.path,
                    "forge.request_id": getattr(request, "request_id", None),
                },
            ) as current,
            connection.execute_wrapper(counter),
        ):
            response = self.get_response(request)
            route = _route(request)
            if current is not None:
                current.update_name(f"HTTP {request.method} {route}")
                current.set_attribute("http.route", route)
                current.set_attribute("http.response.status_code", response.status_code)
                current.set_attribute("forge.db_queries", counter.count)
                if response.status_code >= 500:
                    tracing.span_error(current, f"HTTP {response.status_code}")
        elapsed = time.perf_counter() - started
        if self.metrics:
            status = str(response.status_code)
            http_request_duration.labels(route, request.method, status).observe(elapsed)
            http_request_queries.labels(route).observe(counter.count)
        access_record(path=request.path, status=response.status_code, duration_ms=elapsed * 1000)
        return response

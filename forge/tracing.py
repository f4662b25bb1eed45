"""OpenTelemetry traces: off by default, on when `FORGE_OTEL_ENDPOINT` names an OTLP collector.

One span per request (`forge.instrumentation`), per pipeline run, queue wait, stage and
provider call (`pipelines.observe`) and per websocket event published and sent. The trace
context crosses processes as a W3C `traceparent` carrier: stored with the pipeline by the
request that created it, read back by the worker, and put into every event's `trace`.

Disabled, `span()` is a no-op context manager and nothing else runs. The request ID stays
the key in logs and error records; each span carries it as `forge.request_id`.
"""

from contextlib import contextmanager, nullcontext
from typing import Any

import structlog
from django.conf import settings
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = structlog.get_logger("forge.tracing")

_propagator = TraceContextTextMapPropagator()
_state: dict[str, Any] = {"tracer": None, "provider": None}

__all__ = ["SpanKind", "span", "trace_carrier", "tracing_configure", "tracing_enabled"]


def tracing_configure(*, exporter=None, service_name: str | None = None, simple: bool = False):
    """Start tracing into `exporter` (default: OTLP/HTTP to FORGE_OTEL_ENDPOINT); return the provider.

    Tests pass an in-memory exporter with `simple=True` (spans exported as they end).
    """
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.FORGE_OTEL_ENDPOINT.rstrip("/")
        if not endpoint.endswith("/v1/traces"):
            endpoint += "/v1/traces"
        exporter = OTLPSpanExporter(endpoint=endpoint)
    resource = Resource.create({"service.name": service_name or settings.FORGE_OTEL_SERVICE_NAME})
    provider = TracerProvider(resource=resource)
    processor = SimpleSpanProcessor(exporter) if simple else BatchSpanProcessor(exporter)
    provider.add_span_processor(processor)
    _state["provider"] = provider
    _state["tracer"] = provider.get_tracer("forge")
    log.info("tracing_configured", service=service_name or settings.FORGE_OTEL_SERVICE_NAME)
    return provider


def tracing_disable() -> None:
    """Stop tracing in this process (spans already ended are flushed)."""
    provider = _state["provider"]
    _state["tracer"] = None
    _state["provider"] = None
    if provider is not None:
        provider.shutdown()


def tracing_enabled() -> bool:
    """Tell whether this process records spans."""
    return _state["tracer"] is not None


def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    carrier: dict | None = None,
    attributes: dict[str, Any] | None = None,
    start_time: int | None = None,
):
    """Return a context manager for a span named `name` (a no-op while tracing is off).

    `carrier` (a stored `traceparent`) makes the span a child of that remote context;
    otherwise it is a child of the current span, if any.
    """
    tracer = _state["tracer"]
    if tracer is None:
        return nullcontext(None)
    parent = _propagator.extract(carrier) if carrier else None
    return _span(tracer, name, kind, parent, attributes, start_time)


@contextmanager
def _span(tracer, name, kind, parent, attributes, start_time):
    with tracer.start_as_current_span(
        name,
        context=parent,
        kind=kind,
        attributes={k: v for k, v in (attributes or {}).items() if v is not None},
        start_time=start_time,
        record_exception=True,
        set_status_on_exception=True,
    ) as current:
        yield current


def span_error(current, description: str) -> None:
    """Mark `current` (a span from `span()`, or None) failed with `description`."""
    if current is not None:
        current.set_status(Status(StatusCode.ERROR, description))


def trace_carrier() -> dict[str, str]:
    """Return the current span's context as a W3C carrier (`{"traceparent": ...}`), or {}."""
    if _state["tracer"] is None:
        return {}
    carrier: dict[str, str] = {}
    _propagator.inject(carrier, context=otel_context.get_current())
    return carrier


def span_record(name: str, *, carrier: dict | None, start_time: int, end_time: int, **attributes):
    """Record a span that already happened (e.g. the time a job waited in the queue)."""
    tracer = _state["tracer"]
    if tracer is None:
        return
    parent = _propagator.extract(carrier) if carrier else None
    recorded = tracer.start_span(
        name,
        context=parent,
        start_time=start_time,
        attributes={k: v for k, v in attributes.items() if v is not None},
    )
    recorded.end(end_time=end_time)


def current_span_is_recording() -> bool:
    """Tell whether a span is being recorded in this context."""
    return _state["tracer"] is not None and trace.get_current_span().is_recording()

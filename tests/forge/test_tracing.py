"""Traces: one trace from the request that creates a pipeline through the worker to the websocket."""

import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rest_framework.test import APIClient

from forge import tracing
from forge.asgi import application
from pipelines.models import GenerationPipeline
from pipelines.services import pipeline_run

pytestmark = [pytest.mark.django_db(transaction=True)]

# A trace the client started (W3C traceparent): Forge's spans continue it.
CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_TRACEPARENT = f"00-{CLIENT_TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing.tracing_configure(exporter=exporter, service_name="forge-test", simple=True)
    yield exporter
    tracing.tracing_disable()


def by_name(exporter, prefix: str) -> list:
    return [s for s in exporter.get_finished_spans() if s.name.startswith(prefix)]


@sync_to_async
def create_pipeline_over_the_api(user) -> tuple[str, str]:
    client = APIClient(headers={"traceparent": CLIENT_TRACEPARENT})
    client.force_authenticate(user)
    response = client.post(
        "/api/v1/pipelines/",
        {"prompt": "a bronze helmet", "quality": "draft", "presets": []},
        format="json",
    )
    assert response.status_code == 202
    return response.json()["data"]["id"], response["X-Request-ID"]


@sync_to_async
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def run_in_a_fresh_thread(pipeline_id: str) -> None:
    """Run the pipeline as a worker would: a thread with no context but the stored row."""
    worker = threading.Thread(target=pipeline_run, kwargs={"pipeline_id": pipeline_id})
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()


async def test_one_trace_follows_a_pipeline_from_its_request_to_its_last_websocket_event(
    spans, user
):
    pipeline_id, request_id = await create_pipeline_over_the_api(user)
    stored = await sync_to_async(GenerationPipeline.objects.get)(pk=pipeline_id)
    assert CLIENT_TRACE_ID in stored.trace_context["traceparent"]

    communicator = WebsocketCommunicator(
        application,
        f"/ws/pipelines/{pipeline_id}/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", await session_cookie(user))],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.receive_json_from(timeout=5)  # the snapshot

    await sync_to_async(run_in_a_fresh_thread, thread_sensitive=False)(pipeline_id)
    last = None
    while last is None or last["status"] != "succeeded":
        frame = await communicator.receive_json_from(timeout=10)
        if frame["type"] == "update":
            last = frame["pipeline"]
            # Every event carries the trace it belongs to, for the client to follow.
            assert CLIENT_TRACE_ID in last["trace"]["traceparent"]
    await communicator.disconnect()

    (request,) = by_name(spans, "HTTP POST")
    assert request.name == "HTTP POST /api/v1/pipelines/"
    assert request.attributes["forge.request_id"] == request_id
    assert request.attributes["http.response.status_code"] == 202
    (run,) = by_name(spans, "pipeline.run")
    (queue,) = by_name(spans, "pipeline.queue")
    stages = by_name(spans, "stage ")
    providers = by_name(spans, "provider local.")
    sends = by_name(spans, "pipeline.ws_send")
    everything = [request, run, queue, *stages, *providers, *sends]
    assert {format(s.context.trace_id, "032x") for s in everything} == {CLIENT_TRACE_ID}
    # request → (queue, run) → stages → provider calls
    assert run.parent.span_id == queue.parent.span_id == request.context.span_id
    assert queue.end_time <= run.start_time
    assert [s.name for s in stages] == [
        "stage prepare",
        "stage generate_mesh",
        "stage optimize",
        "stage texture_variants",
        "stage thumbnail",
        "stage publish",
    ]
    assert {s.parent.span_id for s in stages} == {run.context.span_id}
    (generate,) = [s for s in stages if s.name == "stage generate_mesh"]
    text_to_3d = [s for s in providers if s.name == "provider local.text_to_3d"]
    assert text_to_3d and text_to_3d[0].parent.span_id == generate.context.span_id
    assert sends and run.attributes["forge.outcome"] == "succeeded"


def test_spans_go_to_the_configured_otlp_endpoint(httpserver, settings):
    httpserver.expect_request("/v1/traces", method="POST").respond_with_data(b"")
    settings.FORGE_OTEL_ENDPOINT = httpserver.url_for("/")
    provider = tracing.tracing_configure(service_name="forge-test")
    try:
        assert Client().get("/health/").status_code in (200, 503)
        assert provider.force_flush(10_000)
    finally:
        tracing.tracing_disable()
    (request, _response) = httpserver.log[0]
    assert request.headers["Content-Type"] == "application/x-protobuf"
    assert b"forge-test" in request.data and b"HTTP GET /health/" in request.data


def test_tracing_is_off_by_default():
    assert not tracing.tracing_enabled()
    with tracing.span("anything") as current:
        assert current is None
    assert tracing.trace_carrier() == {}

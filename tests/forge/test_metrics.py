"""`/metrics`: who may read it, and the series it shows after real requests and a real run."""

import re

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from forge.accesslog import access_aggregates_flush
from forge.models import RequestAggregate
from pipelines.services import pipeline_run
from tests.processes import wait_until


def sample(text: str, name: str, **labels) -> float | None:
    """Return the value of series `name{labels}` in a Prometheus text page, or None."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        match = re.match(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(k) == str(v) for k, v in labels.items()):
            return float(match.group(3))
    return None


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


@pytest.mark.django_db
def test_anonymous_and_ordinary_users_are_refused(user):
    assert Client().get("/metrics").status_code == 403
    client = Client()
    client.force_login(user)
    assert client.get("/metrics").status_code == 403
    wrong = Client(headers={"Authorization": "Bearer not-the-token"})
    with override_settings(FORGE_METRICS_TOKEN="the-metrics-token-0123456789"):
        assert wrong.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_staff_the_bearer_token_and_allowed_addresses_may_read(staff_user):
    staff = Client()
    staff.force_login(staff_user)
    assert "forge_http_request_duration_seconds" in scrape(staff)

    token = Client(headers={"Authorization": "Bearer the-metrics-token-0123456789"})
    with override_settings(FORGE_METRICS_TOKEN="the-metrics-token-0123456789"):
        assert "forge_http_request_duration_seconds" in scrape(token)

    # The test client's address is 127.0.0.1.
    with override_settings(FORGE_METRICS_ALLOWED_ADDRESSES=["10.0.0.0/8"]):
        assert Client().get("/metrics").status_code == 403
    with override_settings(FORGE_METRICS_ALLOWED_ADDRESSES=["127.0.0.0/8"]):
        assert "forge_http_request_duration_seconds" in scrape(Client())


@pytest.mark.django_db
def test_requests_show_as_latency_histograms_by_route_and_status_and_query_counts(staff_user):
    staff = Client()
    staff.force_login(staff_user)
    labels = {"route": "/api/v1/assets/", "method": "GET", "status": "200"}
    before = sample(scrape(staff), "forge_http_request_duration_seconds_count", **labels) or 0

    for _ in range(3):
        assert Client().get("/api/v1/assets/").status_code == 200
    assert Client().get("/api/v1/pipelines/not-a-pipeline/").status_code == 404

    text = scrape(staff)
    assert sample(text, "forge_http_request_duration_seconds_count", **labels) == before + 3
    assert sample(text, "forge_http_request_duration_seconds_bucket", le="+Inf", **labels) >= 3
    assert sample(text, "forge_http_request_duration_seconds_count", status="404") >= 1
    assert sample(text, "forge_http_request_db_queries_count", route="/api/v1/assets/") >= 3
    assert sample(text, "forge_http_request_db_queries_sum", route="/api/v1/assets/") >= 3


@pytest.mark.django_db
def test_requests_are_added_to_the_sql_aggregates_by_minute_class_and_status():
    access_aggregates_flush()
    RequestAggregate.objects.all().delete()
    for _ in range(2):
        Client().get("/api/v1/assets/")
    Client().get("/api/v1/pipelines/not-a-pipeline/")
    Client().get("/")
    access_aggregates_flush()

    rows = {(r.route_class, r.status_class): r for r in RequestAggregate.objects.all()}
    assert rows[("api", 2)].count == 2
    assert rows[("api", 4)].count == 1
    assert rows[("page", 2)].count == 1
    api = rows[("api", 2)]
    assert api.le_10000 == 2 and api.le_25 <= api.le_200 <= api.le_10000
    assert api.duration_ms_sum > 0


@pytest.mark.django_db(transaction=True)
def test_request_counts_are_written_by_the_background_flusher_not_the_request():
    access_aggregates_flush()
    RequestAggregate.objects.all().delete()
    with override_settings(FORGE_ACCESS_AGGREGATE_FLUSH_SECONDS=0):
        for _ in range(3):
            assert Client().get("/api/v1/assets/").status_code == 200

    def written():
        row = RequestAggregate.objects.filter(route_class="api", status_class=2).first()
        return row is not None and row.count >= 2

    # The flush runs on its own thread and connection: the rows appear without a request
    # or an explicit flush from this test.
    wait_until(written, timeout=30, what="the background flush of request counts")


@pytest.mark.django_db(transaction=True)
def test_a_real_pipeline_run_shows_queue_depth_runs_stages_and_provider_calls(user, staff_user):
    staff = Client()
    staff.force_login(staff_user)
    before = scrape(staff)
    runs_before = sample(before, "forge_pipeline_runs_total", kind="generation", status="succeeded")
    calls_before = sample(
        before, "forge_provider_calls_total", provider="local", operation="text_to_3d", outcome="ok"
    )

    client = APIClient()
    client.force_authenticate(user)
    response = client.post(
        "/api/v1/pipelines/", {"prompt": "a small wooden shield", "quality": "draft"}, format="json"
    )
    assert response.status_code == 202
    pipeline_id = response.json()["data"]["id"]

    queued = scrape(staff)
    assert sample(queued, "forge_pipeline_queue_depth", kind="generation") == 1
    assert sample(queued, "forge_pipeline_queue_oldest_age_seconds", kind="generation") >= 0
    assert sample(queued, "forge_task_queue_jobs") >= 1

    assert pipeline_run(pipeline_id=pipeline_id).status == "succeeded"

    after = scrape(staff)
    assert sample(after, "forge_pipeline_queue_depth", kind="generation") is None
    assert (
        sample(after, "forge_pipeline_runs_total", kind="generation", status="succeeded")
        == (runs_before or 0) + 1
    )
    assert (
        sample(
            after,
            "forge_pipeline_stage_duration_seconds_count",
            kind="generation",
            stage="generate_mesh",
            status="succeeded",
        )
        >= 1
    )
    assert (
        sample(
            after,
            "forge_provider_calls_total",
            provider="local",
            operation="text_to_3d",
            outcome="ok",
        )
        == (calls_before or 0) + 1
    )
    assert sample(after, "forge_pipeline_queue_wait_seconds_count", kind="generation") >= 1


def value(name: str, **labels) -> float:
    """Return this process's current value of a series (0 when it has no sample yet)."""
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
def test_recorded_errors_are_counted_by_severity():
    from errors.services import error_record

    before = value("forge_error_occurrences_total", severity="critical")
    error_record(message="the disk is full", severity="critical", category="internal")
    assert value("forge_error_occurrences_total", severity="critical") == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_reaper_counts_expired_leases(user):
    from datetime import timedelta

    from django.utils import timezone

    from pipelines import tasks
    from pipelines.models import GenerationPipeline

    GenerationPipeline.objects.create(
        user=user,
        status="running",
        attempt=1,
        max_attempts=3,
        lease_owner="a-dead-worker",
        lease_expires_at=timezone.now() - timedelta(minutes=1),
    )
    expired = value("forge_pipeline_leases_expired_total")
    requeued = value("forge_pipeline_reaped_total", action="requeued")

    assert tasks.pipelines_reap()["requeued"] == 1

    assert value("forge_pipeline_leases_expired_total") == expired + 1
    assert value("forge_pipeline_reaped_total", action="requeued") == requeued + 1


@pytest.mark.django_db(transaction=True)
async def test_websocket_connections_and_events_are_counted(user):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import transaction

    from forge.asgi import application
    from forge.oncommit import broadcast_flush
    from pipelines.events import pipeline_event_publish_on_commit
    from pipelines.services import pipeline_create

    @sync_to_async
    def setup():
        client = Client()
        client.force_login(user)
        pipeline, _ = pipeline_create(user=user, config={"prompt": "a cup"}, enqueue=False)
        return pipeline, f"sessionid={client.cookies['sessionid'].value}".encode()

    @sync_to_async
    def publish(pipeline, seq):
        with transaction.atomic():
            pipeline.event_seq = seq
            pipeline_event_publish_on_commit(pipeline)
        assert broadcast_flush(5)

    pipeline, cookie = await setup()
    open_before, sent_before = (
        value("forge_ws_connections_open"),
        value("forge_ws_events_sent_total"),
    )
    stale_before = value("forge_ws_events_dropped_total", reason="stale")
    communicator = WebsocketCommunicator(
        application,
        f"/ws/pipelines/{pipeline.id}/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)],
    )
    assert (await communicator.connect(timeout=5))[0]
    await communicator.receive_json_from(timeout=5)
    assert value("forge_ws_connections_open") == open_before + 1

    await publish(pipeline, 5)
    assert (await communicator.receive_json_from(timeout=5))["pipeline"]["seq"] == 5
    await publish(pipeline, 4)  # older than what the connection has: dropped
    await publish(pipeline, 6)
    assert (await communicator.receive_json_from(timeout=5))["pipeline"]["seq"] == 6
    assert value("forge_ws_events_sent_total") == sent_before + 2
    assert value("forge_ws_events_dropped_total", reason="stale") == stale_before + 1

    await communicator.disconnect()
    assert value("forge_ws_connections_open") == open_before

"""`/metrics` across processes: daphne shows the qcluster workers' series (multiprocess mode)."""

import httpx
import pytest

from pipelines.models import GenerationPipeline
from pipelines.services import pipeline_create
from tests.forge.test_metrics import sample
from tests.processes import (
    daphne_args,
    free_port,
    process_env,
    qcluster_args,
    running,
    wait_for_port,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOKEN = "scraper-token-0123456789abcdef"  # noqa: S105 - a test value


def scrape(port: int) -> str:
    response = httpx.get(
        f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert response.status_code == 200
    return response.text


def test_a_scraper_reads_the_queue_depth_and_the_workers_runs_from_the_web_process(user, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = process_env(
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), FORGE_METRICS_TOKEN=TOKEN, FORGE_Q_POLL="0.05"
    )
    port = free_port()
    with running(daphne_args(port), env=env, log_path=tmp_path / "web.log"):
        wait_for_port(port)
        assert httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).status_code == 403

        ids = [
            pipeline_create(
                user=user, config={"prompt": f"a stone pillar {n}", "quality": "draft"}
            )[0].id
            for n in range(3)
        ]
        queued = scrape(port)
        assert sample(queued, "forge_pipeline_queue_depth", kind="generation") == 3
        assert sample(queued, "forge_pipeline_queue_oldest_age_seconds", kind="generation") >= 0

        with running(qcluster_args(), env=env, log_path=tmp_path / "q.log"):
            wait_until(
                lambda: (
                    GenerationPipeline.objects.filter(id__in=ids, status="succeeded").count() == 3
                ),
                timeout=120,
                what="the batch to succeed",
            )
            # The runs were counted by the worker processes; the web process reads their files.
            wait_until(
                lambda: (
                    sample(
                        scrape(port),
                        "forge_pipeline_runs_total",
                        kind="generation",
                        status="succeeded",
                    )
                    == 3
                ),
                timeout=30,
                what="the workers' run counts in /metrics",
            )
        done = scrape(port)
    assert sample(done, "forge_pipeline_queue_depth", kind="generation") is None
    assert (
        sample(
            done,
            "forge_provider_calls_total",
            provider="local",
            operation="text_to_3d",
            outcome="ok",
        )
        == 3
    )
    assert (
        sample(done, "forge_http_request_duration_seconds_count", route="/metrics", status="200")
        >= 2
    )
    assert (
        sample(done, "forge_http_request_duration_seconds_count", route="/metrics", status="403")
        == 1
    )

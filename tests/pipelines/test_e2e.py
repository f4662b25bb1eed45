"""Pipelines end to end: the API, a real qcluster process, PostgreSQL and storage.

django-q2's scheduler ticks every 30 s, so where the reaper schedule would run, the test
enqueues the same task (`pipelines.tasks.pipelines_reap`) itself.
"""

import os
import signal
import time

import pytest
from django.utils import timezone
from django_q.tasks import async_task

from assets.models import Asset, AssetVariant
from pipelines.models import FINISHED_STATUSES, GenerationPipeline, PipelineStage
from tests.pipelines.conftest import gltf_errors
from tests.pipelines.providers import call_count, call_times, providers_env
from tests.processes import process_env, qcluster_args, running, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 2


def worker_env(provider_dir, **extra: str) -> dict[str, str]:
    return process_env(
        FORGE_PIPELINE_LEASE_SECONDS=str(LEASE_SECONDS),
        FORGE_PIPELINE_HEARTBEAT_SECONDS="0.3",
        FORGE_Q_POLL="0.05",
        FORGE_TEST_PROVIDER_DIR=str(provider_dir),
        **providers_env(),
        **extra,
    )


def cluster(env: dict[str, str], log_path):
    """Run a qcluster for the duration of a `with` block."""
    return running(qcluster_args(), env=env, log_path=log_path)


def status_of(pipeline_id) -> str:
    return GenerationPipeline.objects.get(pk=pipeline_id).status


def wait_finished(pipeline_id, *, timeout: float = 60) -> GenerationPipeline:
    wait_until(
        lambda: status_of(pipeline_id) in FINISHED_STATUSES,
        timeout=timeout,
        what=f"pipeline {pipeline_id} to finish",
    )
    return GenerationPipeline.objects.get(pk=pipeline_id)


def start(client, **config) -> str:
    response = client.post("/api/v1/pipelines/", config, format="json")
    assert response.status_code == 202, response.content
    return response.json()["data"]["id"]


def test_a_pipeline_created_through_the_api_produces_a_valid_asset_with_variants(
    user_client, presets, provider_dir, tmp_path
):
    with cluster(worker_env(provider_dir), tmp_path / "q.log"):
        pipeline_id = start(
            user_client,
            prompt="a battle axe with a long handle",
            kind="weapon",
            quality="draft",
            presets=["gold", "oak"],
        )
        pipeline = wait_finished(pipeline_id)

    assert pipeline.status == "succeeded", (tmp_path / "q.log").read_text()[-3000:]
    detail = user_client.get(f"/api/v1/pipelines/{pipeline_id}/").json()["data"]
    assert detail["progress"] == 100
    assert {s["status"] for s in detail["stages"]} == {"succeeded"}
    asset = Asset.objects.get(pk=detail["asset"]["id"])
    assert asset.generation_params["object_kind"] == "axe"
    assert gltf_errors(asset.model_file.read()) == 0
    variants = list(AssetVariant.objects.filter(asset=asset))
    assert sorted(v.preset.slug for v in variants) == ["gold", "oak"]
    for variant in variants:
        assert gltf_errors(variant.model_file.read()) == 0


def test_a_killed_worker_is_replaced_and_the_pipeline_resumes_without_duplicates(
    user_client, presets, provider_dir, tmp_path
):
    slow = worker_env(provider_dir, FORGE_TEST_SLOW_CALL="retexture", FORGE_TEST_SLOW_SECONDS="60")
    with cluster(slow, tmp_path / "q1.log") as first:
        pipeline_id = start(
            user_client,
            prompt="a wooden barrel",
            quality="draft",
            presets=["gold", "oak"],
            provider="slow",
        )
        wait_until(lambda: call_count("slow.retexture") >= 1, timeout=30, what="texturing")
        os.killpg(first.pid, signal.SIGKILL)  # the whole cluster, mid-stage
        first.wait()
    killed = GenerationPipeline.objects.get(pk=pipeline_id)
    assert killed.status == "running" and killed.attempt == 1
    assert PipelineStage.objects.get(pipeline_id=pipeline_id, name="texture_variants").status == (
        "running"
    )

    expires = killed.lease_expires_at
    wait_until(lambda: timezone.now() > expires, timeout=30, what="the dead worker's lease to end")
    fast = worker_env(provider_dir, FORGE_TEST_SLOW_SECONDS="0")
    with cluster(fast, tmp_path / "q2.log"):
        async_task("pipelines.tasks.pipelines_reap")
        pipeline = wait_finished(pipeline_id)

    assert pipeline.status == "succeeded", (tmp_path / "q2.log").read_text()[-3000:]
    assert pipeline.attempt == 2
    assert call_count("slow.text_to_3d") == 1  # the mesh was not generated again
    assert Asset.objects.count() == 1
    assert AssetVariant.objects.filter(asset_id=pipeline.asset_id).count() == 2
    prepare = PipelineStage.objects.get(pipeline_id=pipeline_id, name="prepare")
    assert prepare.attempts == 1


def test_cancel_stops_a_running_pipeline_during_the_provider_wait(
    user_client, provider_dir, tmp_path
):
    env = worker_env(provider_dir, FORGE_TEST_SLOW_SECONDS="60")
    with cluster(env, tmp_path / "q.log"):
        pipeline_id = start(user_client, prompt="a tall lamp", provider="slow", quality="draft")
        wait_until(lambda: call_count("slow.text_to_3d") >= 1, timeout=30, what="generation")
        asked = time.monotonic()
        response = user_client.post(f"/api/v1/pipelines/{pipeline_id}/cancel/")
        assert response.status_code == 202
        assert response.json()["data"]["cancel_requested"] is True
        pipeline = wait_finished(pipeline_id, timeout=15)
        took = time.monotonic() - asked

    assert pipeline.status == "canceled" and took < 5
    stages = dict(PipelineStage.objects.filter(pipeline=pipeline).values_list("name", "status"))
    assert stages["prepare"] == "succeeded" and stages["generate_mesh"] == "canceled"
    assert stages["publish"] == "canceled"
    assert not Asset.objects.exists()


def test_retryable_failures_are_retried_with_backoff_until_the_pipeline_succeeds(
    user_client, provider_dir, tmp_path
):
    env = worker_env(
        provider_dir,
        FORGE_TEST_FLAKY_FAILURES="2",
        FORGE_PIPELINE_BACKOFF_BASE_SECONDS="0.4",
        FORGE_PIPELINE_MAX_ATTEMPTS="3",
    )
    with cluster(env, tmp_path / "q.log"):
        pipeline_id = start(user_client, prompt="a round shield", provider="flaky", quality="draft")

        def done() -> bool:
            if status_of(pipeline_id) in FINISHED_STATUSES:
                return True
            async_task("pipelines.tasks.pipelines_reap")  # what the minute schedule does
            return False

        wait_until(done, timeout=60, interval=0.3, what="the retried pipeline")
    pipeline = GenerationPipeline.objects.get(pk=pipeline_id)

    assert pipeline.status == "succeeded" and pipeline.attempt == 3
    times = call_times("flaky.text_to_3d")
    assert len(times) == 3
    # Equal jitter: the n-th wait is at least half of base * 2^(n-1).
    assert times[1] - times[0] >= 0.2 and times[2] - times[1] >= 0.4

"""Meshy pipelines end to end: real qcluster processes against the fake Meshy server's process.

The fake counts the tasks created per step, so "never paid twice" is what Meshy would bill.
"""

import os
import secrets
import signal
import sys

import httpx
import pytest
from django_q.models import Schedule

from errors.models import ErrorOccurrence
from pipelines.models import FINISHED_STATUSES, GenerationPipeline, PipelineStage
from pipelines.schedules import schedules_ensure
from pipelines.services import pipeline_cancel, pipeline_create
from tests.processes import (
    free_port,
    process_env,
    qcluster_args,
    running,
    wait_for_port,
    wait_until,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONFIG = {
    "prompt": "an ornate golden sword",
    "kind": "weapon",
    "quality": "draft",
    "presets": ["gold", "oak"],
    "provider": "meshy",
}
ONE_PER_STEP = {"text-to-3d:preview": 1, "text-to-3d:refine": 1, "retexture": 2}


class Fake:
    """The fake Meshy server in its own process, driven through its `/_fake` endpoints."""

    def __init__(self, url: str):
        self.url = url

    def stats(self) -> dict:
        return httpx.get(f"{self.url}/_fake/stats").json()

    def faults(self, faults=(), outcomes=()) -> None:
        httpx.post(
            f"{self.url}/_fake/faults", json={"faults": list(faults), "outcomes": list(outcomes)}
        ).raise_for_status()

    def configure(self, **config) -> None:
        httpx.post(f"{self.url}/_fake/config", json=config).raise_for_status()


@pytest.fixture
def fake(tmp_path):
    port = free_port()
    args = [sys.executable, "-m", "tests.fakes.meshy", "--port", str(port), "--time-scale", "0.05"]
    with running(args, env=process_env(), log_path=tmp_path / "fake.log"):
        wait_for_port(port)
        yield Fake(f"http://127.0.0.1:{port}")


@pytest.fixture
def key():
    return "msy_" + secrets.token_hex(18)


@pytest.fixture
def forge(settings, presets):
    settings.FORGE_ENABLED_PROVIDERS = ["local", "meshy"]
    schedules_ensure(Schedule)  # the minute reaper, as migrated (the test database was flushed)


def cluster_env(fake: Fake, key: str, **extra: str) -> dict[str, str]:
    values = {
        "FORGE_PROVIDER": "meshy",
        "FORGE_ENABLED_PROVIDERS": "local,meshy",
        "MESHY_API_KEY": key,
        "MESHY_BASE_URL": fake.url,
        "MESHY_RETRY_BASE_SECONDS": "0.05",
        "MESHY_POLL_MIN_SECONDS": "0.1",
        "MESHY_POLL_MAX_SECONDS": "0.5",
        "FORGE_PIPELINE_LEASE_SECONDS": "2",
        "FORGE_PIPELINE_HEARTBEAT_SECONDS": "0.3",
        "FORGE_PIPELINE_BACKOFF_BASE_SECONDS": "0.5",
        "FORGE_PIPELINE_REMOTE_WAIT_SECONDS": "-1",
        "FORGE_Q_POLL": "0.05",
    }
    return process_env(**{**values, **extra})


def create(user, **overrides) -> GenerationPipeline:
    return pipeline_create(user=user, config={**CONFIG, **overrides})[0]


def stage(pipeline, name) -> PipelineStage:
    return PipelineStage.objects.get(pipeline=pipeline, name=name)


def finished(pipeline) -> GenerationPipeline | None:
    pipeline.refresh_from_db()
    return pipeline if pipeline.status in FINISHED_STATUSES else None


def test_a_worker_killed_while_meshy_works_resumes_the_same_task(user, forge, fake, key, tmp_path):
    pipeline = create(user)
    env = cluster_env(fake, key)
    with running(qcluster_args(), env=env, log_path=tmp_path / "q1.log") as cluster:
        # Meshy's progress reaches the stage while the worker waits on the preview.
        wait_until(
            lambda: (
                "preview" in stage(pipeline, "generate_mesh").output.get("remote_tasks", {})
                and stage(pipeline, "generate_mesh").progress > 0
            ),
            timeout=60,
            interval=0.05,
            what="a remote task with progress",
        )
        preview = stage(pipeline, "generate_mesh").output["remote_tasks"]["preview"]
        os.killpg(cluster.pid, signal.SIGKILL)
    assert fake.stats()["creates"] == {"text-to-3d:preview": 1}

    with running(qcluster_args(), env=env, log_path=tmp_path / "q2.log"):
        pipeline = wait_until(
            lambda: finished(pipeline), timeout=180, what="the pipeline to finish"
        )

    assert pipeline.status == "succeeded"
    assert pipeline.attempt == 2
    assert stage(pipeline, "generate_mesh").output["remote_tasks"]["preview"] == preview
    assert fake.stats()["creates"] == ONE_PER_STEP
    assert pipeline.asset.variants.count() == 2
    log = (tmp_path / "q1.log").read_text() + (tmp_path / "q2.log").read_text()
    assert key not in log


def test_a_429_storm_slows_the_pipeline_without_failing_it(user, forge, fake, key, tmp_path):
    fake.faults(
        faults=[{"kind": "any", "status": 429, "retry_after": "0.2", "count": 15}],
    )
    pipeline = create(user)
    with running(qcluster_args(), env=cluster_env(fake, key), log_path=tmp_path / "q.log"):
        pipeline = wait_until(
            lambda: finished(pipeline), timeout=180, what="the pipeline to finish"
        )

    assert pipeline.status == "succeeded"
    assert sum(fake.stats()["faults_served"].values()) == 15
    assert fake.stats()["creates"] == ONE_PER_STEP


def test_out_of_credits_fails_with_a_clear_message_recorded_for_staff(
    user, forge, fake, key, tmp_path
):
    fake.configure(balance=25)  # the preview (20), not the refine (10)
    pipeline = create(user)
    with running(qcluster_args(), env=cluster_env(fake, key), log_path=tmp_path / "q.log"):
        pipeline = wait_until(
            lambda: finished(pipeline), timeout=120, what="the pipeline to finish"
        )

    assert pipeline.status == "failed"
    assert pipeline.error_code == "provider_out_of_credits"
    assert "run out of credits" in pipeline.error_message
    assert "top up" in pipeline.error_message
    occurrence = ErrorOccurrence.objects.get(error_code="provider_out_of_credits")
    assert occurrence.external_service == "meshy"
    assert key not in str(ErrorOccurrence.objects.values_list("message", "context", "stack_trace"))
    assert key not in (tmp_path / "q.log").read_text()


def test_cancel_while_parked_on_meshy_deletes_the_remote_task(user, forge, fake, key, tmp_path):
    fake.configure(time_scale=1)  # a preview takes 30 s
    pipeline = create(user)
    env = cluster_env(
        fake,
        key,
        FORGE_PIPELINE_REMOTE_WAIT_SECONDS="0.2",
        FORGE_PIPELINE_REMOTE_POLL_MIN_SECONDS="0.5",
        FORGE_PIPELINE_REMOTE_POLL_MAX_SECONDS="1",
    )
    with running(qcluster_args(), env=env, log_path=tmp_path / "q.log"):
        wait_until(
            lambda: stage(pipeline, "generate_mesh").output.get("remote_waits", 0) >= 2,
            timeout=60,
            what="the run to be parked and woken again",
        )
        pipeline.refresh_from_db()
        assert pipeline.attempt <= 1  # waits are not attempts
        pipeline_cancel(pipeline=pipeline)
        pipeline = wait_until(
            lambda: finished(pipeline), timeout=60, what="the pipeline to be canceled"
        )

    assert pipeline.status == "canceled"
    stats = fake.stats()
    assert stats["creates"] == {"text-to-3d:preview": 1}
    assert sum(stats["deletes"].values()) == 1
    assert stats["tasks"] == {}

"""Generation pipelines through the Meshy provider, run in-process against the fake Meshy server.

The engine's side of remote tasks: task IDs kept on the stage (never paid twice across
retries), provider progress in live status, runs parked while Meshy works (no worker held),
a cancel of a parked run deleting its remote task, and failures recorded for staff.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from errors.models import ErrorOccurrence
from pipelines.models import GenerationPipeline, PipelineStage
from pipelines.services import pipeline_cancel, pipeline_create, pipeline_run, pipelines_wake
from pipelines.services.remote import WAKER_CACHE_KEY

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = {
    "prompt": "an ornate golden sword",
    "kind": "weapon",
    "quality": "draft",
    "presets": ["gold", "oak"],
    "provider": "meshy",
}
ONE_PER_STEP = {"text-to-3d:preview": 1, "text-to-3d:refine": 1, "retexture": 2}


@pytest.fixture
def forge_meshy(meshy_settings):
    """Let pipelines choose Meshy; steps follow remote tasks to the end unless a test says."""
    meshy_settings.FORGE_ENABLED_PROVIDERS = ["local", "meshy"]
    meshy_settings.FORGE_PIPELINE_REMOTE_WAIT_SECONDS = -1
    meshy_settings.FORGE_PIPELINE_BACKOFF_BASE_SECONDS = 0.01
    return meshy_settings


def create(user, **overrides):
    pipeline, created = pipeline_create(user=user, config={**CONFIG, **overrides})
    assert created
    return pipeline


def run_due(pipeline) -> GenerationPipeline:
    """Make a queued run due now (as the waker or reaper would) and run it in-process."""
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(next_attempt_at=timezone.now())
    pipeline_run(pipeline_id=pipeline.pk)
    return GenerationPipeline.objects.get(pk=pipeline.pk)


def stage(pipeline, name) -> PipelineStage:
    return PipelineStage.objects.get(pipeline=pipeline, name=name)


def test_a_sword_with_two_presets_is_made_by_meshy_with_one_task_per_step(
    user, presets, forge_meshy, fake_meshy
):
    pipeline = create(user)
    pipeline_run(pipeline_id=pipeline.pk)
    pipeline.refresh_from_db()

    assert pipeline.status == "succeeded"
    assert pipeline.asset.variants.count() == 2
    assert fake_meshy.stats()["creates"] == ONE_PER_STEP
    mesh = stage(pipeline, "generate_mesh")
    assert set(mesh.output["remote_tasks"]) == {"preview", "refine"}
    assert mesh.external_task_id == mesh.output["remote_tasks"]["refine"]
    assert mesh.output["external_task_id"] == mesh.external_task_id
    variants = stage(pipeline, "texture_variants")
    assert set(variants.output["remote_tasks"]) == {"retexture:gold", "retexture:oak"}
    assert {v["external_task_id"] for v in variants.output["variants"]} == set(
        variants.output["remote_tasks"].values()
    )


def test_a_retry_follows_the_task_it_already_paid_for(user, presets, forge_meshy, fake_meshy):
    # The refined model cannot be downloaded for a while: the stage fails retryably after
    # both tasks were paid for, and the retry downloads the same task's result.
    fake_meshy.set_faults(faults=[{"kind": "download", "status": 503, "count": 10}])
    forge_meshy.MESHY_HTTP_RETRIES = 1
    pipeline = create(user, presets=[])
    pipeline_run(pipeline_id=pipeline.pk)
    pipeline.refresh_from_db()
    assert pipeline.status == "queued"
    assert pipeline.error_code == "provider_unavailable"
    remembered = dict(stage(pipeline, "generate_mesh").output["remote_tasks"])

    fake_meshy.set_faults(faults=[])
    pipeline = run_due(pipeline)

    assert pipeline.status == "succeeded"
    assert pipeline.attempt == 2
    assert stage(pipeline, "generate_mesh").output["remote_tasks"] == remembered
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}


def test_a_run_waiting_on_meshy_is_parked_without_a_worker_and_resumes_the_same_tasks(
    user, presets, forge_meshy, fake_meshy
):
    forge_meshy.FORGE_PIPELINE_REMOTE_WAIT_SECONDS = 0
    forge_meshy.FORGE_PIPELINE_REMOTE_POLL_MIN_SECONDS = 30
    fake_meshy.configure(time_scale=0.02)  # preview 0.6 s, refine 2.4 s, retexture 1.2 s
    pipeline = create(user)
    pipeline_run(pipeline_id=pipeline.pk)
    pipeline.refresh_from_db()

    assert pipeline.status == "queued"
    assert pipeline.lease_owner == ""
    assert pipeline.attempt == 0  # a wait is not an attempt
    assert pipeline.next_attempt_at > timezone.now() + timedelta(seconds=20)
    parked = stage(pipeline, "generate_mesh")
    assert parked.status == "running"
    assert parked.output["remote_tasks"]["preview"]
    assert parked.output["remote_waits"] == 1

    parks = 1
    while pipeline.status == "queued":
        pipeline = run_due(pipeline)
        parks += 1
        assert parks < 500

    assert pipeline.status == "succeeded"
    assert pipeline.attempt == 1
    assert stage(pipeline, "generate_mesh").attempts == 1
    assert fake_meshy.stats()["creates"] == ONE_PER_STEP


def test_the_waker_enqueues_parked_runs_once_due_and_only_one_waker_runs(
    user, presets, forge_meshy, fake_meshy
):
    from django.core.cache import cache
    from django_q.models import OrmQ

    forge_meshy.FORGE_PIPELINE_REMOTE_WAIT_SECONDS = 0
    forge_meshy.FORGE_PIPELINE_REMOTE_POLL_MIN_SECONDS = 0.3
    fake_meshy.configure(time_scale=1)
    pipeline = create(user, presets=[])
    pipeline_run(pipeline_id=pipeline.pk)
    OrmQ.objects.all().delete()

    cache.set(WAKER_CACHE_KEY, "another", timeout=30)
    assert pipelines_wake(max_seconds=5) == {"woken": 0, "skipped": 1}
    cache.delete(WAKER_CACHE_KEY)

    assert pipelines_wake(max_seconds=5) == {"woken": 1, "skipped": 0}
    pipeline.refresh_from_db()
    assert pipeline.status == "queued"
    assert pipeline.next_attempt_at is None
    jobs = [row.task for row in OrmQ.objects.all()]
    assert [(job["func"], job["args"]) for job in jobs] == [
        ("pipelines.tasks.pipeline_run", (str(pipeline.pk),))
    ]


def test_canceling_a_parked_run_deletes_its_remote_task(user, presets, forge_meshy, fake_meshy):
    forge_meshy.FORGE_PIPELINE_REMOTE_WAIT_SECONDS = 0
    fake_meshy.configure(time_scale=1)  # a preview takes 30 s
    pipeline = create(user)
    pipeline_run(pipeline_id=pipeline.pk)
    pipeline.refresh_from_db()
    task_id = stage(pipeline, "generate_mesh").output["remote_tasks"]["preview"]

    pipeline_cancel(pipeline=pipeline)
    pipeline.refresh_from_db()
    assert pipeline.status == "queued"  # handed to a worker, due now
    assert pipeline.next_attempt_at is None
    pipeline_run(pipeline_id=pipeline.pk)
    pipeline.refresh_from_db()

    assert pipeline.status == "canceled"
    assert stage(pipeline, "generate_mesh").status == "canceled"
    assert sum(fake_meshy.stats()["deletes"].values()) == 1
    assert task_id not in fake_meshy.stats()["tasks"]


def test_out_of_credits_fails_the_pipeline_with_a_message_that_says_what_to_do(
    user, presets, forge_meshy, fake_meshy, meshy_key
):
    fake_meshy.configure(balance=0)
    pipeline = create(user)
    pipeline_run(pipeline_id=pipeline.pk)
    pipeline.refresh_from_db()

    assert pipeline.status == "failed"
    assert pipeline.error_code == "provider_out_of_credits"
    assert "top up" in pipeline.error_message
    occurrence = ErrorOccurrence.objects.get()
    assert occurrence.external_service == "meshy"
    assert occurrence.group.external_service == "meshy"
    assert meshy_key not in str(
        ErrorOccurrence.objects.values_list("message", "context", "stack_trace").get()
    )


def test_meshy_progress_reaches_the_stage_while_it_waits(user, presets, forge_meshy, fake_meshy):
    from tests.processes import wait_until

    fake_meshy.configure(time_scale=0.05)  # preview 1.5 s, refine 6 s
    forge_meshy.FORGE_PIPELINE_PROGRESS_INTERVAL_SECONDS = 0.05
    pipeline = create(user, presets=[])
    import threading

    from django.db import connection

    def run():
        try:
            pipeline_run(pipeline_id=pipeline.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        seen = wait_until(
            lambda: (
                10 < stage(pipeline, "generate_mesh").progress < 100
                and stage(pipeline, "generate_mesh").progress
            ),
            timeout=60,
            interval=0.05,
            what="Meshy's progress on the stage",
        )
    finally:
        thread.join(timeout=120)
    assert seen
    pipeline.refresh_from_db()
    assert pipeline.status == "succeeded"

"""Service-level rules of pipelines, run in-process against the real database and storage.

The worker's heartbeat uses its own database connection, so these tests commit
(`transaction=True`) like a real worker would.
"""

import threading
import time
from datetime import datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from assets.models import Asset, AssetVariant
from forge.exceptions import ConflictError, ValidationFailedError
from pipelines.models import GenerationPipeline, PipelineStage
from pipelines.services import (
    backoff_seconds,
    pipeline_cancel,
    pipeline_create,
    pipeline_retry,
    pipeline_run,
    pipelines_cleanup,
    pipelines_reap,
)
from pipelines.tasks import reap_timers_cancel
from tests.pipelines.providers import call_count
from tests.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = {"prompt": "a rusty iron sword", "kind": "weapon", "quality": "draft"}


def create(user, **overrides):
    pipeline, created = pipeline_create(user=user, config={**CONFIG, **overrides})
    assert created
    return pipeline


def in_thread(func) -> threading.Thread:
    """Start `func` in a thread that closes its own database connection when done."""

    def target():
        try:
            func()
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def stage_statuses(pipeline):
    return {s.name: s.status for s in PipelineStage.objects.filter(pipeline=pipeline)}


def test_a_pipeline_runs_every_stage_and_publishes_one_asset_with_variants(user, presets):
    pipeline = create(user, presets=["gold", "oak"], seed=7)

    result = pipeline_run(pipeline_id=pipeline.id)

    pipeline.refresh_from_db()
    assert result.status == pipeline.status == "succeeded"
    assert pipeline.progress == 100 and pipeline.attempt == 1
    assert set(stage_statuses(pipeline).values()) == {"succeeded"}
    asset = Asset.objects.get(pk=pipeline.asset_id)
    assert asset.owner == user and asset.source == "generated" and asset.kind == "weapon"
    assert asset.name == "Rusty iron sword" and "sword" in asset.tags
    assert asset.triangle_count > 0 and asset.thumbnail.name and asset.model_file.name
    assert sorted(v.preset.slug for v in asset.variants.all()) == ["gold", "oak"]
    assert asset.variant_statistics.ready == 2
    assert asset.generation_params["seed"] == 7
    # Intermediate checkpoints are deleted after the asset is committed, off the run's path.
    wait_until(
        lambda: not default_storage.exists(f"pipelines/{pipeline.id}"),
        timeout=30,
        what="the checkpoint clean-up",
    )


def test_same_prompt_and_seed_give_the_same_model(user):
    first = create(user, seed=11)
    second = create(user, seed=11)
    pipeline_run(pipeline_id=first.id)
    pipeline_run(pipeline_id=second.id)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.asset.sha256 == second.asset.sha256


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"prompt": "ab"}, "prompt"),
        ({"prompt": "x" * 601}, "prompt"),
        ({"prompt": "a sword", "quality": "ultra"}, "quality"),
        ({"prompt": "a sword", "kind": "spaceship"}, "kind"),
        ({"prompt": "a sword", "art_style": "cubist"}, "art_style"),
        ({"prompt": "a sword", "presets": ["no-such-preset"]}, "presets"),
        ({"prompt": "a sword", "presets": [f"p{i}" for i in range(9)]}, "presets"),
        ({"prompt": "a sword", "seed": -1}, "seed"),
        ({"prompt": "a sword", "provider": "meshy"}, "provider"),
        ({"prompt": "a sword", "colour": "red"}, "non_field_errors"),
    ],
)
def test_invalid_configs_are_rejected_per_field_and_write_nothing(user, config, field):
    with pytest.raises(ValidationFailedError) as caught:
        pipeline_create(user=user, config=config)
    assert field in caught.value.details
    assert not GenerationPipeline.objects.exists()


def test_inactive_presets_are_rejected(user, presets):
    presets[0].is_active = False
    presets[0].save()
    with pytest.raises(ValidationFailedError) as caught:
        pipeline_create(user=user, config={**CONFIG, "presets": ["gold"]})
    assert "gold" in caught.value.details["presets"][0]


def test_idempotency_key_returns_the_same_pipeline_and_rejects_another_body(user):
    first, created = pipeline_create(user=user, config=CONFIG, idempotency_key="k-1")
    again, created_again = pipeline_create(user=user, config=dict(CONFIG), idempotency_key="k-1")
    assert created and not created_again and again.id == first.id
    with pytest.raises(ConflictError):
        pipeline_create(user=user, config={**CONFIG, "quality": "high"}, idempotency_key="k-1")
    assert GenerationPipeline.objects.count() == 1


def test_idempotency_keys_belong_to_one_user(user, other_user):
    mine, _ = pipeline_create(user=user, config=CONFIG, idempotency_key="shared")
    theirs, created = pipeline_create(user=other_user, config=CONFIG, idempotency_key="shared")
    assert created and theirs.id != mine.id


def test_a_retryable_failure_waits_with_backoff_then_the_reaper_retries_it(
    user, provider_dir, settings, monkeypatch
):
    monkeypatch.setenv("FORGE_TEST_FLAKY_FAILURES", "1")
    settings.FORGE_PIPELINE_BACKOFF_BASE_SECONDS = 60
    pipeline = create(user, provider="flaky")

    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    failed = PipelineStage.objects.get(pipeline=pipeline, name="generate_mesh")
    assert pipeline.status == "queued" and pipeline.error_code == "rate_limited"
    assert pipeline.error_retryable and failed.status == "failed"
    # Equal jitter on the first backoff: from half the base to the base.
    wait = pipeline.next_attempt_at - failed.finished_at
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=60)
    # Not due yet: a worker that gets the job early leaves it alone, and so does the reaper.
    assert pipeline_run(pipeline_id=pipeline.id) is None
    assert pipelines_reap()["retried"] == 0

    assert pipelines_reap(now=pipeline.next_attempt_at)["retried"] == 1
    pipeline.refresh_from_db()
    assert pipeline.next_attempt_at is None
    assert pipeline_run(pipeline_id=pipeline.id).status == "succeeded"
    pipeline.refresh_from_db()
    assert pipeline.attempt == 2 and pipeline.error_code == ""
    assert call_count("flaky.text_to_3d") == 2


def test_retryable_failures_stop_after_the_last_attempt(user, provider_dir, settings, monkeypatch):
    monkeypatch.setenv("FORGE_TEST_FLAKY_FAILURES", "10")
    settings.FORGE_PIPELINE_MAX_ATTEMPTS = 2
    settings.FORGE_PIPELINE_BACKOFF_BASE_SECONDS = 60
    pipeline = create(user, provider="flaky")
    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    assert pipelines_reap(now=pipeline.next_attempt_at)["retried"] == 1
    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    assert pipeline.status == "failed" and pipeline.attempt == 2
    assert pipeline.error_code == "rate_limited" and pipeline.finished_at is not None
    assert call_count("flaky.text_to_3d") == 2


def test_a_non_retryable_failure_fails_at_once(user, provider_dir):
    pipeline = create(user, provider="broken")
    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    assert pipeline.status == "failed" and pipeline.attempt == 1
    assert pipeline.error_code == "content_rejected" and not pipeline.error_retryable
    assert stage_statuses(pipeline) == {
        "prepare": "succeeded",
        "generate_mesh": "failed",
        "optimize": "pending",
        "texture_variants": "pending",
        "thumbnail": "pending",
        "publish": "pending",
    }


def test_retry_continues_from_the_failed_stage_as_a_new_attempt(
    user, provider_dir, settings, presets
):
    pipeline = create(user, provider="counting", presets=["gold"])
    # Make the pipeline fail at texturing by removing its provider from the registry.
    settings.FORGE_PROVIDERS = {
        k: v for k, v in settings.FORGE_PROVIDERS.items() if k != "counting"
    }
    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    assert pipeline.status == "failed"
    assert stage_statuses(pipeline)["prepare"] == "succeeded"
    assert stage_statuses(pipeline)["generate_mesh"] == "failed"

    settings.FORGE_PROVIDERS = {
        **settings.FORGE_PROVIDERS,
        "counting": "tests.pipelines.providers.CountingProvider",
    }
    pipeline_retry(pipeline=pipeline)
    pipeline.refresh_from_db()
    assert pipeline.status == "queued" and pipeline.error_code == ""
    assert pipeline_run(pipeline_id=pipeline.id).status == "succeeded"
    pipeline.refresh_from_db()
    assert pipeline.attempt == 2
    prepare = PipelineStage.objects.get(pipeline=pipeline, name="prepare")
    assert prepare.attempts == 1  # finished stages are not redone
    assert call_count("counting.text_to_3d") == 1 and call_count("counting.retexture") == 1


def test_only_failed_pipelines_can_be_retried(user):
    pipeline = create(user)
    with pytest.raises(ConflictError):
        pipeline_retry(pipeline=pipeline)


def test_canceling_a_queued_pipeline_ends_it_at_once(user):
    pipeline = create(user)
    pipeline_cancel(pipeline=pipeline)
    pipeline.refresh_from_db()
    assert pipeline.status == "canceled" and pipeline.finished_at is not None
    assert set(stage_statuses(pipeline).values()) == {"canceled"}
    # A worker picking up the job afterwards does nothing.
    assert pipeline_run(pipeline_id=pipeline.id) is None
    assert not Asset.objects.exists()


def test_a_finished_pipeline_cannot_be_canceled(user):
    pipeline = create(user)
    pipeline_run(pipeline_id=pipeline.id)
    with pytest.raises(ConflictError):
        pipeline_cancel(pipeline=pipeline)


def test_cancel_during_a_provider_wait_stops_the_run(user, provider_dir, settings, monkeypatch):
    monkeypatch.setenv("FORGE_TEST_SLOW_SECONDS", "300")
    settings.FORGE_PIPELINE_HEARTBEAT_SECONDS = 0.1
    pipeline = create(user, provider="slow")
    results = {}
    worker = in_thread(lambda: results.update(run=pipeline_run(pipeline_id=pipeline.id)))
    wait_until(lambda: call_count("slow.text_to_3d") >= 1, timeout=30, what="the provider call")
    asked = time.monotonic()
    pipeline_cancel(pipeline=pipeline)
    worker.join(timeout=120)

    pipeline.refresh_from_db()
    # The provider would have waited 300 s: the cancel cut its wait short.
    assert not worker.is_alive() and time.monotonic() - asked < 120
    assert results["run"].status == pipeline.status == "canceled"
    statuses = stage_statuses(pipeline)
    assert statuses["prepare"] == "succeeded"
    assert {statuses[name] for name in statuses if name != "prepare"} == {"canceled"}
    assert not Asset.objects.exists()


def _lease_expiry(pipeline) -> datetime:
    """Return a moment just after the pipeline's current lease runs out."""
    expires = GenerationPipeline.objects.get(pk=pipeline.pk).lease_expires_at
    return expires + timedelta(seconds=1)


def test_a_stale_worker_cannot_write_after_its_lease_was_reaped(
    user, provider_dir, settings, monkeypatch, tmp_path
):
    """Worker A stalls past its lease; the reaper hands the pipeline to B; A's late write fails."""
    gate = tmp_path / "release-a"
    monkeypatch.setenv("FORGE_TEST_SLOW_SECONDS", "120")
    monkeypatch.setenv("FORGE_TEST_SLOW_GATE", str(gate))
    settings.FORGE_PIPELINE_HEARTBEAT_SECONDS = 600  # A's heartbeat never comes in time
    pipeline = create(user, provider="slow")
    results = {}
    worker_a = in_thread(
        lambda: results.update(a=pipeline_run(pipeline_id=pipeline.id, worker_id="A"))
    )
    wait_until(lambda: call_count("slow.text_to_3d") >= 1, timeout=30, what="A's provider call")
    # A is stuck in the provider: at its lease's end the reaper hands the pipeline back.
    assert pipelines_reap(now=_lease_expiry(pipeline))["requeued"] == 1
    monkeypatch.setenv("FORGE_TEST_SLOW_SECONDS", "0")
    result_b = pipeline_run(pipeline_id=pipeline.id, worker_id="B")
    gate.touch()  # A's provider call returns; its write-back must be refused
    worker_a.join(timeout=30)

    pipeline.refresh_from_db()
    assert result_b.status == "succeeded" and results["a"] is None
    assert pipeline.status == "succeeded" and pipeline.attempt == 2
    assert Asset.objects.count() == 1 and pipeline.asset_id is not None


def test_the_reaper_fails_a_pipeline_whose_worker_died_on_its_last_attempt(user, settings):
    settings.FORGE_PIPELINE_MAX_ATTEMPTS = 1
    pipeline = create(user)
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(
        status="running",
        attempt=1,
        lease_owner="dead-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=5),
    )
    PipelineStage.objects.filter(pipeline=pipeline, name="prepare").update(status="running")

    assert pipelines_reap()["failed"] == 1
    pipeline.refresh_from_db()
    assert pipeline.status == "failed" and pipeline.error_code == "worker_lost"
    assert pipeline.error_retryable and pipeline.lease_owner == ""
    assert stage_statuses(pipeline)["prepare"] == "pending"


def test_the_reaper_expires_pipelines_queued_too_long(user):
    pipeline = create(user)
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert pipelines_reap()["expired"] == 1
    pipeline.refresh_from_db()
    assert pipeline.status == "expired" and pipeline.error_code == "expired"
    assert pipeline_run(pipeline_id=pipeline.id) is None


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap(settings):
    settings.FORGE_PIPELINE_BACKOFF_BASE_SECONDS = 10
    settings.FORGE_PIPELINE_BACKOFF_CAP_SECONDS = 60
    for attempt, full in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        delays = [backoff_seconds(attempt) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full / 10  # jittered, not fixed


def test_cleanup_deletes_old_finished_pipelines_but_keeps_their_assets(user, settings):
    settings.FORGE_PIPELINE_RETENTION_DAYS = 30
    old = create(user)
    pipeline_run(pipeline_id=old.id)
    old.refresh_from_db()
    recent = create(user)
    GenerationPipeline.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=31)
    )
    leftover = f"pipelines/{old.id}/optimize/a1/model.glb"
    default_storage.save(leftover, __import__("io").BytesIO(b"x"))

    assert pipelines_cleanup()["pipelines"] == 1
    assert not GenerationPipeline.objects.filter(pk=old.pk).exists()
    assert GenerationPipeline.objects.filter(pk=recent.pk).exists()
    assert Asset.objects.filter(pk=old.asset_id).exists()
    assert not default_storage.exists(leftover)


def test_a_resumed_pipeline_redoes_neither_finished_stages_nor_finished_variants(
    user, presets, provider_dir, settings, monkeypatch, tmp_path
):
    """Worker A stalls in its second retexture; B resumes and makes only the missing variant."""
    gate = tmp_path / "release-a"
    monkeypatch.setenv("FORGE_TEST_SLOW_CALL", "retexture")
    monkeypatch.setenv("FORGE_TEST_SLOW_FROM_CALL", "2")
    monkeypatch.setenv("FORGE_TEST_SLOW_SECONDS", "120")
    monkeypatch.setenv("FORGE_TEST_SLOW_GATE", str(gate))
    settings.FORGE_PIPELINE_HEARTBEAT_SECONDS = 600
    pipeline = create(user, provider="slow", presets=["gold", "oak"])
    worker_a = in_thread(lambda: pipeline_run(pipeline_id=pipeline.id, worker_id="A"))
    # A made gold (checkpointed before the next call starts) and is stuck in oak.
    wait_until(lambda: call_count("slow.retexture") >= 2, timeout=30, what="A's second variant")
    assert pipelines_reap(now=_lease_expiry(pipeline))["requeued"] == 1
    monkeypatch.setenv("FORGE_TEST_SLOW_SECONDS", "0")
    assert pipeline_run(pipeline_id=pipeline.id, worker_id="B").status == "succeeded"
    gate.touch()
    worker_a.join(timeout=30)

    pipeline.refresh_from_db()
    assert call_count("slow.text_to_3d") == 1
    assert call_count("slow.retexture") == 3  # A: gold, oak (abandoned); B: oak only
    assert Asset.objects.count() == 1
    assert sorted(
        AssetVariant.objects.filter(asset_id=pipeline.asset_id).values_list(
            "preset__slug", flat=True
        )
    ) == ["gold", "oak"]


def test_a_rolled_back_create_leaves_no_rows_and_no_job(user):
    from django_q.models import OrmQ

    with pytest.raises(RuntimeError), transaction.atomic():
        pipeline_create(user=user, config=CONFIG)
        raise RuntimeError("the caller's transaction fails")
    assert not GenerationPipeline.objects.exists()
    assert not OrmQ.objects.exists()


def _queue_rows():
    from django_q.models import OrmQ

    return OrmQ.objects.all()


def test_the_reaper_re_enqueues_a_queued_pipeline_whose_job_a_dead_worker_took(user, settings):
    settings.FORGE_PIPELINE_LEASE_SECONDS = 30
    pipeline = create(user)
    long_ago = timezone.now() - timedelta(seconds=60)
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(enqueued_at=long_ago)

    # Its job is still on the queue for a worker to take: it is only waiting.
    assert pipelines_reap()["reenqueued"] == 0
    assert _queue_rows().count() == 1

    # A worker takes the job (the broker hides it until `retry`) and dies with it.
    _queue_rows().update(lock=timezone.now() + timedelta(seconds=660))
    assert pipelines_reap()["reenqueued"] == 1
    pipeline.refresh_from_db()
    assert pipeline.status == "queued" and pipeline.enqueued_at > long_ago
    assert _queue_rows().filter(lock__lte=timezone.now()).count() == 1

    # The new job waits for a worker: later passes add no more.
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(enqueued_at=long_ago)
    assert pipelines_reap()["reenqueued"] == 0
    assert _queue_rows().count() == 2

    assert pipeline_run(pipeline_id=pipeline.id).status == "succeeded"
    assert pipeline_run(pipeline_id=pipeline.id) is None  # the duplicate job does nothing
    assert Asset.objects.count() == 1


def test_the_reaper_leaves_a_job_taken_less_than_a_lease_ago(user, settings):
    """A live worker may hold a job in its local queue behind a long run: not lost yet."""
    settings.FORGE_PIPELINE_LEASE_SECONDS = 30
    create(user)
    _queue_rows().update(lock=timezone.now() + timedelta(seconds=660))
    assert pipelines_reap()["reenqueued"] == 0
    assert _queue_rows().count() == 1


def test_a_pipeline_created_without_a_job_is_not_enqueued_by_the_reaper(user):
    pipeline, _ = pipeline_create(user=user, config=CONFIG, enqueue=False)
    assert pipeline.enqueued_at is None
    assert pipelines_reap(now=timezone.now() + timedelta(minutes=5))["reenqueued"] == 0
    assert not _queue_rows().exists()


def test_a_starting_worker_reaps_at_once_and_again_after_a_lease(settings):
    from django_q.models import Schedule
    from django_q.signals import post_spawn

    settings.FORGE_PIPELINE_LEASE_SECONDS = 30
    settings.FORGE_PIPELINE_HEARTBEAT_SECONDS = 2
    before = timezone.now()
    try:
        post_spawn.send(sender="django_q", proc_name="worker-1")
        post_spawn.send(sender="django_q", proc_name="worker-2")
    finally:
        reap_timers_cancel()  # the passes after a lease are the next test's subject

    later = Schedule.objects.get(name="pipelines.reap.after_start")
    assert later.func == "pipelines.tasks.pipelines_reap" and later.schedule_type == "O"
    assert (
        before + timedelta(seconds=32) <= later.next_run <= timezone.now() + timedelta(seconds=32)
    )
    assert len(_reaps_queued()) == 2


def _reaps_queued():
    return [row for row in _queue_rows() if row.task["func"] == "pipelines.tasks.pipelines_reap"]


def test_the_pass_after_a_lease_is_enqueued_on_time_not_at_the_schedulers_next_tick(settings):
    # django-q2's scheduler ticks every 30 s; the starting worker's own timer does not wait
    # for it (no qcluster runs here, so only the timer can add the second job).
    from django_q.signals import post_spawn

    settings.FORGE_PIPELINE_LEASE_SECONDS = 0.3
    settings.FORGE_PIPELINE_HEARTBEAT_SECONDS = 0.1
    try:
        post_spawn.send(sender="django_q", proc_name="worker-1")
        assert len(_reaps_queued()) == 1  # the pass at once
        wait_until(lambda: len(_reaps_queued()) == 2, timeout=30, what="the pass after a lease")
    finally:
        reap_timers_cancel()

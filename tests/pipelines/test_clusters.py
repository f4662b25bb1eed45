"""django-q2 across machines: several qclusters on one ORM broker (PostgreSQL).

- Schedules run once however many clusters run the scheduler: django-q2's scheduler selects
  due schedules with `select_for_update()` inside a transaction and moves `next_run` before
  committing, so a second scheduler pass waits on the row lock and then finds nothing due.
  Every cluster's sentinel runs it every 30 s; here several passes race on purpose.
- A pipeline whose cluster is SIGKILLed mid-run is finished by another cluster, already
  running, through the pipelines reaper (lease expired -> requeued), with no duplicate work.
"""

import os
import signal
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import OrmQ, Schedule
from django_q.scheduler import scheduler
from django_q.tasks import async_task

from assets.models import Asset, AssetVariant
from pipelines.models import FINISHED_STATUSES, GenerationPipeline
from pipelines.services import pipeline_create
from tests.pipelines.providers import call_count, providers_env
from tests.processes import process_env, qcluster_args, running, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCHEDULES = 5
SCHEDULERS = 4


def test_due_schedules_run_once_however_many_clusters_run_the_scheduler_at_once():
    Schedule.objects.all().delete()  # only this test's schedules (migrations add Forge's)
    OrmQ.objects.all().delete()
    past = timezone.now() - timezone.timedelta(seconds=5)
    for i in range(SCHEDULES):
        Schedule.objects.create(
            name=f"once-{i}", func="math.floor", args=str(i + 0.5), next_run=past
        )
    Schedule.objects.create(
        name="every-minute", func="math.floor", args="1.5", schedule_type=Schedule.MINUTES,
        minutes=1, next_run=past,
    )  # fmt: skip
    start = threading.Barrier(SCHEDULERS)
    failures = []

    def one_cluster_scheduler():
        try:
            start.wait(timeout=30)
            scheduler(broker=get_broker())  # what each cluster's sentinel calls
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_cluster_scheduler) for _ in range(SCHEDULERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    # One queued task per due schedule (the minute schedule once for its one due slot).
    assert OrmQ.objects.count() == SCHEDULES + 1
    assert Schedule.objects.get(name="every-minute").next_run > timezone.now()


def worker_env(provider_dir, **extra: str) -> dict[str, str]:
    return process_env(
        FORGE_PIPELINE_LEASE_SECONDS="2",
        FORGE_PIPELINE_HEARTBEAT_SECONDS="0.3",
        FORGE_Q_POLL="0.05",
        FORGE_TEST_PROVIDER_DIR=str(provider_dir),
        **providers_env(),
        **extra,
    )


def test_a_pipeline_whose_cluster_dies_is_finished_by_the_other_cluster(
    user, presets, provider_dir, tmp_path
):
    slow = worker_env(provider_dir, FORGE_TEST_SLOW_CALL="retexture", FORGE_TEST_SLOW_SECONDS="60")
    fast = worker_env(provider_dir, FORGE_TEST_SLOW_SECONDS="0")
    with running(qcluster_args(), env=slow, log_path=tmp_path / "machine-a.log") as machine_a:
        pipeline, _ = pipeline_create(
            user=user,
            config={
                "prompt": "a wooden barrel",
                "quality": "draft",
                "presets": ["gold"],
                "provider": "slow",
            },
        )
        wait_until(lambda: call_count("slow.retexture") >= 1, timeout=60, what="machine A working")
        with running(qcluster_args(), env=fast, log_path=tmp_path / "machine-b.log"):
            os.killpg(machine_a.pid, signal.SIGKILL)  # machine A dies mid-stage
            machine_a.wait()
            killed = GenerationPipeline.objects.get(pk=pipeline.pk)
            assert killed.status == "running" and killed.attempt == 1
            wait_until(
                lambda: timezone.now() > killed.lease_expires_at,
                timeout=30,
                what="the dead machine's lease to end",
            )
            async_task("pipelines.tasks.pipelines_reap")  # the minute schedule's reaper run
            wait_until(
                lambda: GenerationPipeline.objects.get(pk=pipeline.pk).status in FINISHED_STATUSES,
                timeout=90,
                interval=0.3,
                what="machine B to finish the pipeline",
            )

    finished = GenerationPipeline.objects.get(pk=pipeline.pk)
    assert finished.status == "succeeded", (tmp_path / "machine-b.log").read_text()[-3000:]
    assert finished.attempt == 2
    assert call_count("slow.text_to_3d") == 1  # machine A's mesh was kept, not generated again
    assert Asset.objects.count() == 1
    assert AssetVariant.objects.filter(asset_id=finished.asset_id).count() == 1

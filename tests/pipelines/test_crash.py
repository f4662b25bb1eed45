"""Crash recovery end to end: the whole qcluster killed again and again, then one worker left.

Every pipeline must still finish, exactly once (one asset each, no duplicate variants),
without waiting for django-q2 to re-present the jobs the dead clusters took (`retry`,
11 minutes): the reaper runs when a worker starts and re-enqueues lost jobs.
"""

import os
import random
import signal
import time

import pytest
from django_q.models import Schedule

from assets.models import Asset, AssetVariant
from pipelines.models import FINISHED_STATUSES, GenerationPipeline
from pipelines.schedules import schedules_ensure
from pipelines.services import pipeline_create
from tests.pipelines.providers import providers_env
from tests.processes import process_env, qcluster_args, running, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PIPELINES = 20
KILLS = 5
PROMPTS = ["a wooden crate", "an iron sword", "a clay pot", "a round shield"]


def worker_env(provider_dir, workers: int) -> dict[str, str]:
    return process_env(
        FORGE_PIPELINE_LEASE_SECONDS="2",
        FORGE_PIPELINE_HEARTBEAT_SECONDS="0.3",
        FORGE_Q_POLL="0.05",
        FORGE_Q_WORKERS=str(workers),
        FORGE_TEST_PROVIDER_DIR=str(provider_dir),
        **providers_env(),
    )


def claims() -> int:
    """Return how many runs have been started so far, over all pipelines."""
    return sum(GenerationPipeline.objects.values_list("attempt", flat=True))


def all_finished() -> bool:
    return not GenerationPipeline.objects.exclude(status__in=FINISHED_STATUSES).exists()


def test_every_pipeline_finishes_exactly_once_after_repeated_cluster_kills(
    user, presets, provider_dir, tmp_path, settings
):
    settings.FORGE_PIPELINE_MAX_ATTEMPTS = 20  # this test kills runs on purpose, many times
    schedules_ensure(Schedule)  # the minute reaper, as migrated (the test database was flushed)
    ids = [
        pipeline_create(
            user=user,
            config={
                "prompt": f"{PROMPTS[i % len(PROMPTS)]} number {i}",
                "quality": "draft",
                "presets": ["gold"] if i % 3 == 0 else [],
                "seed": i,
            },
        )[0].id
        for i in range(PIPELINES)
    ]
    chaos = random.Random(os.environ.get("FORGE_TEST_CRASH_SEED", "7"))

    for kill in range(KILLS):
        before = claims()
        with running(
            qcluster_args(), env=worker_env(provider_dir, 2), log_path=tmp_path / f"q{kill}.log"
        ) as cluster:
            # Kill at a random moment once this cluster has started work.
            wait_until(
                lambda before=before: claims() > before or all_finished(),
                timeout=60,
                what="the cluster to claim a pipeline",
            )
            time.sleep(chaos.uniform(0, 0.6))
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()

    last_log = tmp_path / "q-last.log"
    with running(qcluster_args(), env=worker_env(provider_dir, 1), log_path=last_log):
        wait_until(all_finished, timeout=240, interval=0.5, what="every pipeline to finish")

    pipelines = list(GenerationPipeline.objects.filter(id__in=ids))
    statuses = {p.status for p in pipelines}
    assert statuses == {"succeeded"}, last_log.read_text()[-3000:]
    assert Asset.objects.count() == PIPELINES
    assert len({p.asset_id for p in pipelines}) == PIPELINES
    for pipeline in pipelines:
        variants = list(
            AssetVariant.objects.filter(asset_id=pipeline.asset_id).values_list(
                "preset__slug", flat=True
            )
        )
        assert variants == pipeline.config["presets"]

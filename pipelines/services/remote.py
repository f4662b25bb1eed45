"""Remote tasks: a stage's paid remote work is remembered on its row, and waited for without a worker.

A step that hands work to a remote provider (Meshy) gets `StageRemoteTasks`: the provider
asks it for the task it already paid for at each step and tells it about each new one; the
`{step: task ID}` map is written to the stage's output (and `external_task_id`) with a
fenced, committed UPDATE before the provider waits, so a crash or a retry follows the same
task instead of paying for another. The map stays in the stage's output across retries.

Waiting: a provider follows a running task for at most `FORGE_PIPELINE_REMOTE_WAIT_SECONDS`
and then raises `RemoteTaskPending`. The run is *parked*: back to `queued` with
`next_attempt_at` a poll interval ahead, its lease released, the wait not counted as an
attempt, the stage left `running` with its progress. One waker job per cluster
(`pipelines_wake`, a singleton through a cache key) enqueues parked runs as they come due,
sleeping in between, so any number of waiting runs holds at most one worker, and that one
idle. The reaper's due-retry pass starts them too if the waker is gone.
"""

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from pipelines.models import GenerationPipeline, PipelineStage, PipelineStatus, StageStatus
from pipelines.providers.base import CREATE_MARKER, RemoteTaskPending, RemoteTasks
from pipelines.services.state import lease_clear, run_enqueue

log = structlog.get_logger("pipelines")

#: Output key of a stage's `{step: remote task ID}` map.
REMOTE_TASKS_KEY = "remote_tasks"
#: Output key counting how often the stage was parked (the poll interval grows with it).
REMOTE_WAITS_KEY = "remote_waits"
WAKE_TASK = "pipelines.tasks.pipelines_wake"
WAKER_CACHE_KEY = "pipelines:waker"
# The waker's cache key lapses this long after its worker stopped renewing it (killed).
WAKER_TTL_SECONDS = 30
# Longest gap between the waker's looks for newly parked runs.
WAKER_TICK_SECONDS = 1.0


class StageRemoteTasks:
    """The remote task IDs of one stage, kept in its output; hands providers `RemoteTasks`.

    `write(output, external_task_id)` is the engine's fenced write of the stage row
    (raises LeaseLost when the worker no longer owns the run).
    """

    def __init__(
        self,
        *,
        partial: dict[str, Any],
        write: Callable[..., None],
        owner: str,
        wait_seconds: float | None,
    ) -> None:
        self.ids: dict[str, str] = dict(partial.get(REMOTE_TASKS_KEY) or {})
        self.output: dict[str, Any] = dict(partial)
        self._write = write
        self._owner = owner
        self._wait_seconds = wait_seconds

    def hooks(self) -> RemoteTasks:
        """Return the hooks a provider call takes as `tasks`."""
        return RemoteTasks(
            resume_task_id=self.ids.get,
            remember_task_id=self.remember,
            owner=self._owner,
            wait_seconds=self._wait_seconds,
        )

    def remember(self, step: str, task_id: str) -> None:
        """Record `task_id` for `step` on the stage row and commit it before returning."""
        self.ids[step] = task_id
        self.output = {**self.output, REMOTE_TASKS_KEY: dict(self.ids)}
        if task_id.startswith(CREATE_MARKER):  # a create on the wire, not yet a task
            self._write(output=self.output)
            return
        self._write(output=self.output, external_task_id=task_id[:100])
        log.info("pipeline_remote_task_remembered", step=step, task_id=task_id)

    def merged(self, output: dict[str, Any]) -> dict[str, Any]:
        """Return `output` with the stage's remote task map (and wait count) kept in it."""
        merged = dict(output)
        if self.ids:
            merged[REMOTE_TASKS_KEY] = dict(self.ids)
        if REMOTE_WAITS_KEY in self.output:
            merged.setdefault(REMOTE_WAITS_KEY, self.output[REMOTE_WAITS_KEY])
        self.output = merged
        return merged


def remote_wait_seconds() -> float | None:
    """Return how long one provider call may follow a running remote task (None: to the end)."""
    wait = settings.FORGE_PIPELINE_REMOTE_WAIT_SECONDS
    return None if wait is None or wait < 0 else float(wait)


def remote_poll_seconds(waits: int) -> float:
    """Return when a run parked `waits` times before looks at its remote task again."""
    low = settings.FORGE_PIPELINE_REMOTE_POLL_MIN_SECONDS
    high = max(low, settings.FORGE_PIPELINE_REMOTE_POLL_MAX_SECONDS)
    return min(high, low * (1.5 ** max(0, waits)))


def park_mutate(name: str, remote: StageRemoteTasks, pending: RemoteTaskPending):
    """Return the fenced mutation that parks the run while stage `name`'s remote task runs.

    The claim counted an attempt; a wait is not one, so it is given back. A cancel that
    arrived meanwhile makes the run due at once, so a worker deletes the remote task.
    """

    def mutate(pipeline: GenerationPipeline, stages: dict[str, PipelineStage]):
        now = timezone.now()
        stage = stages[name]
        waits = int(remote.output.get(REMOTE_WAITS_KEY) or 0)
        stage.output = remote.merged({**remote.output, REMOTE_WAITS_KEY: waits + 1})
        pipeline.status = PipelineStatus.QUEUED
        pipeline.attempt = max(0, pipeline.attempt - 1)
        lease_clear(pipeline)
        if pipeline.cancel_requested_at is not None:
            pipeline.next_attempt_at = None
            run_enqueue(pipeline, now)
        else:
            delay = remote_poll_seconds(waits)
            pipeline.next_attempt_at = now + timedelta(seconds=delay)
            transaction.on_commit(waker_kick)
        pipeline.expires_at = (pipeline.next_attempt_at or now) + timedelta(
            seconds=settings.FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS
        )
        log.info(
            "pipeline_parked",
            stage=name,
            task_id=pending.task_id,
            waits=waits + 1,
            next_attempt_at=pipeline.next_attempt_at.isoformat()
            if pipeline.next_attempt_at
            else None,
        )
        return [stage]

    return mutate


def _parked():
    """Return the queued runs waiting on a remote task (a stage still `running`)."""
    return GenerationPipeline.objects.filter(
        status=PipelineStatus.QUEUED,
        next_attempt_at__isnull=False,
        stages__status=StageStatus.RUNNING,
    )


def remote_cancel_handoff(pipeline: GenerationPipeline, now: datetime) -> bool:
    """Hand the cancel of a parked run to a worker, which deletes its remote task; say if so.

    Called with the run locked and `cancel_requested_at` set. A queued run with no remote
    task running is canceled at once by the caller instead.
    """
    parked = PipelineStage.objects.filter(
        pipeline=pipeline, status=StageStatus.RUNNING, output__has_key=REMOTE_TASKS_KEY
    ).exists()
    if not parked:
        return False
    pipeline.next_attempt_at = None
    run_enqueue(pipeline, now)
    return True


def waker_kick() -> None:
    """Enqueue the waker unless one is running (an extra one exits at once)."""
    from django_q.tasks import async_task

    if cache.get(WAKER_CACHE_KEY) is None:
        async_task(WAKE_TASK)


def pipelines_wake(*, max_seconds: float | None = None) -> dict[str, int]:
    """Enqueue parked runs as their remote tasks come due; return counts. One runs at a time.

    Sleeps until the next run is due (looking again every `WAKER_TICK_SECONDS` for newly
    parked ones) and ends when none is left, or after `max_seconds` (well inside
    django-q2's timeout), handing over to a fresh waker job if runs are still parked.
    """
    from django_q.tasks import async_task

    from pipelines.services.maintenance import _enqueue_if as enqueue_if

    token = f"{time.monotonic_ns()}"
    if not cache.add(WAKER_CACHE_KEY, token, timeout=WAKER_TTL_SECONDS):
        return {"woken": 0, "skipped": 1}
    limit = max_seconds if max_seconds is not None else settings.Q_CLUSTER["timeout"] / 2
    ends = time.monotonic() + limit
    woken = 0
    try:
        while True:
            cache.set(WAKER_CACHE_KEY, token, timeout=WAKER_TTL_SECONDS)
            now = timezone.now()
            due = list(_parked().filter(next_attempt_at__lte=now).values_list("id", flat=True))
            for pipeline_id in due:
                if enqueue_if(pipeline_id, now, _due(now)):
                    woken += 1
            upcoming = (
                _parked()
                .filter(next_attempt_at__gt=now)
                .order_by("next_attempt_at")
                .values_list("next_attempt_at", flat=True)
                .first()
            )
            if upcoming is None:
                break
            if time.monotonic() >= ends:
                cache.delete(WAKER_CACHE_KEY)
                async_task(WAKE_TASK)
                return {"woken": woken, "skipped": 0}
            gap = (upcoming - timezone.now()).total_seconds()
            time.sleep(max(0.05, min(WAKER_TICK_SECONDS, gap)))
    finally:
        if cache.get(WAKER_CACHE_KEY) == token:
            cache.delete(WAKER_CACHE_KEY)
    # A run parked between the last look and the key's removal kicked no waker: look again.
    if _parked().exists():
        waker_kick()
    log.info("pipelines_woken", woken=woken)
    return {"woken": woken, "skipped": 0}


def _due(now: datetime):
    from django.db.models import Q

    return Q(next_attempt_at__lte=now)

"""django-q2 entry points: take IDs, call a service."""

import threading

import structlog
from django.db import connections

from pipelines import services
from pipelines.observe import reap_observe
from pipelines.services.maintenance import REAP_TASK

log = structlog.get_logger("pipelines")


def pipeline_run(pipeline_id: str) -> str | None:
    """Run pipeline `pipeline_id` if it is queued and due; return its final status."""
    pipeline = services.pipeline_run(pipeline_id=pipeline_id)
    return pipeline.status if pipeline is not None else None


def pipelines_reap() -> dict[str, int]:
    """Requeue or fail pipelines whose worker died, re-enqueue lost jobs, start due retries."""
    counts = services.pipelines_reap()
    reap_observe(counts)
    return counts


def pipelines_reap_on_worker_start(sender=None, proc_name: str = "", **kwargs) -> None:
    """django-q2's `post_spawn` signal: a worker process started; reap now and after a lease.

    The later pass is enqueued by a timer in this process when the lease has run out, not
    left to django-q2's scheduler, which ticks every 30 s: a cluster restarted after a crash
    hands back its dead runs about 30 s sooner. The one-off schedule stays as the fallback.
    """
    try:
        after = services.pipelines_reap_after_start()
    except Exception:  # a worker must start even when this fails; the schedule still reaps
        log.exception("pipelines_reap_after_start_failed", process=proc_name)
        return
    timer = threading.Timer(after, _reap_enqueue, kwargs={"proc_name": proc_name})
    timer.daemon = True  # never keeps a stopping worker alive; the schedule covers it
    with _timers_lock:
        _timers.append(timer)
    timer.start()


_timers: list[threading.Timer] = []
_timers_lock = threading.Lock()


def _reap_enqueue(proc_name: str) -> None:
    from django_q.tasks import async_task

    try:
        async_task(REAP_TASK)
    except Exception:  # the one-off schedule still reaps
        log.exception("pipelines_reap_enqueue_failed", process=proc_name)
    finally:
        connections.close_all()  # this thread's own connections
        with _timers_lock:
            if threading.current_thread() in _timers:  # this timer, done
                _timers.remove(threading.current_thread())


def reap_timers_cancel() -> None:
    """Cancel the delayed reaps this process has armed (a process stopping, or a test)."""
    with _timers_lock:
        for timer in _timers:
            timer.cancel()
        _timers.clear()


def pipelines_wake() -> dict[str, int]:
    """Enqueue runs parked on remote tasks as they come due (one waker at a time)."""
    return services.pipelines_wake()


def pipelines_cleanup() -> dict[str, int]:
    """Delete finished pipelines older than the retention period and leftover files."""
    return services.pipelines_cleanup()

"""Live-status events: what a pipeline's watchers receive after every committed state change.

Every message sent to the channel layer is
`{"type": "pipelines.updated", "event": pipeline_event_build(pipeline)}` and goes to two
groups: the pipeline's own (`pipeline_group_name`) and its owner's
(`pipeline_user_group_name`). `event["seq"]` is the pipeline's `event_seq`, incremented in
the same transaction as the change it describes, so a watcher that sees a gap knows it
missed something and can ask for a fresh snapshot.
"""

import asyncio
import atexit
import os
import threading
from typing import Any

import structlog
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from pipelines.models import GenerationPipeline

log = structlog.get_logger("pipelines.events")

EVENT_TYPE = "pipelines.updated"
# How long a committed change may wait for the channel layer before the publish is dropped.
PUBLISH_TIMEOUT_SECONDS = 5.0


def pipeline_group_name(pipeline_id) -> str:
    """Return the channel group of one pipeline's watchers."""
    hex_id = pipeline_id.hex if hasattr(pipeline_id, "hex") else str(pipeline_id).replace("-", "")
    return f"pipelines.pipeline.{hex_id}"


def pipeline_user_group_name(user_id) -> str:
    """Return the channel group of everyone watching all of one user's pipelines."""
    return f"pipelines.user.{user_id}"


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def pipeline_event_build(pipeline: GenerationPipeline, stages=None) -> dict[str, Any]:
    """Return the JSON-safe snapshot of `pipeline` that watchers receive.

    Reads the stages unless given (or prefetched with `prefetch_related("stages")`) and,
    once the pipeline has one, its asset.
    """
    stages = sorted(pipeline.stages.all() if stages is None else stages, key=lambda s: s.order)
    error = None
    if pipeline.error_code:
        error = {
            "code": pipeline.error_code,
            "message": pipeline.error_message,
            "retryable": pipeline.error_retryable,
        }
    asset_id = None
    thumbnail_url = None
    if pipeline.asset_id is not None:
        asset_id = str(pipeline.asset_id)
        asset = pipeline.asset
        if asset is not None and asset.thumbnail:
            thumbnail_url = asset.thumbnail.url
    return {
        "pipeline_id": str(pipeline.id),
        "seq": pipeline.event_seq,
        "prompt": (pipeline.config or {}).get("prompt", ""),
        "status": pipeline.status,
        "progress": pipeline.progress,
        "current_stage": pipeline.current_stage or None,
        "stages": [
            {
                "name": stage.name,
                "order": stage.order,
                "status": stage.status,
                "progress": stage.progress,
            }
            for stage in stages
        ],
        "error": error,
        "cancel_requested": pipeline.cancel_requested_at is not None,
        "attempt": pipeline.attempt,
        "asset_id": asset_id,
        "thumbnail_url": thumbnail_url,
        "request_id": pipeline.request_id or None,
        "updated_at": _iso(pipeline.updated_at or timezone.now()),
    }


class _Publisher:
    """Send group messages from sync code through one long-lived event loop per process.

    `async_to_sync` from a thread without a loop makes a new loop (and a new Redis
    connection) per call; one loop thread keeps one connection pool. Messages go through
    a FIFO queue drained by a single coroutine, so they reach Redis in commit order and
    the committing thread never waits for the network.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue | None = None
        self._pid: int | None = None
        self._pending = 0
        self._idle = threading.Condition()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is not None and self._pid == os.getpid() and self._loop.is_running():
                return self._loop
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                self._queue = asyncio.Queue()
                loop.create_task(self._drain())
                loop.call_soon(ready.set)
                loop.run_forever()

            threading.Thread(target=run, name="pipelines-events", daemon=True).start()
            ready.wait(5)
            self._loop, self._pid, self._pending = loop, os.getpid(), 0
            return loop

    async def _drain(self) -> None:
        layer = get_channel_layer()
        while True:
            groups, message = await self._queue.get()
            try:
                for group in groups:
                    await asyncio.wait_for(
                        layer.group_send(group, message), timeout=PUBLISH_TIMEOUT_SECONDS
                    )
            except Exception:  # publishing must never fail the pipeline
                log.exception(
                    "pipeline_event_publish_failed",
                    groups=groups,
                    seq=message.get("event", {}).get("seq"),
                )
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def send(self, groups: list[str], message: dict[str, Any]) -> None:
        try:
            loop = self._start()
            with self._idle:
                self._pending += 1
            loop.call_soon_threadsafe(self._queue.put_nowait, (groups, message))
        except Exception:  # publishing must never fail the pipeline
            log.exception("pipeline_event_publish_failed", groups=groups)

    def flush(self, timeout: float) -> bool:
        """Wait until every queued message was sent (or failed); False on timeout."""
        if self._pid != os.getpid():
            return True
        with self._idle:
            return self._idle.wait_for(lambda: self._pending <= 0, timeout=timeout)


_publisher = _Publisher()


def pipeline_event_publish(event: dict[str, Any], *, user_id) -> None:
    """Queue `event` for the pipeline's and its owner's groups; failures are only logged."""
    message = {"type": EVENT_TYPE, "event": event}
    groups = [pipeline_group_name(event["pipeline_id"]), pipeline_user_group_name(user_id)]
    _publisher.send(groups, message)


def pipeline_events_flush(timeout: float = PUBLISH_TIMEOUT_SECONDS) -> bool:
    """Wait until this process's queued events are sent; return False if `timeout` passed."""
    return _publisher.flush(timeout)


atexit.register(pipeline_events_flush, 2.0)


def pipeline_event_publish_on_commit(pipeline: GenerationPipeline, stages=None) -> dict[str, Any]:
    """Snapshot `pipeline` now and publish it once the current transaction commits.

    The snapshot is taken inside the transaction, so the event describes exactly the
    committed change; a rollback discards it unannounced.
    """
    event = pipeline_event_build(pipeline, stages)
    user_id = pipeline.user_id
    transaction.on_commit(lambda: pipeline_event_publish(event, user_id=user_id))
    return event

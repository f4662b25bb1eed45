"""The safe way to cause side effects from a service: only once the transaction commits."""

import asyncio
import atexit
import os
import threading
from typing import Any

import structlog
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

log = structlog.get_logger("forge.oncommit")


def enqueue_on_commit(func: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue the django-q2 task `func` so workers see it only if the transaction commits.

    With the ORM broker on the default database the queue row is written inside the
    current transaction: it commits or rolls back with the rows that caused it, so a
    crash between the two can neither lose the job nor run it for a rolled-back row.
    Any other broker is enqueued after commit.
    """
    from django_q.tasks import async_task

    q = settings.Q_CLUSTER
    if q.get("sync") or q.get("orm") != "default":
        transaction.on_commit(lambda: async_task(func, *args, **kwargs))
        return
    async_task(func, *args, **kwargs)


# How long a committed change may wait for the channel layer before its message is dropped.
BROADCAST_TIMEOUT_SECONDS = 5.0
# Messages taken from the queue at once; their groups are sent to concurrently.
MAX_BATCH = 200


class _Broadcaster:
    """Send group messages from sync code through one long-lived event loop per process.

    `async_to_sync` from a thread without a loop makes a new loop (and a new Redis
    connection) per call; one loop thread keeps one connection pool. Messages go through
    a FIFO queue drained by a single coroutine, so each group's messages reach Redis in
    commit order, and the committing thread never waits for the network.
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

            threading.Thread(target=run, name="forge-broadcast", daemon=True).start()
            ready.wait(5)
            self._loop, self._pid, self._pending = loop, os.getpid(), 0
            return loop

    async def _drain(self) -> None:
        layer = get_channel_layer()
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            # Each group's messages stay in queue order; different groups go out concurrently,
            # so Redis round trips overlap instead of capping the rate at one send at a time.
            per_group: dict[str, list[dict[str, Any]]] = {}
            for groups, message in batch:
                for group in groups:
                    per_group.setdefault(group, []).append(message)
            await asyncio.gather(*(self._send_in_order(layer, g, m) for g, m in per_group.items()))
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    @staticmethod
    async def _send_in_order(layer, group: str, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            try:
                await asyncio.wait_for(
                    layer.group_send(group, message), timeout=BROADCAST_TIMEOUT_SECONDS
                )
            except Exception:  # publishing must never fail the work that caused it
                log.exception("broadcast_failed", group=group, message_type=message.get("type"))

    def send(self, groups: list[str], message: dict[str, Any]) -> None:
        try:
            loop = self._start()
            with self._idle:
                self._pending += 1
            loop.call_soon_threadsafe(self._queue.put_nowait, (groups, message))
        except Exception:  # publishing must never fail the work that caused it
            log.exception("broadcast_failed", groups=groups, message_type=message.get("type"))

    def flush(self, timeout: float) -> bool:
        """Wait until every queued message was sent (or failed); False on timeout."""
        if self._pid != os.getpid():
            return True
        with self._idle:
            return self._idle.wait_for(lambda: self._pending <= 0, timeout=timeout)


_broadcaster = _Broadcaster()


def broadcast(groups: str | list[str], message: dict[str, Any]) -> None:
    """Queue `message` for the channel `groups` now; it is sent in order, failures only logged."""
    _broadcaster.send([groups] if isinstance(groups, str) else list(groups), message)


def broadcast_flush(timeout: float = BROADCAST_TIMEOUT_SECONDS) -> bool:
    """Wait until this process's queued messages are sent; return False if `timeout` passed."""
    return _broadcaster.flush(timeout)


atexit.register(broadcast_flush, 2.0)


def broadcast_on_commit(groups: str | list[str], message: dict[str, Any]) -> None:
    """Send `message` to `groups` after the current transaction commits, never if it rolls back."""
    transaction.on_commit(lambda: broadcast(groups, message))

"""Websocket consumers that push pipeline state to browsers and API clients; nobody polls.

Frames sent to the client (JSON):

- `{"type": "snapshot", "pipeline": {...}}` on connect and after a `resync` (one pipeline), or
  `{"type": "snapshot", "pipelines": [{...}, ...]}` (all of a user's recent pipelines);
- `{"type": "update", "pipeline": {...}}` after every committed change;
- `{"type": "ping"}` every `PING_INTERVAL_SECONDS` so idle connections stay open through
  proxies and clients can tell a dead connection from a quiet one.

Each pipeline dict is `pipelines.events.pipeline_event_build`'s snapshot; its `seq` only grows,
so a client that sees a gap sends `{"type": "resync"}` and gets a fresh snapshot. Updates that
are not newer than what the connection already sent are dropped, so a client never sees a
pipeline go backwards.

Close codes: 4401 not signed in (or a bad token), 4404 no such pipeline or not yours, 4429
the address is locked out for wrong tokens (after an `error` frame saying for how long).

What a client sends is bounded before any work: a frame longer than `MAX_MESSAGE_CHARS`,
nested deeper than `MAX_MESSAGE_DEPTH`, binary, or not JSON gets an `error` frame; a
`resync` costs a database read, so each connection may send `RESYNC_BURST` at once and then
one per `1 / RESYNC_PER_SECOND` seconds (more get an `error` frame saying when to retry).
"""

import asyncio
import time
import uuid

import structlog
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from forge import tracing
from forge.auththrottle import wait_phrase
from forge.exceptions import NotFoundError
from forge.parsers import json_too_deep
from forge.wsauth import TOKEN_SUBPROTOCOL
from forge.wsdb import consumer_database_sync_to_async
from pipelines.events import pipeline_event_build, pipeline_group_name, pipeline_user_group_name
from pipelines.models import PipelineKind
from pipelines.observe import ws_connections, ws_events_dropped, ws_events_sent
from pipelines.selectors import pipeline_get_for_user, pipeline_list

log = structlog.get_logger("pipelines.consumers")

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_LOCKED_OUT = 4429
PING_INTERVAL_SECONDS = 25
USER_SNAPSHOT_LIMIT = 50
MAX_MESSAGE_CHARS = 1024
MAX_MESSAGE_DEPTH = 4
RESYNC_BURST = 5
RESYNC_PER_SECOND = 1.0
UNKNOWN_MESSAGE = 'Unknown message; send {"type": "resync"} or {"type": "ping"}.'


@consumer_database_sync_to_async
def _pipeline_snapshot(user, pipeline_id) -> dict | None:
    try:
        pipeline = pipeline_get_for_user(user=user, pipeline_id=pipeline_id)
    except NotFoundError:
        return None
    return pipeline_event_build(pipeline)


@consumer_database_sync_to_async
def _user_snapshot(user) -> list[dict]:
    pipelines = pipeline_list(user=user).filter(user=user)[:USER_SNAPSHOT_LIMIT]
    return [pipeline_event_build(pipeline) for pipeline in pipelines]


class _PipelineWatcher(AsyncJsonWebsocketConsumer):
    """Shared behaviour: authentication, the subprotocol answer, pings, ordering by `seq`."""

    groups: list[str] = []

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.sent_seq: dict[str, int] = {}
        self.watch_groups: list[str] = []
        self.ping_task: asyncio.Task | None = None
        subprotocol = TOKEN_SUBPROTOCOL if self.scope.get("token_auth") else None
        locked_out = self.scope.get("token_locked_out_seconds")
        if locked_out:
            await self.accept(subprotocol=subprotocol)
            await self.send_json(
                {
                    "type": "error",
                    "message": "Too many wrong tokens from your address. "
                    f"Try again {wait_phrase(locked_out)}.",
                    "retry_after_seconds": locked_out,
                }
            )
            await self.close(code=CLOSE_LOCKED_OUT)
            return
        if self.user is None or not self.user.is_authenticated:
            await self.refuse(CLOSE_NOT_AUTHENTICATED, subprotocol)
            return
        self.watch_groups = self.groups_for_connection()
        if self.watch_groups is None:
            await self.refuse(CLOSE_NOT_FOUND, subprotocol)
            return
        # Join the groups before reading the snapshot: a change committed meanwhile arrives
        # afterwards and is dropped if the snapshot already covers it. One query answers both
        # "may this user watch?" and "what is the state now?".
        for group in self.watch_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        snapshot = await self.snapshot()
        if snapshot is None:
            await self.leave_groups()
            await self.refuse(CLOSE_NOT_FOUND, subprotocol)
            return
        await self.accept(subprotocol=subprotocol)
        self.counted = True
        ws_connections.inc()
        await self.send_snapshot(snapshot)
        self.ping_task = asyncio.create_task(self.ping_forever())

    async def refuse(self, code: int, subprotocol: str | None) -> None:
        """Accept, then close with `code`: a handshake refused outright reaches browsers as 1006."""
        await self.accept(subprotocol=subprotocol)
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "ping_task", None) is not None:
            self.ping_task.cancel()
        if getattr(self, "counted", False):
            self.counted = False
            ws_connections.dec()
        await self.leave_groups()

    async def leave_groups(self) -> None:
        for group in getattr(self, "watch_groups", None) or []:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self.send_json({"type": "error", "message": UNKNOWN_MESSAGE})
            return
        await super().receive(text_data=text_data, **kwargs)

    def resync_allowed(self) -> float:
        """Take one resync from this connection's bucket; return 0, or the seconds to wait."""
        now = time.monotonic()
        tokens, at = getattr(self, "resync_bucket", (float(RESYNC_BURST), now))
        tokens = min(float(RESYNC_BURST), tokens + (now - at) * RESYNC_PER_SECOND)
        if tokens < 1:
            self.resync_bucket = (tokens, now)
            return (1 - tokens) / RESYNC_PER_SECOND
        self.resync_bucket = (tokens - 1, now)
        return 0.0

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            wait = self.resync_allowed()
            if wait:
                await self.send_json(
                    {
                        "type": "error",
                        "message": f"Too many resyncs; send the next in {wait:.1f} s.",
                        "retry_after_seconds": round(wait, 1),
                    }
                )
                return
            snapshot = await self.snapshot()
            if snapshot is None:  # deleted by the retention job while watched
                await self.close(code=CLOSE_NOT_FOUND)
                return
            await self.send_snapshot(snapshot)
        elif isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "message": UNKNOWN_MESSAGE})

    async def decode_json(self, text_data):
        if json_too_deep(text_data, MAX_MESSAGE_DEPTH):
            return None
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def pipelines_updated(self, message: dict) -> None:
        """Forward a committed change unless this connection already sent something as new."""
        event = message["event"]
        if not self.wants(event):
            ws_events_dropped.labels("other").inc()
            return
        pipeline_id = event["pipeline_id"]
        if event["seq"] <= self.sent_seq.get(pipeline_id, -1):
            ws_events_dropped.labels("stale").inc()
            return
        self.sent_seq[pipeline_id] = event["seq"]
        with tracing.span(
            "pipeline.ws_send",
            kind=tracing.SpanKind.PRODUCER,
            carrier=event.get("trace"),
            attributes={"forge.pipeline_id": pipeline_id, "forge.seq": event["seq"]},
        ):
            await self.send_json({"type": "update", "pipeline": event})
        ws_events_sent.inc()

    async def ping_forever(self) -> None:
        while True:
            await asyncio.sleep(PING_INTERVAL_SECONDS)
            await self.send_json({"type": "ping"})

    def wants(self, event: dict) -> bool:
        return True

    # Subclasses define `groups_for_connection()` (the groups to join, None to refuse),
    # `snapshot()` (the current state, None if the user may not see it) and
    # `send_snapshot(snapshot)`.


class PipelineConsumer(_PipelineWatcher):
    """`/ws/pipelines/<id>/`: one pipeline, for its owner or staff."""

    def groups_for_connection(self) -> list[str] | None:
        try:
            self.pipeline_id = uuid.UUID(str(self.scope["url_route"]["kwargs"]["pipeline_id"]))
        except ValueError:
            return None
        return [pipeline_group_name(self.pipeline_id)]

    async def snapshot(self) -> dict | None:
        return await _pipeline_snapshot(self.user, self.pipeline_id)

    async def send_snapshot(self, snapshot: dict) -> None:
        # A snapshot is the truth now, even if older than an update already sent.
        self.sent_seq[snapshot["pipeline_id"]] = snapshot["seq"]
        await self.send_json({"type": "snapshot", "pipeline": snapshot})

    def wants(self, event: dict) -> bool:
        return event["pipeline_id"] == str(self.pipeline_id)


class UserPipelinesConsumer(_PipelineWatcher):
    """`/ws/pipelines/`: every pipeline of the signed-in user."""

    def groups_for_connection(self) -> list[str] | None:
        return [pipeline_user_group_name(self.user.pk)]

    async def snapshot(self) -> list[dict]:
        return await _user_snapshot(self.user)

    def wants(self, event: dict) -> bool:
        # Generation runs only: exports are watched one by one (their own pages).
        return event.get("kind", PipelineKind.GENERATION) == PipelineKind.GENERATION

    async def send_snapshot(self, snapshots: list[dict]) -> None:
        for snapshot in snapshots:
            self.sent_seq[snapshot["pipeline_id"]] = snapshot["seq"]
        await self.send_json({"type": "snapshot", "pipelines": snapshots})

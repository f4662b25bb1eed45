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

Close codes: 4401 not signed in (or a bad token), 4404 no such pipeline or not yours.
"""

import asyncio
import uuid

import structlog
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from forge import tracing
from forge.exceptions import NotFoundError
from forge.wsauth import TOKEN_SUBPROTOCOL
from forge.wsdb import consumer_database_sync_to_async
from pipelines.events import pipeline_event_build, pipeline_group_name, pipeline_user_group_name
from pipelines.models import PipelineKind
from pipelines.observe import ws_connections, ws_events_dropped, ws_events_sent
from pipelines.selectors import pipeline_get_for_user, pipeline_list

log = structlog.get_logger("pipelines.consumers")

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
PING_INTERVAL_SECONDS = 25
USER_SNAPSHOT_LIMIT = 50


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

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            snapshot = await self.snapshot()
            if snapshot is None:  # deleted by the retention job while watched
                await self.close(code=CLOSE_NOT_FOUND)
                return
            await self.send_snapshot(snapshot)
        elif isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json(
                {"type": "error", "message": 'Unknown message; send {"type": "resync"}.'}
            )

    async def decode_json(self, text_data):
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

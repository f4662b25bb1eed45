"""Live status over websockets, through the real ASGI stack and the real Redis channel layer."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from forge.asgi import application
from forge.oncommit import broadcast_flush
from pipelines import consumers
from pipelines.consumers import CLOSE_LOCKED_OUT, CLOSE_NOT_AUTHENTICATED, CLOSE_NOT_FOUND
from pipelines.events import pipeline_event_publish_on_commit
from pipelines.models import GenerationPipeline
from pipelines.services import pipeline_cancel, pipeline_create, pipeline_run
from tests.factories import ApiTokenFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://localhost")
CONFIG = {"prompt": "a short iron sword", "quality": "draft", "art_style": "low_poly", "seed": 7}


@sync_to_async
def make_user(**kwargs):
    return UserFactory(**kwargs)


@sync_to_async
def make_pipeline(user, **config):
    pipeline, _ = pipeline_create(user=user, config={**CONFIG, **config}, enqueue=False)
    return pipeline


@sync_to_async
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(path: str, *, user=None, headers=None, subprotocols=None):
    headers = list(headers or [ORIGIN])
    if user is not None:
        headers.append((b"cookie", await session_cookie(user)))
    communicator = WebsocketCommunicator(
        application, path, headers=headers, subprotocols=subprotocols
    )
    connected, detail = await communicator.connect(timeout=5)
    return communicator, connected, detail


async def refused_with(path: str, *, user=None, subprotocols=None) -> int:
    """Connect and return the close code the server sent right after accepting."""
    communicator, connected, _ = await connect(path, user=user, subprotocols=subprotocols)
    assert connected
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    return output["code"]


async def receive(communicator, timeout: float = 5) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] != "ping":
            return frame


async def test_anonymous_connections_are_refused_with_4401():
    user = await make_user()
    pipeline = await make_pipeline(user)
    for path in (f"/ws/pipelines/{pipeline.id}/", "/ws/pipelines/"):
        assert await refused_with(path) == CLOSE_NOT_AUTHENTICATED


async def test_someone_elses_pipeline_is_refused_with_4404():
    owner, stranger = await make_user(), await make_user()
    pipeline = await make_pipeline(owner)
    assert await refused_with(f"/ws/pipelines/{pipeline.id}/", user=stranger) == CLOSE_NOT_FOUND
    assert await refused_with("/ws/pipelines/not-a-uuid/", user=owner) == CLOSE_NOT_FOUND


async def test_a_foreign_origin_is_refused():
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, connected, _ = await connect(
        f"/ws/pipelines/{pipeline.id}/", user=user, headers=[(b"origin", b"http://evil.example")]
    )
    assert connected is False


async def test_the_owner_gets_a_snapshot_on_connect():
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, connected, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=user)
    assert connected
    frame = await receive(communicator)
    assert frame["type"] == "snapshot"
    snapshot = frame["pipeline"]
    assert snapshot["pipeline_id"] == str(pipeline.id)
    assert snapshot["status"] == "queued"
    assert snapshot["seq"] == pipeline.event_seq
    assert [s["name"] for s in snapshot["stages"]][0] == "prepare"
    assert {"progress", "current_stage", "error", "asset_id", "thumbnail_url", "request_id"} <= set(
        snapshot
    )
    await communicator.disconnect()


async def test_an_api_token_authenticates_through_the_subprotocol():
    user = await make_user()
    token = await sync_to_async(ApiTokenFactory)(user=user)
    pipeline = await make_pipeline(user)
    communicator, connected, subprotocol = await connect(
        f"/ws/pipelines/{pipeline.id}/", subprotocols=["forge.token", token.raw]
    )
    assert connected
    assert subprotocol == "forge.token"
    assert (await receive(communicator))["type"] == "snapshot"
    await communicator.disconnect()
    code = await refused_with(
        f"/ws/pipelines/{pipeline.id}/", subprotocols=["forge.token", "forge_wrong"]
    )
    assert code == CLOSE_NOT_AUTHENTICATED


async def test_wrong_tokens_lock_the_address_out_as_on_the_api(settings):
    from forge.models import ApiToken

    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 2
    user = await make_user()
    token = await sync_to_async(ApiTokenFactory)(user=user)
    pipeline = await make_pipeline(user)
    path = f"/ws/pipelines/{pipeline.id}/"

    async def attempt(raw: str, address: str):
        communicator = WebsocketCommunicator(
            application, path, headers=[ORIGIN], subprotocols=["forge.token", raw]
        )
        communicator.scope["client"] = (address, 50000)  # before the application runs
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        return communicator

    for n in range(2):
        wrong = await attempt(f"forge_guess{n}", "10.5.5.5")
        assert (await wrong.receive_output(timeout=5))["code"] == CLOSE_NOT_AUTHENTICATED
    # Locked out: the right token is refused too, told how long for, and nothing is written.
    locked = await attempt(token.raw, "10.5.5.5")
    frame = await receive(locked)
    assert frame["type"] == "error" and "Too many wrong tokens" in frame["message"]
    assert 0 < frame["retry_after_seconds"] <= settings.FORGE_AUTH_FAILURE_WINDOW_SECONDS
    assert (await locked.receive_output(timeout=5))["code"] == CLOSE_LOCKED_OUT
    stored = await sync_to_async(ApiToken.objects.get)(pk=token.pk)
    assert stored.last_used_at is None
    # Another address is not affected.
    other = await attempt(token.raw, "10.5.5.6")
    assert (await receive(other))["type"] == "snapshot"
    await other.disconnect()
    # The counter is the API's own: the socket's failures lock the API out too...
    api = Client(REMOTE_ADDR="10.5.5.5", HTTP_AUTHORIZATION=f"Bearer {token.raw}")
    refused = await sync_to_async(api.get)("/api/v1/tokens/")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    # ...and the API's failures lock the socket.
    guesser = Client(REMOTE_ADDR="10.5.5.8", HTTP_AUTHORIZATION="Bearer forge_guess")
    for _ in range(2):
        assert (await sync_to_async(guesser.get)("/api/v1/tokens/")).status_code == 401
    locked = await attempt(token.raw, "10.5.5.8")
    assert (await receive(locked))["type"] == "error"
    assert (await locked.receive_output(timeout=5))["code"] == CLOSE_LOCKED_OUT


@pytest.mark.parametrize("raw", ["forge_\ud800lone", "forge_\x00nul", "x" * 5000, "é"])
async def test_odd_tokens_are_refused_like_wrong_ones(raw):
    user = await make_user()
    pipeline = await make_pipeline(user)
    code = await refused_with(f"/ws/pipelines/{pipeline.id}/", subprotocols=["forge.token", raw])
    assert code == CLOSE_NOT_AUTHENTICATED


async def test_staff_may_watch_any_pipeline():
    owner, staff = await make_user(), await make_user(is_staff=True)
    pipeline = await make_pipeline(owner)
    communicator, connected, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=staff)
    assert connected
    assert (await receive(communicator))["pipeline"]["pipeline_id"] == str(pipeline.id)
    await communicator.disconnect()


async def test_a_run_arrives_in_order_and_ends_succeeded():
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, connected, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=user)
    assert connected
    seqs = [(await receive(communicator))["pipeline"]["seq"]]
    await sync_to_async(pipeline_run)(pipeline_id=pipeline.id)
    last = None
    while last is None or last["status"] not in {"succeeded", "failed"}:
        frame = await receive(communicator)
        assert frame["type"] == "update"
        last = frame["pipeline"]
        seqs.append(last["seq"])
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert last["status"] == "succeeded"
    assert last["progress"] == 100
    assert last["asset_id"] and last["thumbnail_url"]
    assert all(stage["status"] == "succeeded" for stage in last["stages"])
    await communicator.disconnect()


async def test_resync_sends_a_fresh_snapshot():
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, connected, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=user)
    await receive(communicator)
    await communicator.send_json_to({"type": "resync"})
    frame = await receive(communicator)
    assert frame["type"] == "snapshot"
    assert frame["pipeline"]["pipeline_id"] == str(pipeline.id)
    await communicator.send_to(text_data="not json")
    assert (await receive(communicator))["type"] == "error"
    await communicator.disconnect()


async def test_odd_frames_get_an_error_frame_and_the_connection_stays_open():
    """A 100,000-deep JSON array once closed the socket with 1011 (RecursionError)."""
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, _, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=user)
    await receive(communicator)
    for frame in [
        {"text_data": "[" * 100_000 + "]" * 100_000},
        {"text_data": '{"type": "resync", "pad": "' + "x" * 5000 + '"}'},
        {"bytes_data": b"\x00\xff binary"},
        {"text_data": '{"type": [[[[[["resync"]]]]]]}'},
        {"text_data": "\ud800"},
    ]:
        await communicator.send_to(**frame)
        answer = await receive(communicator)
        assert answer["type"] == "error" and "resync" in answer["message"]
    await communicator.send_json_to({"type": "ping"})
    assert (await receive(communicator))["type"] == "pong"
    await communicator.disconnect()


async def test_a_resync_flood_costs_a_few_reads_then_error_frames():
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, _, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=user)
    await receive(communicator)
    for _ in range(50):
        await communicator.send_json_to({"type": "resync"})
    answers = [await receive(communicator) for _ in range(50)]
    snapshots = [a for a in answers if a["type"] == "snapshot"]
    refused = [a for a in answers if a["type"] == "error"]
    # The burst, plus at most a few refilled while 50 frames were handled.
    assert consumers.RESYNC_BURST <= len(snapshots) < consumers.RESYNC_BURST + 10
    assert len(snapshots) + len(refused) == 50
    assert refused[0]["retry_after_seconds"] > 0
    assert "Too many resyncs" in refused[0]["message"]
    await communicator.disconnect()


async def test_a_rolled_back_change_is_never_announced():
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, connected, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=user)
    await receive(communicator)

    @sync_to_async
    def change_and_roll_back():
        try:
            with transaction.atomic():
                locked = GenerationPipeline.objects.select_for_update().get(pk=pipeline.pk)
                locked.progress = 50
                locked.event_seq += 1
                locked.save(update_fields=["progress", "event_seq"])
                pipeline_event_publish_on_commit(locked)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass

    await change_and_roll_back()
    await sync_to_async(broadcast_flush)()  # anything published would be in Redis by now
    assert await communicator.receive_nothing(timeout=1)
    await sync_to_async(pipeline_cancel)(pipeline=pipeline)
    frame = await receive(communicator)
    assert frame["pipeline"]["status"] == "canceled"
    assert frame["pipeline"]["progress"] != 50
    await communicator.disconnect()


async def test_the_user_stream_carries_only_the_users_own_pipelines():
    alice, bob = await make_user(), await make_user()
    alices = await make_pipeline(alice)
    bobs = await make_pipeline(bob)
    communicator, connected, _ = await connect("/ws/pipelines/", user=alice)
    assert connected
    snapshot = await receive(communicator)
    assert snapshot["type"] == "snapshot"
    assert [p["pipeline_id"] for p in snapshot["pipelines"]] == [str(alices.id)]
    await sync_to_async(pipeline_cancel)(pipeline=bobs)
    await sync_to_async(broadcast_flush)()  # Bob's event has left this process
    assert await communicator.receive_nothing(timeout=1)
    await sync_to_async(pipeline_cancel)(pipeline=alices)
    frame = await receive(communicator)
    assert frame["type"] == "update"
    assert frame["pipeline"]["pipeline_id"] == str(alices.id)
    assert frame["pipeline"]["status"] == "canceled"
    await communicator.disconnect()


@pytest.mark.e2e  # slow: it must stay idle past redis-py's 5 s read timeout
async def test_a_consumer_idle_for_more_than_ten_seconds_still_receives_events():
    # channels_redis with redis-py 8 used to drop blocking reads after 5 s (issue #422).
    user = await make_user()
    pipeline = await make_pipeline(user)
    communicator, connected, _ = await connect(f"/ws/pipelines/{pipeline.id}/", user=user)
    await receive(communicator)
    await asyncio.sleep(11)
    await sync_to_async(pipeline_cancel)(pipeline=pipeline)
    frame = await receive(communicator)
    assert frame["pipeline"]["status"] == "canceled"
    await communicator.disconnect()


async def test_many_watchers_joining_and_leaving_at_once_do_not_exhaust_the_redis_pool():
    # redis-py 8 caps a pool at 100 connections and raises instead of waiting.
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channels = [await layer.new_channel() for _ in range(300)]
    await asyncio.gather(*(layer.group_add("pipelines.burst", c) for c in channels))
    await asyncio.gather(*(layer.group_discard("pipelines.burst", c) for c in channels))

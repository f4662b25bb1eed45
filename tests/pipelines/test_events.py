"""Live-status publishing through the real Redis channel layer."""

import asyncio
from datetime import datetime

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from forge.oncommit import broadcast_flush
from pipelines.events import EVENT_TYPE, pipeline_group_name, pipeline_user_group_name
from pipelines.services import pipeline_cancel, pipeline_create, pipeline_run

pytestmark = pytest.mark.django_db(transaction=True)


CONFIG = {"prompt": "a wooden treasure chest", "kind": "prop", "quality": "draft"}


async def receive_until(layer, channel, statuses, *, timeout=10.0):
    events = []
    while True:
        message = await asyncio.wait_for(layer.receive(channel), timeout)
        assert message["type"] == EVENT_TYPE
        events.append(message["event"])
        if message["event"]["status"] in statuses:
            return events


def create(user, **overrides):
    pipeline = pipeline_create(user=user, config={**CONFIG, **overrides}, request_id="req-123")[0]
    broadcast_flush()  # the creation event is out before a test starts listening
    return pipeline


async def test_every_change_reaches_both_groups_in_order_with_the_full_snapshot(user, presets):
    layer = get_channel_layer()
    watch_pipeline = await layer.new_channel()
    watch_user = await layer.new_channel()
    await layer.group_add(pipeline_user_group_name(user.id), watch_user)

    pipeline = await sync_to_async(create)(user, presets=["gold", "oak"])
    await layer.group_add(pipeline_group_name(pipeline.id), watch_pipeline)
    created = (await receive_until(layer, watch_user, {"queued"}))[0]
    assert created["seq"] == 1 and created["pipeline_id"] == str(pipeline.id)
    assert created["request_id"] == "req-123" and created["progress"] == 0
    assert [s["name"] for s in created["stages"]] == [
        "prepare",
        "generate_mesh",
        "optimize",
        "texture_variants",
        "thumbnail",
        "publish",
    ]

    await sync_to_async(pipeline_run)(pipeline_id=pipeline.id)
    events = await receive_until(layer, watch_pipeline, {"succeeded", "failed"})
    events = [e for e in events if e["seq"] > 1]  # joined the group around the creation event
    user_events = await receive_until(layer, watch_user, {"succeeded", "failed"})

    assert [e["seq"] for e in events] == list(range(2, 2 + len(events)))
    assert [e["seq"] for e in user_events] == [e["seq"] for e in events]
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress) and progress[-1] == 100
    for name in ("prepare", "generate_mesh", "optimize", "texture_variants", "thumbnail"):
        seen = [next(s["status"] for s in e["stages"] if s["name"] == name) for e in events]
        assert "running" in seen and seen[-1] == "succeeded"
        assert seen.index("running") < seen.index("succeeded")
    final = events[-1]
    assert final["status"] == "succeeded" and final["error"] is None
    assert final["asset_id"] and final["thumbnail_url"].endswith("thumbnail.png")
    assert final["request_id"] == "req-123"
    # Progress ticks (same stages, only progress changed) are at least 0.2 s apart.
    for before, after in zip(events, events[1:], strict=False):
        if [s["status"] for s in before["stages"]] == [s["status"] for s in after["stages"]]:
            gap = datetime.fromisoformat(after["updated_at"]) - datetime.fromisoformat(
                before["updated_at"]
            )
            assert gap.total_seconds() >= 0.19


async def test_a_rolled_back_change_is_never_announced(user):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    pipeline = await sync_to_async(create)(user)
    await layer.group_add(pipeline_group_name(pipeline.id), channel)

    def cancel_then_fail():
        with transaction.atomic():
            pipeline_cancel(pipeline=pipeline)
            raise RuntimeError("the transaction fails after the change")

    with pytest.raises(RuntimeError):
        await sync_to_async(cancel_then_fail)()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 1.0)

    await sync_to_async(pipeline_cancel)(pipeline=pipeline)
    event = (await receive_until(layer, channel, {"canceled"}))[0]
    assert event["seq"] == 2 and event["status"] == "canceled"
    assert {s["status"] for s in event["stages"]} == {"canceled"}


async def test_a_failure_is_published_with_its_error(user, provider_dir):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    pipeline = await sync_to_async(create)(user, provider="broken")
    await layer.group_add(pipeline_group_name(pipeline.id), channel)
    await sync_to_async(pipeline_run)(pipeline_id=pipeline.id)
    final = (await receive_until(layer, channel, {"failed"}))[-1]
    assert final["error"] == {
        "code": "content_rejected",
        "message": "The test provider rejects this prompt.",
        "retryable": False,
    }

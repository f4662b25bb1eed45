"""Caps on concurrent Meshy tasks, per worker and per user, held in the shared Redis."""

import threading
import time

import pytest
from django.core.cache import caches

from pipelines.providers.base import ProviderCanceled, ProviderError
from pipelines.providers.meshy.slots import TaskSlots


def never():
    return False


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_a_user_at_the_cap_waits_for_a_free_slot():
    slots = TaskSlots(per_worker=0, per_user=1, ttl=30, wait=30)
    got_second = threading.Event()

    prefix = caches["default"].key_prefix

    def second():
        caches["default"].key_prefix = prefix  # caches are per thread; share this test's prefix
        with slots.hold(owner="alice", should_cancel=never):
            got_second.set()

    with slots.hold(owner="alice", should_cancel=never):
        waiter = threading.Thread(target=second)
        waiter.start()
        # Another user is not held up by alice's cap.
        with slots.hold(owner="bob", should_cancel=never):
            pass
        assert not got_second.wait(0.5)
    waiter.join(timeout=20)

    assert got_second.is_set()
    assert list(slots.in_use("alice").values()) == [0]


def test_waiting_too_long_for_a_slot_fails_retryably():
    slots = TaskSlots(per_worker=1, per_user=0, ttl=30, wait=0.3)
    with slots.hold(owner="", should_cancel=never):
        with pytest.raises(ProviderError) as caught:
            with slots.hold(owner="", should_cancel=never):
                pass

    assert caught.value.code == "provider_busy" and caught.value.retryable


def test_waiting_for_a_slot_respects_cancel():
    slots = TaskSlots(per_worker=1, per_user=0, ttl=30, wait=30)
    with slots.hold(owner="", should_cancel=never):
        with pytest.raises(ProviderCanceled):
            with slots.hold(owner="", should_cancel=lambda: True):
                pass


def test_a_crashed_holders_slot_lapses_after_its_ttl():
    slots = TaskSlots(per_worker=0, per_user=1, ttl=0.5, wait=30)
    crashed = slots.hold(owner="carol", should_cancel=never)
    crashed.__enter__()  # the worker dies here: never renewed, never released

    started = time.monotonic()
    with slots.hold(owner="carol", should_cancel=never):
        waited = time.monotonic() - started

    assert waited >= 0.3  # it had to wait for the dead holder's slot to lapse


def test_the_provider_holds_a_slot_only_while_its_task_runs(meshy, fake_meshy, store):
    from pipelines.providers.meshy.slots import TaskSlots

    slots = TaskSlots.from_settings()
    seen: list[tuple[float, int]] = []

    meshy.text_to_3d(
        prompt="a wooden barrel",
        negative_prompt="",
        kind="prop",
        art_style="realistic",
        quality="draft",
        seed=1,
        should_cancel=never,
        tasks=store.hooks(),
        on_progress=lambda f: seen.append((f, sum(slots.in_use(store.owner).values()))),
    )

    # While a remote task runs it holds the worker's slot and the user's slot...
    assert [held for f, held in seen if f < 0.95] == [2] * len([f for f, _ in seen if f < 0.95])
    # ...and frees both once it has finished (the download comes after).
    assert seen[-1] == (1.0, 0)
    assert sum(slots.in_use(store.owner).values()) == 0

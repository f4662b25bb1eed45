"""Sticky sessions are not required: HAProxy in front of two daphne processes, real qclusters.

A pipeline created through one daphne is followed live on websockets held by the other one
(directly and through the balancer): events published by a worker reach every process through
the Redis channel layer. When a daphne dies, HAProxy marks it down and new websockets through
the balancer connect to the survivor and still receive events.
"""

import asyncio
import os
import signal
import threading

import httpx
import pytest

from pipelines.models import FINISHED_STATUSES
from tests.cluster import balanced_webs, server_states, watch
from tests.factories import ApiTokenFactory
from tests.pipelines.providers import providers_env
from tests.processes import free_port_block, process_env, qcluster_args, running, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BALANCER = free_port_block(10)  # the balancer, its daphnes (+1, +2) and stats (+9)
WEB_A, WEB_B = BALANCER + 1, BALANCER + 2
CONFIG = {"prompt": "a round wooden shield", "quality": "draft", "seed": 3}


@pytest.fixture
def env(provider_dir):
    return process_env(
        FORGE_Q_POLL="0.05",
        FORGE_TEST_PROVIDER_DIR=str(provider_dir),
        FORGE_WEB_PROCESSES="2",
        **providers_env(),
    )


@pytest.fixture
def webs(tmp_path, env):
    with balanced_webs(tmp_path, env, port=BALANCER, web_ports=[WEB_A, WEB_B]) as processes:
        yield processes


def create(port: int, token: str) -> str:
    response = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/pipelines/",
        json=CONFIG,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return response.json()["data"]["id"]


def finished(message) -> bool:
    return message["type"] in ("update", "snapshot") and (
        message.get("pipeline", {}).get("status") in FINISHED_STATUSES
    )


def follow_in_background(urls: list[str], token: str):
    """Watch `urls` in a thread; return (all connected event, thread, results list)."""
    connected = threading.Semaphore(0)
    results: list = []

    def run():
        async def all_of_them():
            return await asyncio.gather(
                *(watch(url, token, until=finished, connected=connected.release) for url in urls),
                return_exceptions=True,
            )

        results.extend(asyncio.run(all_of_them()))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    for _ in urls:
        assert connected.acquire(timeout=30), "a websocket did not connect"
    return thread, results


def test_a_pipeline_created_on_one_daphne_is_followed_live_on_the_other(
    webs, env, user, presets, tmp_path
):
    token = ApiTokenFactory(user=user).raw
    pipeline_id = create(WEB_A, token)  # the "page" request, served by daphne A
    urls = [
        f"ws://127.0.0.1:{WEB_B}/ws/pipelines/{pipeline_id}/",  # daphne B directly
        f"ws://127.0.0.1:{BALANCER}/ws/pipelines/{pipeline_id}/",  # whichever the balancer picks
        f"ws://127.0.0.1:{BALANCER}/ws/pipelines/{pipeline_id}/",  # round-robin: the other one
    ]
    thread, results = follow_in_background(urls, token)
    with running(qcluster_args(), env=env, log_path=tmp_path / "q.log"):
        thread.join(timeout=90)
    assert not thread.is_alive(), "the websockets did not see the pipeline finish"
    for messages in results:
        assert not isinstance(messages, BaseException), messages
        assert messages[0]["type"] == "snapshot"
        updates = [m for m in messages if m["type"] == "update"]
        assert updates, messages  # live events published by the worker, not only the snapshot
        assert updates[-1]["pipeline"]["status"] == "succeeded"


def test_after_a_daphne_is_killed_new_websockets_through_the_balancer_still_get_events(
    webs, env, user, presets, tmp_path
):
    token = ApiTokenFactory(user=user).raw
    os.killpg(webs[WEB_A].pid, signal.SIGKILL)
    wait_until(
        lambda: server_states(BALANCER + 9).get("web1") == "DOWN",
        timeout=30,
        what="HAProxy to mark the killed daphne down",
    )
    pipeline_id = create(BALANCER, token)
    urls = [f"ws://127.0.0.1:{BALANCER}/ws/pipelines/{pipeline_id}/"] * 4
    thread, results = follow_in_background(urls, token)
    with running(qcluster_args(), env=env, log_path=tmp_path / "q.log"):
        thread.join(timeout=90)
    assert not thread.is_alive()
    for messages in results:
        assert not isinstance(messages, BaseException), messages
        assert [m for m in messages if m["type"] == "update"]
        assert messages[-1]["pipeline"]["status"] == "succeeded"

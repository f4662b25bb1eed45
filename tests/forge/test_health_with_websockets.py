"""/health/ while websockets are open: the channel-layer probe must not wait behind them.

Found from the outside: with one browser on /ws/pipelines/, /health/ answered 503
(`channel_layer`: TimeoutError after 3 s). The probe used a process-local channel with a
prefix of its own; channels_redis reads process-local channels through one shared receive
that, while a consumer waits, only reads the consumer's Redis key (forge/health.py).
"""

import asyncio

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from forge.asgi import application
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def session_cookie() -> str:
    client = Client()
    client.force_login(UserFactory())
    return f"sessionid={client.cookies['sessionid'].value}"


@sync_to_async
def health():
    return Client().get("/health/")


async def test_health_is_ok_while_a_consumer_waits_on_the_channel_layer():
    cookie = await sync_to_async(session_cookie)()
    communicator = WebsocketCommunicator(
        application,
        "/ws/pipelines/",
        headers=[(b"cookie", cookie.encode()), (b"origin", b"http://testserver")],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "snapshot"

    response = await health()

    await communicator.disconnect()
    assert response.json()["checks"]["channel_layer"]["status"] == "ok"
    assert response.status_code == 200


@pytest.fixture
def web(procfile_web):
    return procfile_web


@pytest.mark.e2e
def test_daphne_answers_health_200_while_a_browser_socket_is_open(web):
    cookie = session_cookie()
    origin = f"http://localhost:{web}"

    async def health_with_a_socket_open():
        async with websockets.connect(
            f"ws://localhost:{web}/ws/pipelines/",
            origin=origin,
            additional_headers={"Cookie": cookie},
            open_timeout=10,
        ) as socket:
            snapshot = await asyncio.wait_for(socket.recv(), timeout=10)
            async with httpx.AsyncClient(timeout=15) as http:
                response = await http.get(f"{origin}/health/")
        return snapshot, response

    snapshot, response = asyncio.run(health_with_a_socket_open())
    assert '"snapshot"' in snapshot
    check = response.json()["checks"]["channel_layer"]
    assert (check["status"], check["detail"]) == ("ok", "redis round trip ok")
    assert response.status_code == 200

"""Websockets to a path no route matches are refused, not crashed on.

Found from the outside: `ws://.../ws/nothing/` got HTTP 500 and daphne logged "Exception
inside application: No route found for path 'ws/nothing/'" (channels' URLRouter raises
for an unmatched path). forge/routing.py ends with a catch-all that refuses the handshake.
"""

import asyncio

import pytest
import websockets
from channels.testing import WebsocketCommunicator

from forge.asgi import application
from tests.processes import (
    free_port,
    process_env,
    procfile_web_command,
    running,
    wait_for_port,
    wait_until,
)

ORIGIN = (b"origin", b"http://testserver")


@pytest.mark.parametrize("path", ["/ws/nothing/", "/ws/pipelines/a/b/", "/not-ws/"])
async def test_a_socket_to_an_unknown_path_is_refused(path):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN])
    connected, _ = await communicator.connect(timeout=5)
    assert not connected
    await communicator.wait(timeout=5)  # the application finished without raising


@pytest.mark.django_db(transaction=True)
async def test_a_known_path_still_reaches_its_consumer():
    communicator = WebsocketCommunicator(application, "/ws/pipelines/", headers=[ORIGIN])
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_output(timeout=5)) == {
        "type": "websocket.close",
        "code": 4401,
    }
    await communicator.disconnect()


@pytest.fixture
def web(tmp_path):
    port = free_port()
    args, assignments = procfile_web_command(port)
    log_path = tmp_path / "web.log"
    with running(args, env=process_env(**assignments), log_path=log_path):
        wait_for_port(port)
        yield port, log_path


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_daphne_answers_403_for_an_unknown_path_and_logs_no_error(web):
    port, log_path = web

    async def connect():
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(
                f"ws://localhost:{port}/ws/nothing/",
                origin=f"http://localhost:{port}",
                open_timeout=10,
            )
        return refused.value.response.status_code

    assert asyncio.run(connect()) == 403
    wait_until(
        lambda: "websocket_no_route" in log_path.read_text(), timeout=10, what="the refusal logged"
    )
    assert "Exception inside application" not in log_path.read_text()

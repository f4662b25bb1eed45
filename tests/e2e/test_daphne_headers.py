"""The web process as the Procfile starts it: no `Server: daphne`, websocket origin rules."""

import asyncio

import httpx
import pytest
import websockets
from django.test import Client

from pipelines.services import pipeline_create
from tests.factories import ApiTokenFactory, UserFactory
from tests.processes import (
    free_port,
    process_env,
    procfile_web_command,
    running,
    wait_for_port,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONFIG = {"prompt": "a short iron sword", "quality": "draft", "art_style": "low_poly", "seed": 7}


@pytest.fixture
def web(procfile_web):
    return procfile_web


def test_responses_do_not_name_the_server(web):
    response = httpx.get(f"http://127.0.0.1:{web}/health/", timeout=10)
    assert response.status_code in (200, 503)
    assert "server" not in response.headers
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_a_token_client_without_an_origin_connects_but_a_cookie_session_is_refused(web):
    user = UserFactory()
    pipeline, _ = pipeline_create(user=user, config=CONFIG, enqueue=False)
    token = ApiTokenFactory(user=user)
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = f"ws://127.0.0.1:{web}/ws/pipelines/{pipeline.id}/"

    async def token_client():
        async with websockets.connect(
            url, subprotocols=["forge.token", token.raw], open_timeout=10
        ) as socket:
            assert socket.subprotocol == "forge.token"
            assert "server" not in {k.lower() for k in socket.response.headers}
            return await asyncio.wait_for(socket.recv(), timeout=10)

    async def cookie_client():
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url, additional_headers={"Cookie": cookie}, open_timeout=10)
        return refused.value.response.status_code

    assert '"snapshot"' in asyncio.run(token_client())
    assert asyncio.run(cookie_client()) == 403


def test_status_lines_carry_their_reason_phrase_429_included(tmp_path):
    # One wrong token locks the address out, so the second request is a 429.
    port = free_port()
    args, assignments = procfile_web_command(port)
    env = process_env(**assignments, FORGE_AUTH_FAILURES_PER_ADDRESS="1")
    with running(args, env=env, log_path=tmp_path / "web.log"):
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}/api/v1/tokens/"
        wrong = {"Authorization": "Bearer not-a-token"}
        first = httpx.get(url, headers=wrong, timeout=10)
        second = httpx.get(url, headers=wrong, timeout=10)
        missing = httpx.get(f"http://127.0.0.1:{port}/no-such-page/", timeout=10)
    assert (first.status_code, first.reason_phrase) == (401, "Unauthorized")
    assert (second.status_code, second.reason_phrase) == (429, "Too Many Requests")
    assert second.json()["error"]["code"] == "rate_limited"
    assert (missing.status_code, missing.reason_phrase) == (404, "Not Found")


def test_a_head_of_a_large_response_sends_no_body_and_the_connection_stays_usable(web):
    """Django sends big responses in 64 KiB chunks; daphne dropped only the first for HEAD."""
    import http.client
    import socket

    connection = http.client.HTTPConnection("127.0.0.1", web, timeout=20)
    connection.request("GET", "/api/schema/")
    full = connection.getresponse()
    length = len(full.read())
    assert full.status == 200 and length > 2 * 65536
    connection.request("HEAD", "/api/schema/")
    head = connection.getresponse()
    assert head.status == 200 and int(head.headers["Content-Length"]) == length
    head.read()  # nothing, for a HEAD
    connection.request("GET", "/health/")
    after = connection.getresponse()  # read from leaked body bytes before the fix
    assert after.status in (200, 503)
    after.read()
    connection.close()

    # And nothing at all follows the headers on the wire.
    raw = socket.create_connection(("127.0.0.1", web), timeout=20)
    raw.sendall(b"HEAD /api/schema/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    received = b""
    while chunk := raw.recv(65536):
        received += chunk
    raw.close()
    assert received.partition(b"\r\n\r\n")[2] == b""

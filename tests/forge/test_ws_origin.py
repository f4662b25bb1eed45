"""Websocket origin checks: browsers (cookie sessions) must come from Forge's own origin;
API clients that authenticate by token may send no Origin at all."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from forge.asgi import application
from pipelines.services import pipeline_create
from tests.factories import ApiTokenFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

CONFIG = {"prompt": "a short iron sword", "quality": "draft", "art_style": "low_poly", "seed": 7}


@sync_to_async
def make_pipeline_and_token():
    user = UserFactory()
    pipeline, _ = pipeline_create(user=user, config=CONFIG, enqueue=False)
    return user, pipeline, ApiTokenFactory(user=user)


@sync_to_async
def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def open_socket(path, *, headers, subprotocols=None):
    communicator = WebsocketCommunicator(
        application, path, headers=headers, subprotocols=subprotocols
    )
    connected, detail = await communicator.connect(timeout=5)
    return communicator, connected, detail


async def test_a_token_client_without_an_origin_connects_and_gets_the_snapshot():
    _, pipeline, token = await make_pipeline_and_token()
    communicator, connected, subprotocol = await open_socket(
        f"/ws/pipelines/{pipeline.id}/", headers=[], subprotocols=["forge.token", token.raw]
    )
    assert connected
    assert subprotocol == "forge.token"
    frame = await communicator.receive_json_from(timeout=5)
    assert frame["type"] == "snapshot"
    await communicator.disconnect()


async def test_a_cookie_session_without_an_origin_is_still_refused():
    user, pipeline, _ = await make_pipeline_and_token()
    _, connected, _ = await open_socket(
        f"/ws/pipelines/{pipeline.id}/", headers=[(b"cookie", await session_cookie(user))]
    )
    assert (
        not connected
    )  # daphne turns this refusal into HTTP 403 (tests/e2e/test_daphne_headers.py)


async def test_a_token_client_from_a_foreign_origin_is_still_refused():
    _, pipeline, token = await make_pipeline_and_token()
    _, connected, _ = await open_socket(
        f"/ws/pipelines/{pipeline.id}/",
        headers=[(b"origin", b"http://evil.example")],
        subprotocols=["forge.token", token.raw],
    )
    assert not connected


async def test_a_wrong_token_without_an_origin_does_not_fall_back_to_the_cookie():
    user, pipeline, _ = await make_pipeline_and_token()
    communicator, connected, _ = await open_socket(
        f"/ws/pipelines/{pipeline.id}/",
        headers=[(b"cookie", await session_cookie(user))],
        subprotocols=["forge.token", "forge_wrong"],
    )
    assert connected
    closed = await communicator.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4401

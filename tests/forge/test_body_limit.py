"""Oversize request bodies are refused at the ASGI edge with a 413 envelope, before Django reads
them; in process and against a real daphne process."""

import asyncio
import http.client
import json
from pathlib import Path

import pytest
from django.test import override_settings

from forge.asgi import application
from tests.processes import daphne_args, free_port, process_env, running, wait_for_port

SMALL_LIMIT = 64 * 1024


class _Exchange:
    """One HTTP request driven through the ASGI application, counting body reads."""

    def __init__(self, path: str, chunks: list[bytes], headers: dict[str, str]):
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"localhost")]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 40000),
            "server": ("localhost", 80),
        }
        self.chunks = list(chunks)
        self.reads = 0
        self.messages: list[dict] = []

    async def receive(self) -> dict:
        if not self.chunks:
            await asyncio.Event().wait()  # the client stays connected; cancelled when done
        self.reads += 1
        body = self.chunks.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(self.chunks)}

    async def send(self, message: dict) -> None:
        self.messages.append(message)

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.messages if m["type"] == "http.response.start")

    def json(self) -> dict:
        return json.loads(b"".join(m.get("body", b"") for m in self.messages[1:]))


async def _post(path: str, chunks: list[bytes], headers: dict[str, str]) -> _Exchange:
    exchange = _Exchange(path, chunks, headers)
    await application(exchange.scope, exchange.receive, exchange.send)
    return exchange


@override_settings(FORGE_REQUEST_MAX_BYTES=SMALL_LIMIT)
async def test_a_declared_oversize_body_is_refused_without_reading_it():
    size = SMALL_LIMIT + 1
    exchange = await _post(
        "/api/v1/no-such/",
        [b"x" * size],
        {"content-type": "application/octet-stream", "content-length": str(size)},
    )
    assert exchange.status == 413
    assert exchange.reads == 0
    body = exchange.json()
    assert body["data"] is None and body["meta"]["request_id"]
    assert body["error"]["code"] == "payload_too_large"
    assert body["error"]["details"]["limit_bytes"] == SMALL_LIMIT
    assert str(size) in body["error"]["message"]


@override_settings(FORGE_REQUEST_MAX_BYTES=SMALL_LIMIT)
@pytest.mark.parametrize("declared", [True, False])
async def test_a_page_form_over_the_limit_gets_the_sites_error_page(declared):
    """A browser posting a form gets an HTML page it can show, not the API's JSON."""
    size = SMALL_LIMIT * 3
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if declared:
        headers["content-length"] = str(size)
    exchange = await _post("/accounts/signup/", [b"a" * (16 * 1024)] * 12, headers)
    assert exchange.status == 413
    start = exchange.messages[0]
    assert dict(start["headers"])[b"content-type"] == b"text/html; charset=utf-8"
    page = b"".join(m.get("body", b"") for m in exchange.messages[1:]).decode()
    assert "<html" in page and "Too large" in page and str(SMALL_LIMIT) in page


@override_settings(FORGE_REQUEST_MAX_BYTES=SMALL_LIMIT)
async def test_a_chunked_body_is_refused_once_it_passes_the_limit():
    chunks = [b"y" * 16 * 1024] * 40  # 640 KB, no Content-Length
    exchange = await _post("/api/v1/tokens/", chunks, {"content-type": "application/json"})
    assert exchange.status == 413
    assert exchange.json()["error"]["code"] == "payload_too_large"
    assert exchange.reads == 5  # stopped reading just past the limit


@pytest.mark.django_db
@override_settings(FORGE_REQUEST_MAX_BYTES=SMALL_LIMIT, FORGE_UPLOAD_MAX_BYTES=1024 * 1024)
async def test_the_upload_endpoint_takes_bodies_up_to_the_upload_limit():
    size = 4 * SMALL_LIMIT
    headers = {"content-type": "application/octet-stream", "content-length": str(size)}
    taken = await _post("/api/v1/assets/", [b"z" * size], headers)
    assert taken.status == 401  # past the edge: the API itself asks who is uploading
    big = 1024 * 1024 + SMALL_LIMIT + 1
    headers["content-length"] = str(big)
    refused = await _post("/api/v1/assets/", [b"z" * big], headers)
    assert refused.status == 413 and refused.reads == 0


# --- against a real daphne --------------------------------------------------------------------


def _vm_peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _request(port: int, method: str, path: str, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        chunked = (headers or {}).get("Transfer-Encoding") == "chunked"
        connection.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


@pytest.fixture
def daphne(tmp_path):
    port = free_port()
    env = process_env(FORGE_REQUEST_MAX_BYTES=str(1024 * 1024))
    with running(daphne_args(port), env=env, log_path=tmp_path / "daphne.log") as proc:
        wait_for_port(port, timeout=60)
        yield port, proc


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_daphne_refuses_a_large_anonymous_multipart_post_without_growing(daphne):
    port, proc = daphne
    assert _request(port, "GET", "/health/")[0] in (200, 503)  # warm: everything imported
    before = _vm_peak_kb(proc.pid)
    size = 40 * 1024 * 1024
    boundary = "forgeboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"\0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, response_headers, content = _request(port, "POST", "/api/v1/no-such/", body, headers)
    assert status == 413
    assert json.loads(content)["error"]["code"] == "payload_too_large"
    grown_mb = (_vm_peak_kb(proc.pid) - before) / 1024
    # Before the fix Twisted parsed the form into memory too: about 12x the body.
    assert grown_mb < 2 * size / (1024 * 1024), grown_mb


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_daphne_answers_malformed_multipart_and_chunked_oversize_in_the_envelope(daphne):
    from tests.factories import ApiTokenFactory, UserFactory

    port, _ = daphne
    token = ApiTokenFactory(user=UserFactory())
    status, headers, content = _request(
        port,
        "POST",
        "/api/v1/tokens/",
        b"x",
        {"Content-Type": "multipart/form-data", "Authorization": f"Bearer {token.raw}"},
    )
    assert status == 400
    body = json.loads(content)
    assert body["error"]["code"] == "parse_error" and body["meta"]["request_id"]

    chunks = iter([b"q" * 256 * 1024] * 8)  # 2 MB with Transfer-Encoding: chunked
    status, _, content = _request(
        port,
        "POST",
        "/api/v1/tokens/",
        chunks,
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    )
    assert status == 413
    assert json.loads(content)["error"]["code"] == "payload_too_large"

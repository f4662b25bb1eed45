"""Refuse HTTP request bodies over the limit at the ASGI edge, before Django reads or parses them.

A body whose `Content-Length` is over the limit is answered `413 payload_too_large` in the
API envelope (under /api/; the site's error page elsewhere) without reading a byte of it; a body without one (chunked) is counted as it is
read and refused once it passes the limit. The upload endpoints may take
`FORGE_UPLOAD_MAX_BYTES` plus `FORGE_REQUEST_MAX_BYTES` (room for the form's other fields);
every other address takes `FORGE_REQUEST_MAX_BYTES`.

Under daphne, Twisted also parses every multipart POST body into memory itself (and answers a
malformed one with a bare 400) before the application is called, although nothing reads
what it parsed; the middleware turns that off, so Django alone parses bodies, streaming
uploads over `FILE_UPLOAD_MAX_MEMORY_SIZE` to a temporary file.
"""

import json
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from forge.envelope import API_PREFIX, COMPACT_JSON, build_meta, error_body
from forge.exceptions import ErrorCode
from forge.requestid import REQUEST_ID_HEADER, request_id_is_valid, request_id_new


@cache
def _upload_paths() -> frozenset[str]:
    return frozenset({reverse("assets-api:asset-list"), reverse("assets:upload")})


def request_body_limit(path: str) -> int:
    """Return the largest request body, in bytes, accepted at `path`."""
    if path in _upload_paths():
        return settings.FORGE_UPLOAD_MAX_BYTES + settings.FORGE_REQUEST_MAX_BYTES
    return settings.FORGE_REQUEST_MAX_BYTES


def _header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None


def _declared_length(scope: dict) -> int | None:
    value = _header(scope, b"content-length")
    if value is None or not value.strip().isdigit():
        return None  # no length (chunked), or one the server already refused
    return int(value)


def _twisted_form_parsing_off() -> None:
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # not running under daphne
        return
    # Twisted's Request parses multipart POST bodies into `request.args` when this instance
    # attribute is true (its constructor sets it, and daphne passes no value): a read-only
    # property on daphne's subclass makes it false for every request.
    WebRequest._parsePOSTFormSubmission = property(lambda request: False, lambda request, _: None)


class RequestBodyLimitMiddleware:
    """Wrap the HTTP application so oversize bodies are refused before Django sees them."""

    def __init__(self, app):
        self.app = app
        _twisted_form_parsing_off()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = request_body_limit(scope["path"])
        length = _declared_length(scope)
        if length is not None and length > limit:
            return await _refuse(scope, send, limit=limit, size=length)

        received = 0
        refused = False
        started = False

        async def counted_receive():
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True  # Django stops reading at a disconnect and answers nothing
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counted_receive, watched_send)
        if refused and not started:
            await _refuse(scope, send, limit=limit, size=None)


async def _refuse(scope: dict, send, *, limit: int, size: int | None) -> None:
    sent = (_header(scope, REQUEST_ID_HEADER.lower().encode()) or b"").decode("latin-1")
    request_id = sent if request_id_is_valid(sent) else request_id_new()
    if size is None:
        message = f"The request body is over the limit for this address ({limit} bytes)."
    else:
        message = f"The request body is {size} bytes; the limit for this address is {limit} bytes."
    if scope["path"].startswith(API_PREFIX):
        meta = {**build_meta(None), "request_id": request_id}
        body = {
            "data": None,
            "meta": meta,
            "error": error_body(
                ErrorCode.PAYLOAD_TOO_LARGE,
                message,
                details={"reason": "too_large", "limit_bytes": limit},
            ),
        }
        payload = json.dumps(body, **COMPACT_JSON).encode()
        content_type = b"application/json"
    else:  # a page's form: the site's error page (no request, so the page is signed out)
        context = {"status": 413, "message": message}
        payload = render_to_string("errors/http_error.html", context).encode()
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(payload)).encode()),
                (REQUEST_ID_HEADER.encode(), request_id.encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})

"""The ASGI application behind `/api/<project_id>/envelope/` and `/api/<project_id>/store/`.

It answers as Sentry does, not in Forge's API envelope: `200 {"id": "<event id>"}`, errors
as `{"detail": "..."}`. Order of checks, cheapest first and none of them reading the body
unless it must: size announced (413), project (404), key from `X-Sentry-Auth`,
`Authorization` or `?sentry_key=` (401 missing, 403 wrong), browser origin (403), rate
limit (429 with `Retry-After` and `X-Sentry-Rate-Limits`); then the body is read and
inflated within limits (413), parsed (400) and the event stored (`accept.py`). An
envelope without a key in the headers may carry its DSN in its own header. Nothing here
answers 5xx except 503 when the database cannot take the event.
"""

import json
import re
from types import SimpleNamespace

import structlog
from django.conf import settings

from errors.ingest import accept, keys, protocol, ratelimit
from errors.ingest.decompress import Inflater
from forge.clientip import client_ip

log = structlog.get_logger("errors.ingest")

PATH = re.compile(r"^/api/(\d{1,18})/(envelope|store)/?$")
_EXPOSE = b"X-Sentry-Rate-Limits, Retry-After"
_ALLOW_HEADERS = (
    b"Content-Type, Content-Encoding, X-Sentry-Auth, Authorization, sentry-trace, baggage"
)


class Reject(Exception):
    """An answer other than 200: status, message and extra headers."""

    def __init__(self, status: int, detail: str, headers: list | None = None):
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or []


def matches(path: str) -> bool:
    """Say whether `path` is one of the ingest endpoints."""
    return PATH.match(path) is not None


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _same_origin(origin: str, headers: dict[str, str], scope) -> bool:
    scheme = "https" if headers.get("x-forwarded-proto") == "https" else scope.get("scheme", "http")
    return origin == f"{scheme}://{headers.get('host', '')}"


def _cors(origin: str | None) -> list[tuple[bytes, bytes]]:
    if not origin:
        return []
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-expose-headers", _EXPOSE),
        (b"vary", b"Origin"),
    ]


async def _respond(send, status: int, body: dict, headers: list) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _read_body(receive, encoding: str) -> bytes:
    inflater = Inflater(encoding, limit=settings.FORGE_INGEST_MAX_DECOMPRESSED_BYTES)
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Reject(400, "The client went away.")
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > settings.FORGE_INGEST_MAX_BODY_BYTES:
            raise protocol.TooLargeError("The body is larger than the limit.")
        inflater.feed(chunk)
        if not message.get("more_body", False):
            return inflater.finish()


async def _handle(scope, receive, project_id: int, endpoint: str, headers: dict) -> tuple:
    try:
        announced = int(headers.get("content-length") or 0)
    except ValueError as exc:
        raise Reject(400, "Bad Content-Length.") from exc
    if announced > settings.FORGE_INGEST_MAX_BODY_BYTES:
        raise Reject(413, "The body is larger than the limit.")
    auth = await keys.project_auth(project_id)
    if auth is None:
        raise Reject(404, "No such project.")
    key = (
        protocol.key_from_auth_header(headers.get("x-sentry-auth", ""))
        or protocol.key_from_auth_header(headers.get("authorization", ""))
        or protocol.key_from_query(scope.get("query_string", b""))
    )
    if key and not auth.key_valid(key):
        raise Reject(403, "Invalid DSN key.")
    origin = headers.get("origin")
    if origin and not _same_origin(origin, headers, scope) and not auth.origin_allowed(origin):
        raise Reject(403, "This origin may not report to this project.")
    if key:  # a request without a key is counted once its envelope names one
        wait = await ratelimit.rate_limit_wait(project_id, auth.rate_limit_per_minute)
        if wait:
            raise _rate_limited(wait)
    try:
        body = await _read_body(receive, headers.get("content-encoding", ""))
        limit = settings.FORGE_INGEST_MAX_EVENT_BYTES
        if endpoint == "envelope":
            parsed = protocol.envelope_parse(body, max_event_bytes=limit)
        else:
            parsed = protocol.store_parse(body, max_event_bytes=limit)
    except protocol.TooLargeError as exc:
        raise Reject(413, str(exc)) from exc
    except protocol.ProtocolError as exc:
        raise Reject(400, str(exc)) from exc
    if not key:
        if not parsed.dsn_key:
            raise Reject(401, "No DSN key: send X-Sentry-Auth or ?sentry_key=.")
        if not auth.key_valid(parsed.dsn_key):
            raise Reject(403, "Invalid DSN key.")
        wait = await ratelimit.rate_limit_wait(project_id, auth.rate_limit_per_minute)
        if wait:
            raise _rate_limited(wait)
    if parsed.dropped:
        log.debug("ingest_items_dropped", project_id=project_id, items=parsed.dropped)
    if parsed.event is None:
        return {}, parsed
    meta = {"REMOTE_ADDR": (scope.get("client") or ("", 0))[0] or ""}
    if "x-forwarded-for" in headers:
        meta["HTTP_X_FORWARDED_FOR"] = headers["x-forwarded-for"]
    try:
        await accept.event_store(
            project_id=project_id,
            event_id=parsed.event.event_id,
            payload=parsed.event.payload,
            client_ip=client_ip(SimpleNamespace(META=meta)),
        )
    except Exception as exc:  # the database is away: the SDK may try again later
        log.warning("ingest_store_failed", project_id=project_id, exc_info=True)
        raise Reject(503, "Cannot store events right now.", [(b"retry-after", b"10")]) from exc
    return {"id": parsed.event.event_id.hex}, parsed


def _rate_limited(wait: int) -> Reject:
    return Reject(
        429,
        "Rate limit exceeded for this project.",
        [
            (b"retry-after", str(wait).encode()),
            (b"x-sentry-rate-limits", f"{wait}::project:ratelimit".encode()),
        ],
    )


async def ingest_app(scope, receive, send) -> None:
    """Serve one request to an ingest endpoint (ASGI, HTTP only)."""
    project_id, endpoint = PATH.match(scope["path"]).groups()
    headers = _headers(scope)
    origin = headers.get("origin")
    method = scope["method"]
    if method == "OPTIONS":  # a browser's CORS preflight
        await _respond(
            send,
            200,
            {},
            [
                *_cors(origin),
                (b"access-control-allow-methods", b"POST, OPTIONS"),
                (b"access-control-allow-headers", _ALLOW_HEADERS),
                (b"access-control-max-age", b"3600"),
            ],
        )
        return
    if method != "POST":
        await _respond(send, 405, {"detail": "Use POST."}, [(b"allow", b"POST, OPTIONS")])
        return
    try:
        body, _ = await _handle(scope, receive, int(project_id), endpoint, headers)
    except Exception as exc:  # never a 500 to an SDK: the database or Redis is away
        if not isinstance(exc, Reject):
            log.warning("ingest_failed", project_id=int(project_id), exc_info=True)
            exc = Reject(503, "Cannot take events right now.", [(b"retry-after", b"10")])
        if exc.status >= 500 or exc.status == 429:
            log.info("ingest_rejected", status=exc.status, project_id=int(project_id))
        await _respond(send, exc.status, {"detail": exc.detail}, [*exc.headers, *_cors(origin)])
        return
    await _respond(send, 200, body, _cors(origin))

"""Sentry's wire protocol, as SDKs speak it: DSN keys, envelopes, legacy store bodies.

Pure functions: bytes and headers in, plain data out. See
`/docs/errors.md` and Sentry's develop docs ("Envelopes", "Authentication").
"""

import base64
import json
import math
import re
import uuid
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from forge.parsers import json_too_deep

_AUTH_PAIR = re.compile(r"(\w+)\s*=\s*([^,\s]+)")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ProtocolError(ValueError):
    """The body is not a well-formed envelope or event (answered with 400)."""


class TooLargeError(ValueError):
    """The body or one of its items is over a size limit (answered with 413)."""


@dataclass(frozen=True)
class EventItem:
    """One event of a request: its ID and its JSON payload (bytes, not parsed again)."""

    event_id: uuid.UUID
    payload: bytes


@dataclass
class Parsed:
    """What a request carried: at most one event, and counts of the items dropped."""

    event: EventItem | None
    dropped: dict[str, int]
    dsn_key: str = ""


def key_from_auth_header(value: str) -> str:
    """Return `sentry_key` from an `X-Sentry-Auth` or `Authorization: Sentry ...` header."""
    if not value:
        return ""
    value = value.strip()
    if value.lower().startswith("sentry "):
        value = value[7:]
    for name, item in _AUTH_PAIR.findall(value):
        if name in {"sentry_key", "glitchtip_key"}:
            return item.strip("\"'")
    return ""


def key_from_query(query_string: bytes) -> str:
    """Return `sentry_key` from a query string (browsers send it there to skip a preflight)."""
    if not query_string:
        return ""
    params = parse_qs(query_string.decode("latin-1"))
    return (params.get("sentry_key") or params.get("glitchtip_key") or [""])[0]


def key_from_dsn(dsn: str) -> tuple[str, str]:
    """Return (public key, project ID) from a DSN; empty strings if it is not one."""
    try:
        parts = urlsplit(dsn)
        project = parts.path.rstrip("/").rsplit("/", 1)[-1]
        return parts.username or "", project
    except ValueError:
        return "", ""


def _event_id(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _finite(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def _storable(value: Any) -> Any:
    """`value` with every NUL and lone surrogate (in keys and strings) replaced by U+FFFD."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def event_json_loads(data: bytes) -> Any:
    """Decode an SDK's JSON into values PostgreSQL's `jsonb` and text columns can hold.

    What a program sends about its own crash is kept rather than refused: a number out of
    float range (`1e999`) or a `NaN`/`Infinity` constant (Python's `json` writes them) stays
    as its text, and a NUL or lone surrogate becomes U+FFFD. Nesting deeper than
    `FORGE_INGEST_MAX_JSON_DEPTH` is refused (ValueError) before decoding, so the decoder's
    recursion is bounded. The accepting request and the recording worker both read events
    through this one function, so what was accepted can always be recorded.
    """
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    limit = settings.FORGE_INGEST_MAX_JSON_DEPTH
    if json_too_deep(text, limit):
        raise ValueError(f"nested more than {limit} levels deep")
    return _storable(json.loads(text, parse_float=_finite, parse_constant=str))


def _json_object(data: bytes, what: str) -> dict:
    try:
        value = event_json_loads(data)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        detail = str(exc) if str(exc).startswith("nested") else ""
        raise ProtocolError(
            f"The {what} is not valid JSON" + (f": {detail}." if detail else ".")
        ) from exc
    if not isinstance(value, dict):
        raise ProtocolError(f"The {what} is not a JSON object.")
    return value


def envelope_parse(body: bytes, *, max_event_bytes: int) -> Parsed:
    """Split an envelope into its event (if any) and the other items, which are dropped.

    An envelope is a header line, then items (a header line and a payload of `length`
    bytes, or up to the next newline). At most one event; `event` and `error`-like items
    are kept, every other type (transaction, session, client_report, attachment, ...)
    is counted and dropped, as Relay does with types it does not want.
    """
    newline = body.find(b"\n")
    header_line = body if newline < 0 else body[:newline]
    header = _json_object(header_line, "envelope header")
    pos = len(body) if newline < 0 else newline + 1
    dsn_key = ""
    if isinstance(header.get("dsn"), str):
        dsn_key, _ = key_from_dsn(header["dsn"])
    header_id = _event_id(header.get("event_id"))
    event: EventItem | None = None
    dropped: dict[str, int] = {}
    while pos < len(body):
        end = body.find(b"\n", pos)
        line = body[pos:] if end < 0 else body[pos:end]
        pos = len(body) if end < 0 else end + 1
        if not line.strip():
            continue
        item_header = _json_object(line, "item header")
        item_type = item_header.get("type")
        if not isinstance(item_type, str) or not item_type:
            raise ProtocolError("An item header has no type.")
        length = item_header.get("length")
        if length is not None:
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                raise ProtocolError("An item length is not a non-negative integer.")
            if pos + length > len(body):
                raise ProtocolError("The envelope ends inside an item.")
            payload = body[pos : pos + length]
            pos += length
            if pos < len(body):
                if body[pos : pos + 1] != b"\n":
                    raise ProtocolError("An item is not followed by a newline.")
                pos += 1
        else:
            end = body.find(b"\n", pos)
            payload = body[pos:] if end < 0 else body[pos:end]
            pos = len(body) if end < 0 else end + 1
        if item_type != "event":
            dropped[item_type] = dropped.get(item_type, 0) + 1
            continue
        if event is not None:
            raise ProtocolError("An envelope carries at most one event.")
        if len(payload) > max_event_bytes:
            raise TooLargeError("The event is larger than the limit.")
        data = _json_object(payload, "event")
        event_id = _event_id(data.get("event_id")) or header_id or uuid.uuid4()
        event = EventItem(event_id=event_id, payload=payload)
    return Parsed(event=event, dropped=dropped, dsn_key=dsn_key)


def store_parse(body: bytes, *, max_event_bytes: int) -> Parsed:
    """Read a legacy `/store/` body: one JSON event (or base64, or base64 of zlib, as raven sent)."""
    stripped = body.strip()
    if stripped[:1] != b"{":
        try:
            decoded = base64.b64decode(stripped, validate=True)
        except ValueError as exc:
            raise ProtocolError("The event is not valid JSON.") from exc
        try:
            stripped = zlib.decompress(decoded)
        except zlib.error:
            stripped = decoded
    if len(stripped) > max_event_bytes:
        raise TooLargeError("The event is larger than the limit.")
    data = _json_object(stripped, "event")
    event_id = _event_id(data.get("event_id")) or uuid.uuid4()
    return Parsed(event=EventItem(event_id=event_id, payload=stripped), dropped={})

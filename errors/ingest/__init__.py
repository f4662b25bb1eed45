"""The Sentry-compatible ingest endpoints: unmodified Sentry SDKs report into the errors app.

`app.py` is the ASGI application serving `/api/<project>/envelope/` and `/store/` (routed
before Django in `forge/asgi.py`); `protocol.py` parses what SDKs send, `decompress.py`
inflates bodies within limits, `keys.py` checks DSN keys, `ratelimit.py` counts events per
project, `accept.py` writes accepted events durably. A worker then records them
(`errors/services/ingest.py`).
"""

"""Helpers for the ingest tests: envelopes as SDKs build them, and a Sentry SDK in a subprocess."""

import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from tests.processes import ROOT

# A script run with the real sentry-sdk: it raises an exception with a chained cause and a
# secret in a local variable, reports it, and prints what the SDK's transport decided.
SDK_SCRIPT = r"""
import json, sys
import sentry_sdk

dsn, algo, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
sentry_sdk.init(
    dsn=dsn,
    environment="staging",
    release="launcher@2.0.1",
    include_local_variables=True,
    default_integrations=False,
    _experiments={"transport_compression_algo": algo},
)
sentry_sdk.set_tag("region", "eu")


def read_config(path):
    launcher_secret = "hunter2-launcher-secret"
    try:
        return open(path).read()
    except OSError as exc:
        raise RuntimeError("launcher config unreadable") from exc


for _ in range(count):
    try:
        read_config("/nonexistent/launcher.toml")
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(10)
transport = sentry_sdk.get_client().transport
print(json.dumps({"disabled": sorted(str(k) for k in transport._disabled_until)}))
"""


def sdk_run(dsn: str, *, algo: str = "br", count: int = 1) -> dict:
    """Run the real Sentry SDK against `dsn` in a subprocess; return what its transport reported."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "launcher.py"  # a file, so frames carry their source lines
        script.write_text(SDK_SCRIPT)
        result = subprocess.run(
            [sys.executable, str(script), dsn, algo, str(count)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def event(message: str = "boom", **fields) -> dict:
    """Return a minimal Sentry error event (as an SDK would send it)."""
    return {
        "event_id": uuid.uuid4().hex,
        "level": "error",
        "platform": "python",
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": message,
                    "module": None,
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "game/server.py",
                                "module": "game.server",
                                "function": "tick",
                                "lineno": 12,
                                "in_app": True,
                                "context_line": "    raise ValueError(msg)",
                            }
                        ]
                    },
                }
            ]
        },
        **fields,
    }


def envelope(evt: dict | None, *, extra_items: list[tuple[dict, bytes]] = (), header=None) -> bytes:
    """Serialise an envelope the way sentry-python does (item lengths included)."""
    header = header if header is not None else {"event_id": (evt or {}).get("event_id")}
    lines = [json.dumps(header).encode()]
    items = list(extra_items)
    if evt is not None:
        items.insert(
            0, ({"type": "event", "content_type": "application/json"}, json.dumps(evt).encode())
        )
    for item_header, payload in items:
        lines.append(json.dumps({**item_header, "length": len(payload)}).encode())
        lines.append(payload)
    return b"\n".join(lines) + b"\n"


def auth_header(key: str) -> dict[str, str]:
    """Return the X-Sentry-Auth header sentry-python sends."""
    return {
        "X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7, sentry_client=test/1.0",
        "Content-Type": "application/x-sentry-envelope",
    }

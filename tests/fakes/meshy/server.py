"""The fake Meshy account over real HTTP: Meshy's paths, plus `/_fake/*` admin endpoints.

Admin endpoints (no key needed):
- `GET /_fake/stats`: creates per step, requests per kind, deletes, faults served, balance.
- `POST /_fake/faults`: `{"faults": [...], "outcomes": [...]}` (see `FakeMeshy.set_faults`).
- `POST /_fake/config`: settings such as `{"time_scale": 0, "url_ttl": 1, "stream": false}`.
- `POST /_fake/reset`: forget everything (optionally with new config in the body).
- `POST /_fake/tasks/<id>/cancel`: end a task as CANCELED from Meshy's side.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.meshy.state import FAMILIES, TERMINAL, FakeError, FakeMeshy

BALANCE_PATH = "/openapi/v1/balance"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    fake: FakeMeshy  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return None

    # -- plumbing ------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: Any = None,
        headers: dict | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _error(self, exc: FakeError) -> None:
        self._send(exc.status, {"message": exc.message}, exc.headers)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise FakeError(400, "invalid character in request body") from None

    def _route(self) -> tuple[str, str | None, str | None, str]:
        """Return (kind, family, task_id, path) for this request."""
        path = urlsplit(self.path).path.rstrip("/")
        if path == BALANCE_PATH:
            return "balance", None, None, path
        for prefix, family in FAMILIES.items():
            if path == prefix:
                return ("create" if self.command == "POST" else "list"), family, None, path
            if path.startswith(prefix + "/"):
                rest = path[len(prefix) + 1 :].split("/")
                if len(rest) == 1:
                    kind = "delete" if self.command == "DELETE" else "get"
                    return kind, family, rest[0], path
                if len(rest) == 2 and rest[1] == "stream":
                    return "stream", family, rest[0], path
        return "unknown", None, None, path

    # -- verbs ---------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        try:
            if url.path.startswith("/_fake/"):
                self._admin(url.path, query)
                return
            kind, family, task_id, _ = self._route()
            if kind == "unknown":
                raise FakeError(404, "Not Found")
            self.fake.count(kind)
            rule = self.fake.fault_for(kind, family)
            if rule is not None:
                if rule.get("delay"):
                    time.sleep(float(rule["delay"]))
                if "status" in rule:
                    self._body()
                    message = rule.get("message") or _default_message(rule["status"])
                    if rule.get("echo_auth"):
                        message = f"{message}: {self.headers.get('Authorization', '')}"
                    headers = {}
                    if rule.get("retry_after") is not None:
                        headers["Retry-After"] = rule["retry_after"]
                    self._send(int(rule["status"]), {"message": message}, headers)
                    return
            self.fake.check_auth(self.headers.get("Authorization"))
            if kind == "balance":
                self._send(200, {"balance": self.fake.stats()["balance"]})
            elif kind == "create":
                self._send(202, self.fake.create(family, self._body()))
            elif kind == "list":
                self._send(200, self.fake.list(family, query))
            elif kind == "get":
                self._send(200, self.fake.get(family, task_id))
            elif kind == "delete":
                self.fake.delete(family, task_id)
                self._send(200)
            elif kind == "stream":
                self._stream(family, task_id)
        except FakeError as exc:
            self._error(exc)

    def _admin(self, path: str, query: dict) -> None:
        fake = self.fake
        if path.startswith("/_fake/files/"):
            parts = path[len("/_fake/files/") :].split("/")
            if len(parts) != 2:
                raise FakeError(404, "NoSuchKey")
            rule = fake.fault_for("download", None)
            if rule and rule.get("delay"):
                time.sleep(float(rule["delay"]))
            if rule and "status" in rule:
                self._send(int(rule["status"]), raw=b"fault", content_type="text/plain")
                return
            data = fake.file(parts[0], parts[1], query, bool(self.headers.get("Authorization")))
            content_type = "model/gltf-binary" if parts[1].endswith(".glb") else "image/png"
            self._send(200, raw=data, content_type=content_type)
            return
        if path == "/_fake/stats" and self.command == "GET":
            self._send(200, fake.stats())
        elif path == "/_fake/faults" and self.command == "POST":
            body = self._body() or {}
            fake.set_faults(body.get("faults"), body.get("outcomes"))
            self._send(200, {"ok": True})
        elif path == "/_fake/config" and self.command == "POST":
            fake.configure(**(self._body() or {}))
            self._send(200, {"ok": True})
        elif path == "/_fake/reset" and self.command == "POST":
            fake.reset(**(self._body() or {}))
            self._send(200, {"ok": True})
        elif path.startswith("/_fake/tasks/") and path.endswith("/cancel"):
            fake.cancel(path.split("/")[3])
            self._send(200, {"ok": True})
        else:
            raise FakeError(404, "Not Found")

    def _stream(self, family: str, task_id: str) -> None:
        fake = self.fake
        if not fake.config["stream"]:
            raise FakeError(404, "Not Found")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        last = None
        try:
            while True:
                view = fake.stream_view(family, task_id)
                if view is None:
                    payload = json.dumps({"status_code": 404, "message": "Task not found"})
                    self.wfile.write(f"event: error\ndata: {payload}\n\n".encode())
                    self.wfile.flush()
                    return
                key = (view.get("status"), view.get("progress"))
                if key != last:
                    self.wfile.write(f"event: message\ndata: {json.dumps(view)}\n\n".encode())
                    self.wfile.flush()
                    last = key
                if view.get("status") in TERMINAL:
                    return
                time.sleep(float(fake.config["stream_tick"]))
        except (BrokenPipeError, ConnectionResetError):
            return


def _default_message(status: int) -> str:
    return {
        401: "Invalid API key",
        402: "Insufficient credits",
        403: "Forbidden",
        422: "Pose estimation failed",
        429: "RateLimitExceeded",
    }.get(status, "Internal Server Error" if status >= 500 else "Bad Request")


class FakeMeshyServer:
    """Run a `FakeMeshy` on a real local HTTP port in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **config: Any):
        self.fake = FakeMeshy(**config)
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.fake.base_url = self.url
        self._thread: threading.Thread | None = None

    def start(self) -> FakeMeshyServer:
        """Serve in a daemon thread and return self."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port."""
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.httpd.server_close()

    # Shortcuts for tests in the same process.
    def stats(self) -> dict:
        return self.fake.stats()

    def set_faults(
        self, faults: list[dict] | None = None, outcomes: list[dict] | None = None
    ) -> None:
        self.fake.set_faults(faults, outcomes)

    def configure(self, **config: Any) -> None:
        self.fake.configure(**config)

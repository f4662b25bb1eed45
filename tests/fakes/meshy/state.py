"""The fake Meshy account: tasks, their lifecycle, credits, signed result links and faults.

Nothing here speaks HTTP (see `server.py`); every method takes plain data and returns the
status and JSON body Meshy would send. Time follows the wall clock scaled by `time_scale`
(real seconds per documented second; 0 finishes every task at once). Result GLBs are made
by Forge's local provider, so they are real, valid models.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

FAMILIES = {
    "/openapi/v2/text-to-3d": "text-to-3d",
    "/openapi/v1/image-to-3d": "image-to-3d",
    "/openapi/v1/retexture": "retexture",
    "/openapi/v1/remesh": "remesh",
    "/openapi/v1/rigging": "rigging",
    "/openapi/v1/animations": "animations",
}
LISTABLE = frozenset({"text-to-3d", "image-to-3d", "retexture", "remesh"})
# Families counted against the account's concurrent "queue tasks".
QUEUED_FAMILIES = frozenset({"text-to-3d", "image-to-3d", "remesh", "retexture"})
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELED"})
PROMPT_MAX = 600
RETENTION_MS = 3 * 24 * 3600 * 1000

# Documented seconds each step takes (rough, from Meshy's FAQ) and its credit cost.
DURATIONS = {
    "text-to-3d:preview": 30.0,
    "text-to-3d:refine": 120.0,
    "image-to-3d": 60.0,
    "retexture": 60.0,
    "remesh": 30.0,
    "rigging": 30.0,
    "animations": 20.0,
}
COSTS = {
    "text-to-3d:preview": 20,
    "text-to-3d:refine": 10,
    "image-to-3d": 30,
    "retexture": 10,
    "remesh": 5,
    "rigging": 5,
    "animations": 3,
}
# Share of a task's duration spent PENDING (queued) before it starts.
QUEUE_SHARE = 0.1

DEFAULT_CONFIG: dict[str, Any] = {
    "time_scale": 0.01,  # real seconds per documented second; 0 = instant
    "url_ttl": 3600.0,  # real seconds a signed result link stays valid
    "stream": True,  # offer the /stream endpoints
    "stream_tick": 0.05,  # real seconds between stream checks
    "balance": 100_000,
    "api_key": None,  # None: any non-empty bearer token is accepted
    "max_queue_tasks": 0,  # concurrent queue tasks before 429 NoMoreConcurrentTasks; 0 = no cap
}


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeError(Exception):
    """An API error: HTTP status, JSON message and extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Task:
    id: str
    family: str
    step: str
    body: dict
    created: float  # real monotonic-ish wall time (time.time())
    duration: float  # documented seconds
    cost: int
    outcome: dict | None = None  # a FAILED/CANCELED destiny, with "at" (share of duration)
    canceled_at: float | None = None
    parent: Task | None = None  # the task this one builds on (preview, rig, input task)
    refunded: bool = False
    glb: bytes | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeMeshy:
    """One fake Meshy account, safe to use from many server threads."""

    def __init__(self, **config: Any):
        self._lock = threading.RLock()
        self._secret = uuid.uuid4().bytes
        self.base_url = ""
        self.reset(**config)

    # -- administration --------------------------------------------------------------

    def reset(self, **config: Any) -> None:
        """Forget every task, fault and count; apply `config` over the defaults."""
        with self._lock:
            self.config = {**DEFAULT_CONFIG, **config}
            self.tasks: dict[str, dict[str, Task]] = {family: {} for family in FAMILIES.values()}
            self.faults: list[dict] = []
            self.outcomes: list[dict] = []
            self.balance = int(self.config["balance"])
            self.creates: Counter = Counter()
            self.requests: Counter = Counter()
            self.deletes: Counter = Counter()
            self.faults_served: Counter = Counter()
            self.downloads_with_auth = 0
            self.expired_downloads = 0
            self.auth_headers: list[str] = []

    def configure(self, **config: Any) -> None:
        """Change settings (`time_scale`, `url_ttl`, `stream`, `balance`, `api_key`, ...)."""
        with self._lock:
            unknown = set(config) - set(DEFAULT_CONFIG)
            if unknown:
                raise FakeError(400, f"unknown config keys: {sorted(unknown)}")
            self.config.update(config)
            if "balance" in config:
                self.balance = int(config["balance"])

    def set_faults(
        self, faults: list[dict] | None = None, outcomes: list[dict] | None = None
    ) -> None:
        """Replace the fault rules and the task outcomes.

        A fault rule answers matching requests instead of the API: `kind` (create, get,
        stream, delete, download, balance, list or any), optional `family`, `status`
        (omit it for a slow answer only), `count` (None: forever), `delay` (seconds
        before answering), `retry_after`, `message`, `echo_auth` (put the bearer token
        in the message, like a careless server).
        An outcome decides the fate of the next `count` tasks created for `step` (e.g.
        "text-to-3d:refine", "retexture"): `status` FAILED or CANCELED at share `at` of
        the task's run, with `message` and `type` for `task_error`.
        """
        with self._lock:
            self.faults = [dict(f) for f in faults or []]
            self.outcomes = [dict(o) for o in outcomes or []]

    def _settle(self) -> None:
        """Give back the credits of tasks that have failed since the last look."""
        for family in self.tasks.values():
            for task in family.values():
                if not task.refunded and self._status(task)[0] == "FAILED":
                    task.refunded = True
                    self.balance += task.cost

    def stats(self) -> dict:
        """Return the counts tests assert on (creates per step, requests, deletes, ...)."""
        with self._lock:
            self._settle()
            return {
                "creates": dict(self.creates),
                "creates_total": sum(self.creates.values()),
                "requests": dict(self.requests),
                "deletes": dict(self.deletes),
                "faults_served": {str(k): v for k, v in self.faults_served.items()},
                "downloads_with_auth": self.downloads_with_auth,
                "expired_downloads": self.expired_downloads,
                "balance": self.balance,
                "tasks": {
                    task.id: self._status(task)[0]
                    for family in self.tasks.values()
                    for task in family.values()
                },
            }

    def cancel(self, task_id: str) -> None:
        """Cancel a task from Meshy's side (as Creative Lab tasks can end)."""
        with self._lock:
            task = self._find(task_id)
            if task is None:
                raise FakeError(404, "Task not found")
            task.canceled_at = time.time()

    # -- faults and auth -------------------------------------------------------------

    def fault_for(self, kind: str, family: str | None) -> dict | None:
        """Return (and use up one count of) the first fault rule matching the request."""
        with self._lock:
            for rule in self.faults:
                if rule.get("kind", "any") not in ("any", kind):
                    continue
                if rule.get("family") and rule["family"] != family:
                    continue
                count = rule.get("count")
                if count is not None:
                    if count <= 0:
                        continue
                    rule["count"] = count - 1
                if "status" in rule:
                    self.faults_served[rule["status"]] += 1
                return dict(rule)
        return None

    def check_auth(self, header: str | None) -> str:
        """Return the bearer token or raise 401 as Meshy does."""
        token = ""
        if header and header.startswith("Bearer "):
            token = header[len("Bearer ") :].strip()
        expected = self.config["api_key"]
        if not token or (expected is not None and token != expected):
            raise FakeError(401, "Invalid API key")
        return token

    def count(self, kind: str) -> None:
        with self._lock:
            self.requests[kind] += 1

    # -- tasks -------------------------------------------------------------------------

    def _find(self, task_id: str, families: tuple[str, ...] | None = None) -> Task | None:
        for family in families or tuple(self.tasks):
            task = self.tasks[family].get(task_id)
            if task is not None:
                return task
        return None

    def _status(self, task: Task) -> tuple[str, int, float]:
        """Return (status, progress, share of the run done) at this moment."""
        scale = float(self.config["time_scale"])
        total = task.duration * scale
        elapsed = time.time() - task.created
        share = 1.0 if total <= 0 else min(1.0, elapsed / total)
        if task.canceled_at is not None:
            return "CANCELED", self._progress(min(share, 0.99)), share
        if task.outcome is not None and share >= float(task.outcome.get("at", 0.5)):
            return task.outcome["status"], 0, share
        if share >= 1.0:
            return "SUCCEEDED", 100, share
        if share < QUEUE_SHARE:
            return "PENDING", 0, share
        return "IN_PROGRESS", self._progress(share), share

    @staticmethod
    def _progress(share: float) -> int:
        return max(0, min(99, int((share - QUEUE_SHARE) / (1 - QUEUE_SHARE) * 100)))

    def create(self, family: str, body: Any) -> dict:
        """Validate `body` as Meshy does and create the task; return `{"result": id}`."""
        if not isinstance(body, dict):
            raise FakeError(400, "invalid request body")
        with self._lock:
            step, parent = self._validate(family, body)
            self._settle()
            cost = COSTS[step]
            if self.balance < cost:
                raise FakeError(402, "Insufficient credits")
            cap = int(self.config["max_queue_tasks"])
            if cap and family in QUEUED_FAMILIES:
                running = sum(
                    1
                    for fam in QUEUED_FAMILIES
                    for t in self.tasks[fam].values()
                    if self._status(t)[0] not in TERMINAL
                )
                if running >= cap:
                    raise FakeError(429, "NoMoreConcurrentTasks")
            outcome = None
            for rule in self.outcomes:
                if rule.get("step", step) == step and rule.get("count", 1) > 0:
                    rule["count"] = rule.get("count", 1) - 1
                    outcome = rule
                    break
            ms = _now_ms()
            task_id = str(uuid.UUID(int=(ms << 80) | (uuid.uuid4().int & ((1 << 80) - 1))))
            self.balance -= cost
            self.tasks[family][task_id] = Task(
                id=task_id,
                family=family,
                step=step,
                body=body,
                created=time.time(),
                duration=DURATIONS[step],
                cost=cost,
                outcome=outcome,
                parent=parent,
            )
            self.creates[step] += 1
        return {"result": task_id}

    def _source_task(self, task_id: Any, families: tuple[str, ...], what: str) -> Task:
        task = self._find(str(task_id), families) if isinstance(task_id, str) else None
        if task is None:
            raise FakeError(404, f"{what} not found")
        if self._status(task)[0] != "SUCCEEDED":
            raise FakeError(400, f"{what} is not SUCCEEDED")
        return task

    def _validate(self, family: str, body: dict) -> tuple[str, Task | None]:
        def text(name: str, *, required: bool = False) -> None:
            value = body.get(name)
            if value is None:
                if required:
                    raise FakeError(400, f"{name} is required")
                return
            if not isinstance(value, str) or (required and not value.strip()):
                raise FakeError(400, f"{name} must be a non-empty string")
            if len(value) > PROMPT_MAX:
                raise FakeError(400, f"{name} is longer than {PROMPT_MAX} characters")

        def polycount() -> None:
            value = body.get("target_polycount")
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 100 <= value <= 300_000
            ):
                raise FakeError(400, "target_polycount must be between 100 and 300000")

        def model_source(families: tuple[str, ...]) -> Task | None:
            if body.get("input_task_id"):
                return self._source_task(body["input_task_id"], families, "input task")
            if body.get("model_url"):
                self._decode_model(body["model_url"])
                return None
            raise FakeError(400, "input_task_id or model_url is required")

        if body.get("ai_model") == "meshy-4":
            raise FakeError(400, "meshy-4 is retired")
        if family == "text-to-3d":
            mode = body.get("mode")
            if mode == "preview":
                text("prompt", required=True)
                polycount()
                if body.get("pose_mode", "") not in ("", "a-pose", "t-pose"):
                    raise FakeError(400, "pose_mode must be '', 'a-pose' or 't-pose'")
                if body.get("topology", "triangle") not in ("triangle", "quad"):
                    raise FakeError(400, "topology must be 'triangle' or 'quad'")
                return "text-to-3d:preview", None
            if mode == "refine":
                text("texture_prompt")
                preview = self._source_task(
                    body.get("preview_task_id"), ("text-to-3d",), "preview task"
                )
                if preview.step != "text-to-3d:preview":
                    raise FakeError(400, "preview_task_id is not a preview task")
                return "text-to-3d:refine", preview
            raise FakeError(400, "mode must be 'preview' or 'refine'")
        if family == "image-to-3d":
            if not body.get("image_url") and not body.get("input_task_id"):
                raise FakeError(400, "image_url or input_task_id is required")
            if body.get("enable_pbr") and body.get("should_texture") is False:
                raise FakeError(400, "enable_pbr requires should_texture")
            return "image-to-3d", None
        if family == "retexture":
            parent = model_source(("text-to-3d", "image-to-3d", "remesh"))
            if not body.get("text_style_prompt") and not body.get("image_style_url"):
                raise FakeError(400, "text_style_prompt or image_style_url is required")
            text("text_style_prompt")
            return "retexture", parent
        if family == "remesh":
            parent = model_source(("text-to-3d", "image-to-3d", "retexture"))
            polycount()
            if body.get("topology", "triangle") not in ("triangle", "quad"):
                raise FakeError(400, "topology must be 'triangle' or 'quad'")
            return "remesh", parent
        if family == "rigging":
            parent = None
            if body.get("input_task_id"):
                parent = self._source_task(
                    body["input_task_id"],
                    ("text-to-3d", "image-to-3d", "retexture", "remesh"),
                    "input task",
                )
            elif body.get("model_url"):
                if not self._decode_model(body["model_url"]).startswith(b"glTF"):
                    raise FakeError(400, "model_url is not a GLB")
            else:
                raise FakeError(400, "input_task_id or model_url is required")
            height = body.get("height_meters", 1.7)
            if not isinstance(height, int | float) or height <= 0:
                raise FakeError(400, "height_meters must be greater than 0")
            return "rigging", parent
        if family == "animations":
            rig = self._source_task(body.get("rig_task_id"), ("rigging",), "rig task")
            if not isinstance(body.get("action_id"), int) or isinstance(body["action_id"], bool):
                raise FakeError(400, "action_id must be an integer")
            return "animations", rig
        raise FakeError(404, "Not Found")

    def _decode_model(self, url: Any) -> bytes:
        if not isinstance(url, str):
            raise FakeError(400, "model_url must be a string")
        if url.startswith("data:") and ";base64," in url:
            try:
                return base64.b64decode(url.split(";base64,", 1)[1], validate=True)
            except (binascii.Error, ValueError):
                raise FakeError(400, "model_url is not a valid data URI") from None
        if self.base_url and url.startswith(self.base_url + "/_fake/files/"):
            task_id = url[len(self.base_url + "/_fake/files/") :].split("/", 1)[0]
            task = self._find(task_id)
            if task is not None:
                return self._glb(task)
        raise FakeError(400, "model_url is unreachable")

    def get(self, family: str, task_id: str) -> dict:
        """Return the task object as Meshy shows it now."""
        with self._lock:
            task = self.tasks[family].get(task_id)
            if task is None:
                raise FakeError(404, "Task not found")
            return self._view(task)

    def list(self, family: str, query: dict[str, str]) -> list[dict]:
        """Return one page of the family's tasks (a bare array, as Meshy does)."""
        if family not in LISTABLE:
            raise FakeError(404, "Not Found")
        try:
            page = int(query.get("page_num", "1"))
            size = int(query.get("page_size", "10"))
        except ValueError:
            raise FakeError(400, "page_num and page_size must be integers") from None
        if page < 1 or not 1 <= size <= 50:
            raise FakeError(400, "page_size must be between 1 and 50")
        with self._lock:
            tasks = sorted(self.tasks[family].values(), key=lambda t: t.created)
            if query.get("sort_by", "-created_at") == "-created_at":
                tasks.reverse()
            return [self._view(t) for t in tasks[(page - 1) * size : page * size]]

    def delete(self, family: str, task_id: str) -> None:
        """Delete the task and its results; a task still queued gets its credits back."""
        with self._lock:
            task = self.tasks[family].pop(task_id, None)
            if task is None:
                raise FakeError(404, "Task not found")
            status = self._status(task)[0]
            if status == "PENDING" or (status == "FAILED" and not task.refunded):
                self.balance += task.cost
            self.deletes[family] += 1

    def stream_view(self, family: str, task_id: str) -> dict | None:
        """Return the stream message for now: terse while running, the full task at the end."""
        with self._lock:
            task = self.tasks[family].get(task_id)
            if task is None:
                return None
            status, progress, _ = self._status(task)
            if status in TERMINAL:
                return self._view(task)
            return {"id": task.id, "progress": progress, "status": status}

    # -- task objects and files --------------------------------------------------------

    def _sign(self, path: str, expires: int) -> str:
        return hmac.new(self._secret, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def _url(self, task: Task, name: str) -> str:
        path = f"/_fake/files/{task.id}/{name}"
        # Milliseconds, so sub-second lifetimes work in tests.
        expires = int((time.time() + float(self.config["url_ttl"])) * 1000)
        return f"{self.base_url}{path}?Expires={expires}&Signature={self._sign(path, expires)}"

    def _view(self, task: Task) -> dict:
        status, progress, _ = self._status(task)
        created_ms = int(task.created * 1000)
        scale = float(self.config["time_scale"])
        started_ms = (
            int((task.created + task.duration * scale * QUEUE_SHARE) * 1000)
            if status != "PENDING"
            else 0
        )
        finished_ms = (
            int((task.created + task.duration * scale) * 1000) if status in TERMINAL else 0
        )
        failed = status in ("FAILED", "CANCELED")
        task_error: dict = {"message": ""}
        if status == "FAILED":
            outcome = task.outcome or {}
            task_error = {
                "type": outcome.get("type", "server_error"),
                "message": outcome.get("message", "Internal server error."),
            }
            if outcome.get("code"):
                task_error["code"] = outcome["code"]
        preceding = 0
        if status == "PENDING":
            preceding = sum(
                1
                for t in self.tasks[task.family].values()
                if t.created < task.created and self._status(t)[0] == "PENDING"
            )
        view: dict[str, Any] = {
            "id": task.id,
            "status": status,
            "progress": progress,
            "created_at": created_ms,
            "started_at": started_ms,
            "finished_at": finished_ms,
            "expires_at": finished_ms + RETENTION_MS if finished_ms else 0,
            "preceding_tasks": preceding,
            "task_error": task_error,
            "consumed_credits": 0 if failed else task.cost,
        }
        succeeded = status == "SUCCEEDED"
        body = task.body
        if task.family in ("text-to-3d", "image-to-3d", "retexture", "remesh"):
            view["model_urls"] = {"glb": self._url(task, "model.glb")} if succeeded else {}
            view["thumbnail_url"] = self._url(task, "preview.png") if succeeded else ""
        if task.family == "text-to-3d":
            preview = task.step == "text-to-3d:preview"
            source = body if preview else task.parent.body
            view.update(
                type="text-to-3d-preview" if preview else "text-to-3d-refine",
                prompt=source.get("prompt", ""),
                negative_prompt="",
                art_style="",
                texture_richness="",
                texture_prompt="" if preview else body.get("texture_prompt", ""),
                texture_image_url="" if preview else body.get("texture_image_url", ""),
                seed=source.get("seed", 0),
                video_url="",
            )
            view["texture_urls"] = (
                [{"base_color": self._url(task, "base_color.png")}] if succeeded else []
            )
        elif task.family == "retexture":
            view.update(
                type="retexture",
                text_style_prompt=body.get("text_style_prompt", ""),
                image_style_url=body.get("image_style_url", ""),
                texture_image_url="",
                texture_urls=[{"base_color": self._url(task, "base_color.png")}]
                if succeeded
                else [],
            )
        elif task.family == "remesh":
            view["type"] = "remesh"
        elif task.family == "image-to-3d":
            view["type"] = "image-to-3d"
        elif task.family == "rigging":
            view["type"] = "rig"
            view["result"] = (
                {
                    "rigged_character_glb_url": self._url(task, "rigged.glb"),
                    "rigged_character_fbx_url": self._url(task, "rigged.fbx"),
                    "basic_animations": {
                        "walking_glb_url": self._url(task, "walking.glb"),
                        "running_glb_url": self._url(task, "running.glb"),
                    },
                }
                if succeeded
                else None
            )
        elif task.family == "animations":
            view["type"] = "animate"
            view["result"] = (
                {"animation_glb_url": self._url(task, "animation.glb")} if succeeded else None
            )
        return view

    def file(self, task_id: str, name: str, query: dict[str, str], authorized: bool) -> bytes:
        """Serve a result file if its signed link is valid and the task has succeeded."""
        with self._lock:
            self.requests["download"] += 1
            if authorized:
                self.downloads_with_auth += 1
            path = f"/_fake/files/{task_id}/{name}"
            try:
                expires = int(query.get("Expires", "0"))
            except ValueError:
                expires = 0
            good = hmac.compare_digest(self._sign(path, expires), query.get("Signature", ""))
            if not good or time.time() * 1000 >= expires:
                self.expired_downloads += 1
                raise FakeError(403, "AccessDenied: Request has expired")
            task = self._find(task_id)
            if task is None or self._status(task)[0] != "SUCCEEDED":
                raise FakeError(404, "NoSuchKey")
        if name.endswith(".glb"):
            return self._glb(task)
        return _PNG

    def _glb(self, task: Task) -> bytes:
        """Make (once) the task's result GLB with Forge's local provider."""
        with task.lock:
            if task.glb is None:
                task.glb = self._make_glb(task)
            return task.glb

    def _make_glb(self, task: Task) -> bytes:
        from pipelines.providers.local import LocalProvider

        local = LocalProvider()
        body = task.body
        if task.step == "text-to-3d:preview":
            return local.text_to_3d(
                prompt=body["prompt"],
                negative_prompt="",
                kind="other",
                art_style="low_poly" if body.get("model_type") == "lowpoly" else "realistic",
                quality="draft",
                seed=int(body.get("seed") or 0),
                should_cancel=lambda: False,
            ).glb
        if task.step == "text-to-3d:refine":
            return _restyle(local, self._glb(task.parent), body.get("texture_prompt") or "refined")
        if task.family == "animations":
            return self._glb(task.parent)
        if task.parent is not None:
            source = self._glb(task.parent)
        else:
            source = self._decode_model(body["model_url"])
        if task.family == "retexture":
            return _restyle(local, source, body.get("text_style_prompt") or "image style")
        return source


def _restyle(local, glb: bytes, prompt: str) -> bytes:
    from pipelines.providers.base import PresetSpec

    digest = hashlib.sha256(prompt.encode()).hexdigest()
    preset = PresetSpec(
        slug="fake-" + digest[:8],
        name=prompt[:40],
        base_color="#" + digest[:6],
        metallic=0.2,
        roughness=0.6,
        emissive=None,
        texture_prompt=prompt,
    )
    return local.retexture(glb=glb, preset=preset, seed=0, should_cancel=lambda: False).glb


# A 1x1 transparent PNG for thumbnails and texture links.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

"""The Meshy provider: Forge's generation calls as Meshy tasks, resumable and paid for once.

Each paid step (a preview, a refine, one retexture per preset, a remesh, a rig, an
animation) goes through `_step`: it first asks the orchestrator's `RemoteTasks` hook for a
task it already paid for and follows that one; only when there is none (or Meshy lost or
failed it, which refunds the credits) does it create a task, and it hands the new ID to
the hook before waiting. Every GLB is checked like an upload before it is returned.
"""

from __future__ import annotations

import base64
import json
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from assets.glb import GlbInvalidError, glb_inspect
from pipelines.providers.base import (
    CREATE_MARKER,
    NO_REMOTE_TASKS,
    MeshResult,
    ModelResult,
    PresetSpec,
    ProgressCallback,
    RemoteTasks,
    RetextureResult,
)
from pipelines.providers.meshy import errors
from pipelines.providers.meshy.client import LISTABLE, MeshyClient, TaskGone, task_urls
from pipelines.providers.meshy.slots import TaskSlots
from pipelines.stages.prepare import TRIANGLE_BUDGETS

log = structlog.get_logger("pipelines.providers.meshy")

PROMPT_MAX = 600
CREATING = CREATE_MARKER
#: How far before the marker a recovered task's `created_at` may lie (clock differences).
CLOCK_SKEW_MS = 120_000
# Forge art styles Meshy has no switch for are asked for in words.
STYLE_WORDS = {
    "realistic": "",
    "stylized": "stylized",
    "cartoon": "cartoon style",
    "low_poly": "",
    "voxel": "voxel art style",
}
# Triangles asked of the preview per quality: the optimize stage's budgets.
POLYCOUNT = TRIANGLE_BUDGETS
POLYCOUNT_MIN, POLYCOUNT_MAX = 100, 300_000
# Documented credit costs per step (meshy-6), for the docs and the admin overview.
CREDITS = {
    "preview": 20,
    "refine": 10,
    "retexture": 10,
    "remesh": 5,
    "rig": 5,
    "animate": 3,
}


@dataclass
class _Span:
    """Report one step's 0–100 progress as a slice `lo`..`hi` of the call's progress."""

    report: ProgressCallback | None
    lo: float
    hi: float
    last: float = -1.0

    def __call__(self, task: dict) -> None:
        if self.report is None:
            return
        try:
            progress = float(task.get("progress") or 0)
        except (TypeError, ValueError):
            return
        value = self.lo + (self.hi - self.lo) * max(0.0, min(100.0, progress)) / 100
        if value > self.last:
            self.last = value
            self.report(round(value, 4))


def _data_uri(glb: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(glb).decode("ascii")


def _has_uvs(glb: bytes) -> bool:
    """Tell whether every primitive of `glb` has texture coordinates (Meshy keeps its UVs)."""
    try:
        length = struct.unpack_from("<I", glb, 12)[0]
        doc = json.loads(glb[20 : 20 + length])
    except (struct.error, ValueError, UnicodeDecodeError):
        return False
    prims = [p for m in doc.get("meshes", []) for p in m.get("primitives", [])]
    return bool(prims) and all("TEXCOORD_0" in p.get("attributes", {}) for p in prims)


def _prompt_for(prompt: str, art_style: str) -> str:
    words = STYLE_WORDS.get(art_style, "")
    suffix = f", {words}" if words else ""
    return prompt[: PROMPT_MAX - len(suffix)].rstrip() + suffix


def _source(glb: bytes | None, source_task_id: str | None) -> dict:
    if source_task_id:
        return {"input_task_id": source_task_id}
    if glb:
        return {"model_url": _data_uri(glb)}
    raise errors.error("No model was given to Meshy.", code=errors.INVALID_REQUEST, retryable=False)


class MeshyProvider:
    """Generate, retexture, remesh, rig and animate models through Meshy's API."""

    name = "meshy"

    def __init__(self, client: MeshyClient | None = None, slots: TaskSlots | None = None):
        self.client = client or MeshyClient.from_settings()
        self.slots = slots or TaskSlots.from_settings()

    def __repr__(self) -> str:
        return f"MeshyProvider({self.client!r})"

    def balance(self) -> int:
        """Return the Meshy account's remaining credits."""
        return self.client.balance()

    # -- the Provider interface ------------------------------------------------------

    def text_to_3d(
        self,
        *,
        prompt: str,
        negative_prompt: str,
        kind: str,
        art_style: str,
        quality: str,
        seed: int,
        should_cancel: Callable[[], bool],
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
    ) -> MeshResult:
        """Make a preview mesh, then texture it (refine); return the refined GLB.

        `negative_prompt` is not sent: Meshy no longer accepts one.
        """
        what = "generating the model"
        sent_prompt = _prompt_for(prompt, art_style)

        def echoes(kind: str) -> Callable[[dict], bool]:
            # A text-to-3D task echoes its (preview's) prompt and seed.
            return lambda task: (
                task.get("type") == kind
                and task.get("prompt") == sent_prompt
                and task.get("seed") in (None, int(seed))
            )

        refine_id = self._resumable(
            "refine", "text-to-3d", tasks, what=what, match=echoes("text-to-3d-refine")
        )
        preview_id = None
        if refine_id is None:
            preview = {
                "mode": "preview",
                "prompt": sent_prompt,
                "ai_model": "latest",
                "seed": int(seed),
                "target_formats": ["glb"],
            }
            if art_style == "low_poly":
                preview["model_type"] = "lowpoly"
            else:
                preview.update(
                    should_remesh=True,
                    topology="triangle",
                    target_polycount=POLYCOUNT.get(quality, POLYCOUNT["standard"]),
                )
            if kind == "character":
                preview["pose_mode"] = "a-pose"
            preview_id, _ = self._step(
                "preview",
                "text-to-3d",
                lambda: preview,
                tasks=tasks,
                should_cancel=should_cancel,
                progress=_Span(on_progress, 0.0, 0.4),
                what="generating the model's shape",
                match=echoes("text-to-3d-preview"),
            )
        refine_body = lambda: {  # noqa: E731
            "mode": "refine",
            "preview_task_id": preview_id,
            "ai_model": "latest",
            "enable_pbr": True,
            "target_formats": ["glb"],
        }
        refine_id, task = self._step(
            "refine",
            "text-to-3d",
            refine_body,
            tasks=tasks,
            should_cancel=should_cancel,
            progress=_Span(on_progress, 0.4, 0.95),
            what="texturing the model",
            resume_id=refine_id,
            match=echoes("text-to-3d-refine"),
        )
        glb = self._result_glb(
            "text-to-3d", refine_id, task, "glb", what=what, should_cancel=should_cancel
        )
        if on_progress:
            on_progress(1.0)
        notes = [f"Generated by Meshy (task {refine_id})."]
        return MeshResult(
            glb=glb, object_kind=kind, recognised=True, notes=notes, external_task_id=refine_id
        )

    def retexture(
        self,
        *,
        glb: bytes,
        preset: PresetSpec,
        seed: int,
        should_cancel: Callable[[], bool],
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
        source_task_id: str | None = None,
    ) -> RetextureResult:
        """Restyle `glb` (or the Meshy task `source_task_id`) with the preset's look."""
        what = f"applying the {preset.name} material"
        body = {
            **_source(glb, source_task_id),
            "text_style_prompt": (preset.texture_prompt or f"{preset.name} material")[:PROMPT_MAX],
            "ai_model": "latest",
            "enable_original_uv": source_task_id is not None or _has_uvs(glb),
            "enable_pbr": True,
            "target_formats": ["glb"],
        }
        task_id, task = self._step(
            f"retexture:{preset.slug}",
            "retexture",
            lambda: body,
            tasks=tasks,
            should_cancel=should_cancel,
            progress=_Span(on_progress, 0.0, 0.95),
            what=what,
        )
        out = self._result_glb(
            "retexture", task_id, task, "glb", what=what, should_cancel=should_cancel
        )
        return RetextureResult(glb=out, external_task_id=task_id)

    # -- Meshy-only steps ------------------------------------------------------------

    def remesh(
        self,
        *,
        target_polycount: int,
        should_cancel: Callable[[], bool],
        glb: bytes | None = None,
        source_task_id: str | None = None,
        topology: str = "triangle",
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
    ) -> ModelResult:
        """Rebuild the model's topology at about `target_polycount` faces, as GLB."""
        what = "remeshing the model"
        body = {
            **_source(glb, source_task_id),
            "target_formats": ["glb"],
            "topology": topology,
            "target_polycount": max(POLYCOUNT_MIN, min(POLYCOUNT_MAX, int(target_polycount))),
        }
        task_id, task = self._step(
            "remesh",
            "remesh",
            lambda: body,
            tasks=tasks,
            should_cancel=should_cancel,
            progress=_Span(on_progress, 0.0, 0.95),
            what=what,
        )
        out = self._result_glb(
            "remesh", task_id, task, "glb", what=what, should_cancel=should_cancel
        )
        return ModelResult(glb=out, external_task_id=task_id)

    def rig(
        self,
        *,
        should_cancel: Callable[[], bool],
        glb: bytes | None = None,
        source_task_id: str | None = None,
        height_meters: float = 1.7,
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
    ) -> ModelResult:
        """Rig a humanoid character (facing +Z); return the rigged GLB and the rig task ID."""
        what = "rigging the character"
        body = {**_source(glb, source_task_id), "height_meters": float(height_meters)}
        task_id, task = self._step(
            "rig",
            "rigging",
            lambda: body,
            tasks=tasks,
            should_cancel=should_cancel,
            progress=_Span(on_progress, 0.0, 0.95),
            what=what,
        )
        out = self._result_glb(
            "rigging",
            task_id,
            task,
            "rigged_character_glb_url",
            what=what,
            should_cancel=should_cancel,
        )
        return ModelResult(glb=out, external_task_id=task_id)

    def animate(
        self,
        *,
        rig_task_id: str,
        action_id: int,
        should_cancel: Callable[[], bool],
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
    ) -> ModelResult:
        """Apply the library animation `action_id` to the rigged character `rig_task_id`."""
        what = "animating the character"
        body = {"rig_task_id": rig_task_id, "action_id": int(action_id)}
        task_id, task = self._step(
            f"animate:{int(action_id)}",
            "animations",
            lambda: body,
            tasks=tasks,
            should_cancel=should_cancel,
            progress=_Span(on_progress, 0.0, 0.95),
            what=what,
        )
        out = self._result_glb(
            "animations", task_id, task, "animation_glb_url", what=what, should_cancel=should_cancel
        )
        return ModelResult(glb=out, external_task_id=task_id)

    # -- the machinery ---------------------------------------------------------------

    def _resumable(
        self,
        step: str,
        family: str,
        tasks: RemoteTasks,
        *,
        what: str,
        match: Callable[[dict], bool] | None = None,
    ) -> str | None:
        """Return the remembered task of `step` if Meshy still has it and it has not failed.

        A remembered create marker means a create was sent and its answer never reached the
        stage (a lost answer, a killed worker): `_reconcile` finds the task it made, if any.
        """
        task_id = tasks.resume_task_id(step)
        if not task_id:
            return None
        if task_id.startswith(CREATING):
            task_id = self._reconcile(step, family, task_id, what=what, match=match)
            if task_id is None:
                return None
            tasks.remember_task_id(step, task_id)
        try:
            task = self.client.get(family, task_id, what=what)
        except TaskGone:
            log.info("provider.meshy.resume_gone", step=step, task_id=task_id)
            return None
        if task.get("status") in ("FAILED", "CANCELED"):
            # Meshy refunds failed tasks, so a fresh one is not paid twice.
            log.info(
                "provider.meshy.resume_discarded",
                step=step,
                task_id=task_id,
                status=task.get("status"),
            )
            return None
        log.info("provider.meshy.resumed", step=step, task_id=task_id, status=task.get("status"))
        return task_id

    def _reconcile(
        self,
        step: str,
        family: str,
        marker: str,
        *,
        what: str,
        match: Callable[[dict], bool] | None,
    ) -> str | None:
        """Return the task a create whose answer was lost made, or None if it never arrived.

        Meshy takes no idempotency key, so the task is found in the family's list: created
        since the marker's time (less `CLOCK_SKEW_MS`) and echoing what was asked (`match`).
        Where Meshy cannot list the family, or its tasks do not echo their inputs (retexture,
        remesh, rig, animation), or two tasks match, Forge cannot tell: the stage fails
        without retrying rather than pay a second time, and says so.
        """
        try:
            since = int(marker.removeprefix(CREATING)) - CLOCK_SKEW_MS
        except ValueError:
            since = 0
        if match is None or family not in LISTABLE:
            log.warning("provider.meshy.create_unknown", step=step, family=family)
            raise errors.error(
                f"A request to Meshy while {what} was sent but its answer was lost, and Meshy "
                "offers no way to tell whether it made the task. Forge did not send it again, "
                "so it is not paid twice; retry the pipeline to ask again (Meshy may charge "
                "for it a second time if the first one was made).",
                code=errors.CREATE_UNKNOWN,
                retryable=False,
            )
        found = [
            task
            for task in self.client.recent(family, since_ms=since, what=what)
            if match(task) and task.get("status") not in ("FAILED", "CANCELED")
        ]
        if len(found) > 1:
            log.warning(
                "provider.meshy.create_ambiguous", step=step, tasks=[t.get("id") for t in found]
            )
            raise errors.error(
                f"A request to Meshy while {what} was sent but its answer was lost, and "
                f"{len(found)} tasks match it. Forge did not send it again, so it is not paid "
                "twice; retry the pipeline to ask again.",
                code=errors.CREATE_UNKNOWN,
                retryable=False,
            )
        if not found:
            log.info("provider.meshy.create_never_arrived", step=step)
            return None
        task_id = str(found[0].get("id") or "")
        log.info("provider.meshy.create_recovered", step=step, task_id=task_id)
        return task_id or None

    def _step(
        self,
        step: str,
        family: str,
        body: Callable[[], dict],
        *,
        tasks: RemoteTasks,
        should_cancel: Callable[[], bool],
        progress: _Span,
        what: str,
        resume_id: str | None = None,
        match: Callable[[dict], bool] | None = None,
    ) -> tuple[str, dict]:
        """Run one paid step to SUCCEEDED, resuming a remembered task; return (ID, task).

        A create marker is remembered before the create is sent and the task ID right after
        its answer, both committed, so a crash at any moment leaves the stage knowing
        whether a create may have been paid for (see `_reconcile`).
        """
        task_id = resume_id or self._resumable(step, family, tasks, what=what, match=match)
        with self.slots.hold(owner=tasks.owner, should_cancel=should_cancel) as renew:
            if task_id is None:
                payload = body()
                tasks.remember_task_id(step, f"{CREATING}{int(time.time() * 1000)}")
                task_id = self.client.create(
                    family, payload, what=what, should_cancel=should_cancel
                )
                tasks.remember_task_id(step, task_id)

            def seen(task: dict) -> None:
                renew()
                progress(task)

            task = self.client.follow(
                family,
                task_id,
                what=what,
                should_cancel=should_cancel,
                on_task=seen,
                wait_seconds=tasks.wait_seconds,
            )
        return task_id, task

    def _result_glb(
        self,
        family: str,
        task_id: str,
        task: dict,
        key: str,
        *,
        what: str,
        should_cancel: Callable[[], bool],
    ) -> bytes:
        """Download the task's GLB `key`, refetching the task when its link expired; check it."""
        current = {"task": task}

        def url_of() -> str:
            url = task_urls(current["task"]).get(key)
            if not url:
                raise errors.error(
                    f"Meshy finished without a GLB file while {what}.",
                    code=errors.RESULT_MISSING,
                    retryable=False,
                )
            return url

        def refetch() -> None:
            current["task"] = self.client.get(
                family, task_id, what=what, should_cancel=should_cancel
            )

        data = self.client.download(url_of, what=what, refetch=refetch, should_cancel=should_cancel)
        try:
            info = glb_inspect(data, max_size=self.client.config.download_max_bytes)
        except GlbInvalidError as exc:
            log.warning("provider.meshy.invalid_glb", task_id=task_id, reason=exc.reason)
            raise errors.error(
                f"Meshy returned an unusable model while {what}: {exc.message}",
                code=errors.INVALID_MESH,
                retryable=False,
            ) from None
        log.info(
            "provider.meshy.result",
            family=family,
            task_id=task_id,
            size=info.file_size,
            triangles=info.triangle_count,
        )
        return data

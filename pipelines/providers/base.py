"""The interface every generation provider implements, and the data it exchanges."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

# Called with the provider's progress through one call, from 0.0 to 1.0.
ProgressCallback = Callable[[float], None]


def _no_resume(step: str) -> str | None:
    return None


def _no_remember(step: str, task_id: str) -> None:
    return None


@dataclass(frozen=True)
class RemoteTasks:
    """Hooks through which a remote provider never pays twice for the same step.

    Before it creates a paid remote task for `step` (a short name unique within one call
    site, e.g. "preview", "refine", "retexture:gold"), a provider asks
    `resume_task_id(step)`: when that returns an ID, the provider follows that task (waits
    for it, or downloads its finished result) instead of creating another. Right after a
    create succeeds it calls `remember_task_id(step, task_id)`, before waiting, so a crash
    mid-wait resumes the same task; before sending the create it remembers a
    `CREATE_MARKER` value, so a lost answer or a crash mid-create is known on resume. The orchestrator persists the IDs with the stage.
    `owner` names who the work is for (a user ID), for per-user limits on remote tasks.
    The defaults remember nothing, which is right for local providers.

    `wait_seconds` bounds how long one call may wait on a remote task that is still
    running: past it the provider raises `RemoteTaskPending` (the task stays remembered and
    running) so the engine can hand the worker back and call again later. None waits until
    the task ends.
    """

    resume_task_id: Callable[[str], str | None] = _no_resume
    remember_task_id: Callable[[str, str], None] = _no_remember
    owner: str = ""
    wait_seconds: float | None = None


NO_REMOTE_TASKS = RemoteTasks()
#: A remembered value that is not a task ID: a create for the step was sent at this time
#: ("creating@<unix ms>") and its answer has not been remembered yet.
CREATE_MARKER = "creating@"


@dataclass(frozen=True)
class PresetSpec:
    """Describe a material preset a retexture applies; colours are sRGB "#rrggbb"."""

    slug: str
    name: str
    base_color: str
    metallic: float
    roughness: float
    emissive: str | None
    texture_prompt: str


@dataclass(frozen=True)
class MeshResult:
    """Carry a generated GLB and what the provider made of the prompt.

    `approximate` is True when the provider could not build what the prompt names and made
    the nearest thing it knows instead; `reason` says so in a sentence for users and
    `suggestions` lists kinds it can build. `asset_kind` is the gallery kind (weapon,
    creature, ...) the prompt describes, or "" when the provider does not infer one.
    """

    glb: bytes
    object_kind: str
    recognised: bool
    notes: list[str] = field(default_factory=list)
    external_task_id: str | None = None
    approximate: bool = False
    reason: str = ""
    suggestions: list[str] = field(default_factory=list)
    asset_kind: str = ""
    family: str = ""


@dataclass(frozen=True)
class RetextureResult:
    """Carry a retextured GLB."""

    glb: bytes
    external_task_id: str | None = None


@dataclass(frozen=True)
class ModelResult:
    """Carry a GLB a remote task made (a remesh, a rigged character, an animation)."""

    glb: bytes
    external_task_id: str | None = None


class ProviderError(Exception):
    """Report a provider failure with a stable code and whether retrying may help."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "provider_failed",
        retryable: bool = False,
        service: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retryable = retryable
        self.service = service


class RemoteTaskPending(Exception):  # noqa: N818 - an outcome, not an error
    """Report that a remembered remote task is still running after `RemoteTasks.wait_seconds`.

    Calling the provider again with the same `RemoteTasks` follows the same task: nothing
    is paid twice. `progress` is the call's progress so far (0.0–1.0).
    """

    def __init__(self, task_id: str, *, progress: float = 0.0) -> None:
        super().__init__(f"remote task {task_id} is still running")
        self.task_id = task_id
        self.progress = progress


class ProviderCanceled(ProviderError):  # noqa: N818 - the name is part of the provider contract
    """Report that `should_cancel` asked the provider to stop."""

    def __init__(self, message: str = "Generation was canceled.", *, service: str | None = None):
        super().__init__(message, code="canceled", retryable=False, service=service)


@runtime_checkable
class Provider(Protocol):
    """Turn prompts into GLB meshes and re-material existing GLBs."""

    name: str

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
        """Generate a GLB for `prompt`; poll `should_cancel` and raise ProviderCanceled."""
        ...

    def retexture(
        self,
        *,
        glb: bytes,
        preset: PresetSpec,
        seed: int,
        should_cancel: Callable[[], bool],
        tasks: RemoteTasks = NO_REMOTE_TASKS,
        on_progress: ProgressCallback | None = None,
    ) -> RetextureResult:
        """Return `glb` with the preset's material; poll `should_cancel` and raise ProviderCanceled."""
        ...

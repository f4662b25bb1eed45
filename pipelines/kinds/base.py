"""What a run kind declares, and what its steps may use from the engine.

A run kind is a recipe (an ordered table of `Step`s, each with its share of the progress
bar), a config validator and a finishing step. The engine (`pipelines.services`) owns
everything else: create + enqueue, idempotency, leases, fenced writes, checkpoints and
resume, retries with backoff, cancel, events and statistics.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipelines.models import PipelineKind, StageName


class StepContext(Protocol):
    """The engine's side of one stage: inputs, checkpoints, progress and cancel for a step."""

    #: The run's config, as validated and completed at creation.
    config: dict[str, Any]
    #: The checkpointed outputs of the stages finished before this one, by stage name.
    outputs: dict[str, dict[str, Any]]
    #: What this stage recorded before an earlier attempt stopped (see `progress`).
    partial: dict[str, Any]

    @property
    def provider(self) -> Any:
        """The run's provider client, made on first use."""

    def should_cancel(self) -> bool:
        """Return True once the run was asked to cancel or lost its lease."""

    def call(self, function: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Call the pure stage `function` and count its time as the stage's own."""

    def engine_time(self) -> AbstractContextManager[None]:
        """Time spent inside this block (checkpointing from a callback) is not the stage's."""

    def checkpoint_save(self, filename: str, data: bytes) -> str:
        """Store `data` for this stage and attempt; return its storage key."""

    def checkpoint_load(self, key: str) -> bytes:
        """Return a file an earlier stage (or attempt) checkpointed."""

    def checkpoint_exists(self, key: str) -> bool:
        """Return whether a checkpointed file is still there."""

    def progress(self, fraction: float, *, output: dict[str, Any] | None = None) -> None:
        """Report progress in this stage; `output` is a partial checkpoint kept on resume."""


@dataclass(frozen=True)
class Step:
    """One stage of a recipe: its name, its share of the progress bar and the step to run.

    `run(ctx)` loads the stage's inputs, calls its pure stage function and returns the
    JSON output to checkpoint on the stage row (files go through `ctx.checkpoint_save`).
    An `external_task_id` key in the output is also recorded on the stage and the run.
    The last step of a recipe returns whatever the kind's `finish` needs instead.
    """

    name: str
    weight: int
    run: Callable[[StepContext], Any]


@dataclass(frozen=True)
class Finished:
    """What a kind's `finish` made: the last stage's output, the run's result, its asset."""

    output: dict[str, Any]
    result: dict[str, Any]
    asset: Any = None


@dataclass(frozen=True)
class RunKind:
    """A kind of run: its recipe, how its config is validated, and how it finishes.

    `config_validate(data)` returns the cleaned config (compared for idempotency) or raises
    ValidationFailedError; `config_complete(cleaned)` fills what is decided once at
    creation (e.g. a random seed). `finish(ctx, pipeline, value)` runs inside the locked
    transaction that marks the run succeeded, with what the last step returned.
    """

    kind: str
    recipe: tuple[Step, ...]
    config_validate: Callable[[Any], dict[str, Any]]
    finish: Callable[[StepContext, Any, Any], Finished]
    config_complete: Callable[[dict[str, Any]], dict[str, Any]] = field(default=dict)

    def __post_init__(self) -> None:
        names = [step.name for step in self.recipe]
        if self.kind not in PipelineKind.values:
            raise ValueError(f"{self.kind!r} is not a PipelineKind")
        if not names or len(set(names)) != len(names):
            raise ValueError(f"kind {self.kind!r}: stage names must be given and distinct")
        unknown = [name for name in names if name not in StageName.values]
        if unknown:
            raise ValueError(f"kind {self.kind!r}: add {unknown} to StageName")
        if sum(step.weight for step in self.recipe) != 100:
            raise ValueError(f"kind {self.kind!r}: stage weights must sum to 100")

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.recipe)

    @property
    def weights(self) -> dict[str, int]:
        return {step.name: step.weight for step in self.recipe}

"""The registry of run kinds: each kind's recipe of stages, config validation and finish.

Every kind runs on the same engine (`pipelines.services`). To add one, write its pure
stages in `pipelines/stages/`, its recipe in a module here, and register it below (see
"Adding a run kind" in docs/pipelines.md).
"""

from forge.exceptions import ValidationFailedError
from pipelines.kinds.base import Finished, RunKind, Step, StepContext
from pipelines.kinds.character import CHARACTER
from pipelines.kinds.export import EXPORT
from pipelines.kinds.generation import GENERATION

RUN_KINDS: dict[str, RunKind] = {kind.kind: kind for kind in (GENERATION, EXPORT, CHARACTER)}

__all__ = [
    "RUN_KINDS",
    "Finished",
    "RunKind",
    "Step",
    "StepContext",
    "run_kind_get",
    "run_kind_stage_names",
]


def run_kind_get(kind: str) -> RunKind:
    """Return the registered run kind `kind`; raise ValidationFailedError if there is none."""
    try:
        return RUN_KINDS[kind]
    except KeyError:
        raise ValidationFailedError(
            f"kind: no run kind {kind!r} is available.",
            details={"kind": [f"Must be one of: {', '.join(RUN_KINDS)}."]},
        ) from None


def run_kind_stage_names(kind: str) -> tuple[str, ...]:
    """Return the stage names of kind `kind`, in order (empty for an unregistered kind)."""
    registered = RUN_KINDS.get(kind)
    return registered.stage_names if registered is not None else ()

"""Stage `generate_mesh`: turn the prepared prompt into a GLB through the provider."""

from collections.abc import Callable
from typing import Any

from pipelines.providers.base import (
    NO_REMOTE_TASKS,
    MeshResult,
    ProgressCallback,
    Provider,
    RemoteTasks,
)


def generate_mesh(
    *,
    prepared: dict[str, Any],
    provider: Provider,
    should_cancel: Callable[[], bool],
    tasks: RemoteTasks = NO_REMOTE_TASKS,
    on_progress: ProgressCallback | None = None,
) -> MeshResult:
    """Ask `provider` for a mesh of the prepared prompt; it raises ProviderError on failure.

    `tasks` and `on_progress` reach a remote provider (resume, live progress).
    """
    return provider.text_to_3d(
        prompt=prepared["prompt"],
        negative_prompt=prepared["negative_prompt"],
        kind=prepared["kind"],
        art_style=prepared["art_style"],
        quality=prepared["quality"],
        seed=prepared["seed"],
        should_cancel=should_cancel,
        tasks=tasks,
        on_progress=on_progress,
    )

"""Stage `texture_variants`: one retextured GLB per requested material preset."""

from collections.abc import Callable, Sequence

from pipelines.providers.base import (
    NO_REMOTE_TASKS,
    PresetSpec,
    ProgressCallback,
    Provider,
    RemoteTasks,
    RetextureResult,
)


def texture_variants(
    *,
    glb: bytes,
    presets: Sequence[PresetSpec],
    seed: int,
    provider: Provider,
    should_cancel: Callable[[], bool],
    on_variant: Callable[[PresetSpec, RetextureResult], None],
    tasks: RemoteTasks = NO_REMOTE_TASKS,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Retexture `glb` with each preset in turn, handing every result to `on_variant` at once.

    Results are handed over one by one so the caller can checkpoint each variant: a
    resumed pipeline passes only the presets still missing. `on_progress` gets the
    progress through all of `presets` (0.0–1.0).
    """
    total = max(1, len(presets))
    for index, preset in enumerate(presets):
        report = None
        if on_progress is not None:
            report = lambda f, i=index: on_progress((i + f) / total)  # noqa: E731
        result = provider.retexture(
            glb=glb,
            preset=preset,
            seed=seed,
            should_cancel=should_cancel,
            tasks=tasks,
            on_progress=report,
        )
        on_variant(preset, result)

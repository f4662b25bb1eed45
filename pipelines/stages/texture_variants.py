"""Stage `texture_variants`: one retextured GLB per requested material preset."""

from collections.abc import Callable, Sequence

from pipelines.providers.base import PresetSpec, Provider, RetextureResult


def texture_variants(
    *,
    glb: bytes,
    presets: Sequence[PresetSpec],
    seed: int,
    provider: Provider,
    should_cancel: Callable[[], bool],
    on_variant: Callable[[PresetSpec, RetextureResult], None],
) -> None:
    """Retexture `glb` with each preset in turn, handing every result to `on_variant` at once.

    Results are handed over one by one so the caller can checkpoint each variant: a
    resumed pipeline passes only the presets still missing.
    """
    for preset in presets:
        result = provider.retexture(glb=glb, preset=preset, seed=seed, should_cancel=should_cancel)
        on_variant(preset, result)

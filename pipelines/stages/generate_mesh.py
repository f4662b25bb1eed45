"""Stage `generate_mesh`: turn the prepared prompt into a GLB through the provider."""

from collections.abc import Callable
from typing import Any

from pipelines.providers.base import MeshResult, Provider


def generate_mesh(
    *, prepared: dict[str, Any], provider: Provider, should_cancel: Callable[[], bool]
) -> MeshResult:
    """Ask `provider` for a mesh of the prepared prompt; it raises ProviderError on failure."""
    return provider.text_to_3d(
        prompt=prepared["prompt"],
        negative_prompt=prepared["negative_prompt"],
        kind=prepared["kind"],
        art_style=prepared["art_style"],
        quality=prepared["quality"],
        seed=prepared["seed"],
        should_cancel=should_cancel,
    )

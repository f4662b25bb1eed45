"""Stage `thumbnail`: render a PNG of the asset and of each variant."""

from collections.abc import Callable, Mapping

from assets.thumbnails import thumbnail_render

THUMBNAIL_SIZE = 512


def thumbnails(
    *,
    glb: bytes,
    variants: Mapping[str, bytes],
    on_progress: Callable[[float], None] | None = None,
) -> tuple[bytes, dict[str, bytes]]:
    """Return the asset's thumbnail and one thumbnail per variant, keyed like `variants`."""
    total = 1 + len(variants)
    main = thumbnail_render(glb, size=THUMBNAIL_SIZE)
    if on_progress:
        on_progress(1 / total)
    rendered: dict[str, bytes] = {}
    for done, (key, data) in enumerate(variants.items(), start=2):
        rendered[key] = thumbnail_render(data, size=THUMBNAIL_SIZE)
        if on_progress:
            on_progress(done / total)
    return main, rendered

"""Stage `thumbnail`: render a PNG of the asset and of each variant."""

from collections.abc import Callable, Mapping

from assets.thumbnails import thumbnail_renders

THUMBNAIL_SIZE = 512


def thumbnails(
    *,
    glb: bytes,
    variants: Mapping[str, bytes],
    on_progress: Callable[[float], None] | None = None,
) -> tuple[bytes, dict[str, bytes]]:
    """Return the asset's thumbnail and one thumbnail per variant, keyed like `variants`."""
    total = 1 + len(variants)
    # One call for all: the variants share the asset's geometry, so its camera, background
    # and visibility are worked out once (assets/thumbnails.py).
    renders = thumbnail_renders([glb, *variants.values()], size=THUMBNAIL_SIZE)
    main = next(renders)
    if on_progress:
        on_progress(1 / total)
    rendered: dict[str, bytes] = {}
    for done, (key, png) in enumerate(zip(variants, renders, strict=True), start=2):
        rendered[key] = png
        if on_progress:
            on_progress(done / total)
    return main, rendered

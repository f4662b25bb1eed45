"""Small seeded tileable grey patterns that tint under a material's base colour."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

CATEGORIES: dict[str, tuple[str, ...]] = {
    "wood": ("wood", "wooden", "oak", "plank", "bark", "timber", "pine"),
    "metal": ("metal", "steel", "iron", "gold", "golden", "silver", "bronze", "copper", "rust", "chrome", "brushed"),
    "stone": ("stone", "rock", "marble", "brick", "granite", "concrete", "obsidian", "cobble"),
    "fabric": ("fabric", "cloth", "leather", "wool", "linen", "silk", "cotton", "velvet"),
}  # fmt: skip


def texture_category(*texts: str) -> str:
    """Pick the pattern family named by the preset's slug, name or texture prompt."""
    words = " ".join(texts).lower().replace("-", " ").replace("_", " ").split()
    for category, keys in CATEGORIES.items():
        if any(w in keys for w in words):
            return category
    return "noise"


def _smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """Return tileable value noise by bilinear upsampling of a periodic random grid."""
    grid = rng.random((cells, cells))
    t = np.arange(size) * cells / size
    i0 = np.floor(t).astype(int)
    f = t - i0
    i1 = (i0 + 1) % cells
    f = f * f * (3 - 2 * f)
    rows = grid[i0][:, i0] * (1 - f)[None, :] + grid[i0][:, i1] * f[None, :]
    rows2 = grid[i1][:, i0] * (1 - f)[None, :] + grid[i1][:, i1] * f[None, :]
    return rows * (1 - f)[:, None] + rows2 * f[:, None]


def pattern_png(category: str, seed: int, size: int = 64) -> bytes:
    """Return a PNG of a tileable grey pattern for `category` (bright, so colour factors dominate)."""
    rng = np.random.default_rng([seed & 0xFFFFFFFF, len(category)])
    y, x = np.mgrid[0:size, 0:size] / size
    if category == "wood":
        warp = _smooth_noise(rng, size, 4)
        rings = np.sin((x * 6 + warp * 1.5) * 2 * np.pi)
        value = 0.82 + 0.1 * rings + 0.06 * _smooth_noise(rng, size, 16)
    elif category == "metal":
        streak = rng.random(size)[None, :].repeat(size, axis=0)
        value = 0.86 + 0.08 * streak + 0.05 * _smooth_noise(rng, size, 8)
    elif category == "stone":
        value = 0.7 + 0.18 * _smooth_noise(rng, size, 4) + 0.1 * _smooth_noise(rng, size, 16)
    elif category == "fabric":
        weave = (np.sin(x * size * np.pi / 2) * np.sin(y * size * np.pi / 2)) * 0.5 + 0.5
        value = 0.8 + 0.12 * weave + 0.06 * _smooth_noise(rng, size, 8)
    else:
        value = 0.8 + 0.15 * _smooth_noise(rng, size, 8) + 0.05 * rng.random((size, size))
    grey = (np.clip(value, 0, 1) * 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(np.stack([grey] * 3, axis=2), "RGB").save(out, format="PNG")
    return out.getvalue()

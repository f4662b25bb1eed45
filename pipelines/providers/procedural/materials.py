"""Material library, colour words and art-style palettes for procedural objects."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from pipelines.providers.procedural.glb import MaterialSpec


@dataclass(frozen=True)
class Look:
    """Describe a surface in sRGB hex plus PBR scalars."""

    color: str
    metallic: float
    roughness: float
    emissive: str | None = None
    alpha: float = 1.0


# Base looks every builder refers to by key.
LIBRARY: dict[str, Look] = {
    "steel": Look("#b8bec6", 1.0, 0.32),
    "iron": Look("#6e7175", 1.0, 0.55),
    "dark_iron": Look("#3d3f42", 0.9, 0.6),
    "gold": Look("#e8b84a", 1.0, 0.28),
    "silver": Look("#d9dde2", 1.0, 0.2),
    "bronze": Look("#b0723a", 1.0, 0.38),
    "copper": Look("#c5754d", 1.0, 0.35),
    "wood": Look("#8a5a32", 0.0, 0.75),
    "dark_wood": Look("#5a3a22", 0.0, 0.8),
    "light_wood": Look("#c39a66", 0.0, 0.7),
    "bark": Look("#5b4030", 0.0, 0.95),
    "leather": Look("#6b4128", 0.0, 0.65),
    "cloth": Look("#8c2f2f", 0.0, 0.9),
    "rope": Look("#b49a6a", 0.0, 0.95),
    "stone": Look("#8d8a84", 0.0, 0.9),
    "dark_stone": Look("#5f5d5a", 0.0, 0.92),
    "rock": Look("#7c776f", 0.0, 0.95),
    "roof": Look("#9c3b2c", 0.0, 0.8),
    "plaster": Look("#e6dcc6", 0.0, 0.9),
    "glass": Look("#cfe8f0", 0.0, 0.05, alpha=0.45),
    "bottle_glass": Look("#2f5a2a", 0.0, 0.08, alpha=0.85),
    "liquid": Look("#d0263a", 0.0, 0.15, emissive="#3a0008"),
    "crystal": Look("#7fd7ff", 0.0, 0.08, emissive="#0f3550", alpha=0.85),
    "gem": Look("#c2123a", 0.0, 0.1),
    "bone": Look("#e3dac4", 0.0, 0.7),
    "skin": Look("#d9a07c", 0.0, 0.6),
    "hair": Look("#3b2616", 0.0, 0.85),
    "fur": Look("#8a6a4a", 0.0, 0.95),
    "foliage": Look("#4f8a3a", 0.0, 0.85),
    "grass": Look("#6aa84f", 0.0, 0.9),
    "mushroom_cap": Look("#c8322a", 0.0, 0.6),
    "mushroom_spots": Look("#f4efe2", 0.0, 0.7),
    "mushroom_stem": Look("#efe6d0", 0.0, 0.8),
    "flame": Look("#ffb347", 0.0, 0.5, emissive="#ff8a1a"),
    "light": Look("#fff1c2", 0.0, 0.3, emissive="#ffd77a"),
    "cork": Look("#b98d5c", 0.0, 0.9),
    "paint": Look("#3f6fb0", 0.0, 0.5),
    "rubber": Look("#262626", 0.0, 0.9),
    "sail": Look("#efe7d6", 0.0, 0.9),
    "eye": Look("#141414", 0.0, 0.2),
    "robe": Look("#3e3a8c", 0.0, 0.9),
}

COLOR_WORDS: dict[str, str] = {
    "red": "#c0282d",
    "crimson": "#9e1b32",
    "scarlet": "#e0301e",
    "blue": "#2f5fc4",
    "azure": "#3a8ee6",
    "navy": "#1f2f6b",
    "green": "#3f9a3a",
    "emerald": "#1f9a5a",
    "yellow": "#e8c832",
    "orange": "#e6801e",
    "purple": "#7a3ab0",
    "violet": "#8a4ad0",
    "pink": "#e07aa8",
    "cyan": "#2ac0d0",
    "teal": "#1f8a8a",
    "black": "#1e1e20",
    "white": "#efefef",
    "grey": "#8a8a8a",
    "gray": "#8a8a8a",
    "brown": "#7a4e2a",
}

# Material words swap the object's main material.
MATERIAL_WORDS: dict[str, str] = {
    "gold": "gold",
    "golden": "gold",
    "gilded": "gold",
    "silver": "silver",
    "iron": "iron",
    "steel": "steel",
    "metal": "steel",
    "metallic": "steel",
    "bronze": "bronze",
    "copper": "copper",
    "rusty": "dark_iron",
    "rusted": "dark_iron",
    "wood": "wood",
    "wooden": "wood",
    "oak": "wood",
    "stone": "stone",
    "marble": "plaster",
    "crystal": "crystal",
    "glass": "glass",
    "bone": "bone",
    "obsidian": "dark_stone",
}

STYLES = ("realistic", "stylized", "low_poly", "cartoon", "voxel", "painterly")


def hex_to_srgb(value: str) -> tuple[float, float, float]:
    """Parse "#rrggbb" into sRGB floats in [0, 1]."""
    v = value.strip().lstrip("#")
    if len(v) != 6:
        raise ValueError(f"colour must be #rrggbb, got {value!r}")
    return tuple(int(v[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def srgb_to_linear(c: float) -> float:
    """Convert one sRGB channel to linear light, as glTF colour factors require."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def hex_to_linear(value: str) -> tuple[float, float, float]:
    """Parse "#rrggbb" into linear RGB floats."""
    return tuple(srgb_to_linear(c) for c in hex_to_srgb(value))  # type: ignore[return-value]


def _restyle(rgb: tuple[float, float, float], sat: float, val: float) -> tuple[float, ...]:
    h, s, v = colorsys.rgb_to_hsv(*rgb)
    return colorsys.hsv_to_rgb(h, min(1.0, s * sat), min(1.0, v * val))


def styled(name: str, look: Look, style: str) -> MaterialSpec:
    """Turn a look into a material under an art style's palette rules."""
    rgb = hex_to_srgb(look.color)
    metallic, roughness = look.metallic, look.roughness
    if style == "cartoon":
        rgb = _restyle(rgb, 1.45, 1.12)
        metallic *= 0.4
        roughness = 0.55 + roughness * 0.3
    elif style == "stylized":
        rgb = _restyle(rgb, 1.2, 1.05)
        roughness = min(1.0, roughness + 0.1)
    elif style == "low_poly":
        rgb = _restyle(rgb, 1.15, 1.0)
        metallic *= 0.7
        roughness = max(0.6, roughness)
    elif style == "painterly":
        # Softer, warmer and fully matte, like a hand-painted texture.
        r, g, b = _restyle(rgb, 0.85, 1.0)
        rgb = (min(1.0, r * 1.04 + 0.03), min(1.0, g * 1.01 + 0.02), b * 0.96)
        metallic *= 0.2
        roughness = max(0.85, roughness)
    elif style == "voxel":
        rgb = _restyle(rgb, 1.25, 1.05)
        metallic *= 0.3
        roughness = max(0.8, roughness)
    lin = tuple(srgb_to_linear(c) for c in rgb)
    emissive = hex_to_linear(look.emissive) if look.emissive else None
    return MaterialSpec(
        name=name,
        base_color=(lin[0], lin[1], lin[2], look.alpha),
        metallic=round(metallic, 4),
        roughness=round(roughness, 4),
        emissive=emissive,
    )

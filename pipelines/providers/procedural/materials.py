"""Material library, colour words and art-style palettes for procedural objects."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from pipelines.providers.procedural.glb import MaterialSpec


@dataclass(frozen=True)
class Look:
    """Describe a surface in sRGB hex plus PBR scalars, and the role it plays on an object.

    The role (metal, wood, cloth, skin, eye, glow, ...) is written into the material's
    `extras` so that a variant can recolour only the parts a preset fits.
    """

    color: str
    metallic: float
    roughness: float
    emissive: str | None = None
    alpha: float = 1.0
    role: str = "primary"


# Every role a material can carry. Variants never recolour the protected ones.
ROLES = (
    "primary", "secondary", "metal", "trim", "wood", "cloth", "leather", "skin", "eye",
    "hair", "fur", "feather", "scale", "gem", "glow", "glass", "liquid", "stone", "plant",
    "bone", "food", "paper",
)  # fmt: skip
PROTECTED_ROLES = frozenset({"skin", "eye", "glow"})


def _m(color: str, roughness: float, role: str = "metal") -> Look:
    return Look(color, 1.0, roughness, role=role)


# Base looks every builder refers to by key.
LIBRARY: dict[str, Look] = {
    "steel": _m("#b8bec6", 0.32),
    "iron": _m("#6e7175", 0.55),
    "dark_iron": Look("#3d3f42", 0.9, 0.6, role="metal"),
    "gold": _m("#e8b84a", 0.28),
    "silver": _m("#d9dde2", 0.2),
    "bronze": _m("#b0723a", 0.38),
    "copper": _m("#c5754d", 0.35),
    "brass": _m("#c9a043", 0.35),
    "rust": Look("#8a4b2a", 0.6, 0.85, role="metal"),
    "plating": _m("#9aa3ad", 0.3),
    "hull": Look("#e9edf2", 0.3, 0.35, role="primary"),
    "wood": Look("#8a5a32", 0.0, 0.75, role="wood"),
    "dark_wood": Look("#5a3a22", 0.0, 0.8, role="wood"),
    "light_wood": Look("#c39a66", 0.0, 0.7, role="wood"),
    "bark": Look("#5b4030", 0.0, 0.95, role="wood"),
    "straw": Look("#d8b65a", 0.0, 0.9, role="plant"),
    "leather": Look("#6b4128", 0.0, 0.65, role="leather"),
    "cloth": Look("#8c2f2f", 0.0, 0.9, role="cloth"),
    "linen": Look("#d9ccb0", 0.0, 0.9, role="cloth"),
    "rope": Look("#b49a6a", 0.0, 0.95, role="cloth"),
    "sail": Look("#efe7d6", 0.0, 0.9, role="cloth"),
    "robe": Look("#3e3a8c", 0.0, 0.9, role="cloth"),
    "paper": Look("#eadfc2", 0.0, 0.85, role="paper"),
    "stone": Look("#8d8a84", 0.0, 0.9, role="stone"),
    "dark_stone": Look("#5f5d5a", 0.0, 0.92, role="stone"),
    "rock": Look("#7c776f", 0.0, 0.95, role="stone"),
    "brick": Look("#9a5a44", 0.0, 0.9, role="stone"),
    "sand": Look("#d9c28f", 0.0, 0.95, role="stone"),
    "snow": Look("#f2f5f8", 0.0, 0.7, role="stone"),
    "ice": Look("#bfe6f5", 0.0, 0.1, alpha=0.8, role="glass"),
    "roof": Look("#9c3b2c", 0.0, 0.8, role="secondary"),
    "plaster": Look("#e6dcc6", 0.0, 0.9, role="stone"),
    "marble": Look("#ece9e2", 0.0, 0.35, role="stone"),
    "glass": Look("#cfe8f0", 0.0, 0.05, alpha=0.45, role="glass"),
    "bottle_glass": Look("#2f5a2a", 0.0, 0.08, alpha=0.85, role="glass"),
    "liquid": Look("#d0263a", 0.0, 0.15, emissive="#3a0008", role="liquid"),
    "water": Look("#3a7fc0", 0.0, 0.1, alpha=0.8, role="liquid"),
    "crystal": Look("#7fd7ff", 0.0, 0.08, emissive="#0f3550", alpha=0.85, role="gem"),
    "gem": Look("#c2123a", 0.0, 0.1, role="gem"),
    "bone": Look("#e3dac4", 0.0, 0.7, role="bone"),
    "skin": Look("#d9a07c", 0.0, 0.6, role="skin"),
    "green_skin": Look("#6f9a4a", 0.0, 0.65, role="skin"),
    "hair": Look("#3b2616", 0.0, 0.85, role="hair"),
    "fur": Look("#8a6a4a", 0.0, 0.95, role="fur"),
    "grey_fur": Look("#7d7f82", 0.0, 0.95, role="fur"),
    "dark_fur": Look("#3e2b1e", 0.0, 0.95, role="fur"),
    "tan_fur": Look("#c49a5c", 0.0, 0.95, role="fur"),
    "white_fur": Look("#e8e4dc", 0.0, 0.95, role="fur"),
    "pink_skin": Look("#e7a6a0", 0.0, 0.7, role="fur"),
    "feather": Look("#8a6a48", 0.0, 0.9, role="feather"),
    "scale": Look("#3f7a3a", 0.2, 0.55, role="scale"),
    "shell": Look("#3a2f28", 0.1, 0.4, role="secondary"),
    "chitin": Look("#1f2a3a", 0.3, 0.35, role="primary"),
    "slime": Look("#57d06a", 0.0, 0.15, alpha=0.8, role="primary"),
    "foliage": Look("#4f8a3a", 0.0, 0.85, role="plant"),
    "grass": Look("#6aa84f", 0.0, 0.9, role="plant"),
    "cactus": Look("#4e8f4a", 0.0, 0.8, role="plant"),
    "moss": Look("#4c7a2e", 0.0, 0.95, role="plant"),
    "petal": Look("#e05a8a", 0.0, 0.7, role="plant"),
    "mushroom_cap": Look("#c8322a", 0.0, 0.6, role="primary"),
    "mushroom_spots": Look("#f4efe2", 0.0, 0.7, role="secondary"),
    "mushroom_stem": Look("#efe6d0", 0.0, 0.8, role="secondary"),
    "flame": Look("#ffb347", 0.0, 0.5, emissive="#ff8a1a", role="glow"),
    "light": Look("#fff1c2", 0.0, 0.3, emissive="#ffd77a", role="glow"),
    "neon": Look("#5ff2ff", 0.0, 0.3, emissive="#2ad8f0", role="glow"),
    "magic": Look("#b77bff", 0.0, 0.2, emissive="#8a3cff", alpha=0.8, role="glow"),
    "spectral": Look("#dff4ff", 0.0, 0.4, emissive="#6fa8c8", alpha=0.55, role="glow"),
    "lava": Look("#ff5a1f", 0.0, 0.6, emissive="#ff3300", role="glow"),
    "cork": Look("#b98d5c", 0.0, 0.9, role="wood"),
    "paint": Look("#3f6fb0", 0.0, 0.5, role="primary"),
    "red_paint": Look("#b8322c", 0.0, 0.5, role="primary"),
    "rubber": Look("#262626", 0.0, 0.9, role="secondary"),
    "wax": Look("#f1e6c8", 0.0, 0.6, role="secondary"),
    "eye": Look("#141414", 0.0, 0.2, role="eye"),
    "bread": Look("#c98a42", 0.0, 0.8, role="food"),
    "crumb": Look("#f0dcae", 0.0, 0.9, role="food"),
    "cheese": Look("#f2c14e", 0.0, 0.6, role="food"),
    "apple": Look("#c8262a", 0.0, 0.4, role="food"),
    "meat": Look("#9a4a2c", 0.0, 0.6, role="food"),
    "icing": Look("#f7d9e6", 0.0, 0.5, role="food"),
    "sponge": Look("#e8c27a", 0.0, 0.85, role="food"),
    "froth": Look("#f6f0dc", 0.0, 0.8, role="food"),
}

# What a prompt's gem words colour an attached gem.
GEM_WORDS: dict[str, str] = {
    "ruby": "#c2123a", "rubies": "#c2123a", "sapphire": "#1f4fd0", "sapphires": "#1f4fd0",
    "emerald": "#1f9a5a", "emeralds": "#1f9a5a", "amethyst": "#8a3cc8", "amethysts": "#8a3cc8",
    "topaz": "#e8a33a", "topazes": "#e8a33a", "diamond": "#e8f6ff", "diamonds": "#e8f6ff",
    "pearl": "#f2eee4", "pearls": "#f2eee4", "gem": "#c2123a", "gems": "#c2123a",
    "jewel": "#c2123a", "jewels": "#c2123a", "gemstones": "#c2123a", "opal": "#cfe9f0",
    "opals": "#cfe9f0", "jade": "#4fae7a",
}  # fmt: skip

COLOR_WORDS: dict[str, str] = {
    "red": "#c0282d", "crimson": "#9e1b32", "scarlet": "#e0301e", "maroon": "#6a1a22",
    "blue": "#2f5fc4", "azure": "#3a8ee6", "navy": "#1f2f6b", "turquoise": "#2ab5b0",
    "green": "#3f9a3a", "lime": "#8ccf3a", "olive": "#6b6e2a",
    "yellow": "#e8c832", "orange": "#e6801e", "amber": "#e8a020",
    "purple": "#7a3ab0", "violet": "#8a4ad0", "lavender": "#a98ad8", "magenta": "#c0309a",
    "pink": "#e07aa8", "cyan": "#2ac0d0", "teal": "#1f8a8a",
    "black": "#1e1e20", "white": "#efefef", "grey": "#8a8a8a", "gray": "#8a8a8a",
    "brown": "#7a4e2a", "beige": "#d6c3a0", "tan": "#c49a6c",
}  # fmt: skip

# Material words swap the object's main material (a look key of LIBRARY).
MATERIAL_WORDS: dict[str, str] = {
    "gold": "gold", "golden": "gold", "gilded": "gold", "silver": "silver", "iron": "iron",
    "steel": "steel", "metal": "steel", "metallic": "steel", "bronze": "bronze",
    "copper": "copper", "brass": "brass", "wood": "wood", "wooden": "wood", "oak": "wood",
    "oaken": "wood", "ebony": "dark_wood", "pine": "light_wood", "stone": "stone",
    "marble": "marble", "granite": "dark_stone", "crystal": "crystal",
    "crystalline": "crystal", "glass": "glass", "bone": "bone", "obsidian": "dark_stone",
    "ice": "ice", "icy": "ice", "frozen": "ice", "lava": "lava", "molten": "lava",
    "brick": "brick", "paper": "paper", "leather": "leather", "cloth": "cloth",
    "fabric": "cloth", "straw": "straw", "plastic": "paint",
}  # fmt: skip

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


def linear_to_srgb(c: float) -> float:
    """Convert one linear-light channel back to sRGB."""
    c = min(1.0, max(0.0, float(c)))
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


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
        role=look.role,
    )

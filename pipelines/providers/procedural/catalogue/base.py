"""What every family module shares: the build context, kind and family records.

Conventions: metres, Y up, the object's front faces +Z. Builders place parts freely; the
provider then rests the object on y=0 and centres it on the Y axis.
"""

from __future__ import annotations

import colorsys
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.geometry import Part, Shape
from pipelines.providers.procedural.materials import LIBRARY, Look, hex_to_srgb

if TYPE_CHECKING:
    from pipelines.providers.procedural.prompt import Reading

GLOWING = frozenset({"crystal", "liquid", "gem", "light", "flame", "magic", "neon"})

# What a combined kind ("a robot owl") or a style word does to each role: role -> look key.
TRAITS: dict[str, dict[str, str]] = {
    "robot": dict.fromkeys(
        ("skin", "fur", "feather", "scale", "cloth", "leather", "hair", "primary", "plant"),
        "plating",
    )
    | {"eye": "neon", "wood": "dark_iron"},
    "skeleton": dict.fromkeys(("skin", "fur", "feather", "scale", "primary", "hair"), "bone"),
    "ghost": dict.fromkeys(
        (
            "skin",
            "fur",
            "feather",
            "scale",
            "cloth",
            "leather",
            "hair",
            "primary",
            "secondary",
            "metal",
            "wood",
            "stone",
            "plant",
            "bone",
            "food",
        ),
        "spectral",
    ),  # fmt: skip
    "golem": dict.fromkeys(("skin", "fur", "feather", "scale", "primary", "hair"), "stone"),
    "zombie": {"skin": "green_skin", "fur": "green_skin"},
    "crystal": dict.fromkeys(("skin", "fur", "feather", "scale", "primary", "stone"), "crystal"),
    "dragon": dict.fromkeys(("skin", "fur", "feather", "primary", "cloth", "leather"), "scale"),
    "steampunk": {"metal": "brass", "trim": "copper", "primary": "brass", "glass": "glass"},
    "scifi": {"metal": "plating", "primary": "hull", "trim": "neon", "wood": "hull"},
    "gothic": {"metal": "dark_iron", "wood": "dark_wood", "trim": "silver", "stone": "dark_stone"},
    "elven": {"metal": "silver", "trim": "gold", "wood": "light_wood"},
    "rusty": {"metal": "rust"},
}
# Conditions that tint instead of swapping: role set, tint colour, share of the tint.
TINTS: dict[str, tuple[frozenset[str], str, float]] = {
    "mossy": (frozenset({"stone", "wood", "secondary", "primary"}), "#4c7a2e", 0.55),
    "worn": (frozenset({"metal", "wood", "cloth", "leather", "primary", "stone"}), "#8a8070", 0.3),
    "burnt": (
        frozenset({"wood", "cloth", "primary", "secondary", "food", "paper", "plant"}),
        "#1c1612",
        0.6,
    ),
    "spooky": (frozenset({"primary", "wood", "stone", "cloth", "secondary"}), "#2a2438", 0.4),
    "frosty": (frozenset({"stone", "wood", "plant", "primary", "secondary"}), "#dff2fa", 0.5),
}


def _mix(color: str, other: str, share: float) -> str:
    a, b = hex_to_srgb(color), hex_to_srgb(other)
    mixed = [x * (1 - share) + y * share for x, y in zip(a, b, strict=True)]
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in mixed)


def _saturate(color: str, factor: float) -> str:
    h, s, v = colorsys.rgb_to_hsv(*hex_to_srgb(color))
    r, gg, b = colorsys.hsv_to_rgb(h, min(1.0, s * factor), v)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, gg, b))


class Ctx:
    """Carry the prompt reading, seeded randomness, tessellation and the parts built so far."""

    def __init__(
        self,
        reading: Reading,
        rng: random.Random,
        segments: int,
        check: Callable[[], None],
        detail: int,
    ) -> None:
        self.r = reading
        self.rng = rng
        self.nrng = np.random.default_rng(rng.getrandbits(64))
        self.seg = segments
        self.small = max(4, segments // 2)
        self.detail = detail
        self.check = check
        self.parts: list[Part] = []
        self.looks: dict[str, Look] = {}
        self.anchors: dict[str, np.ndarray] = {}
        self.gem_slots: list[tuple[float, float, float]] = []
        self.applied: set[str] = set()
        self.consumed: set[str] = set()

    def j(self, amount: float = 0.12) -> float:
        """Return a seeded factor around 1 for proportion jitter."""
        return 1.0 + self.rng.uniform(-amount, amount)

    def pick(self, options: list | tuple):
        """Return one of `options`, chosen by the seed."""
        return options[self.rng.randrange(len(options))]

    def count(self, noun: str, default: int, lo: int = 1, hi: int = 12) -> int:
        """Return how many `noun`s the prompt asks for ("with three legs"), else `default`."""
        asked = self.r.counts.get(noun)
        if asked is None:
            return default
        self.consumed.add(noun)
        got = max(lo, min(hi, asked))
        self.applied.add(f"{got} {noun}{'s' if got != 1 else ''}")
        return got

    def anchor(self, name: str, x: float, y: float, z: float) -> None:
        """Remember a point where attachments go ("hand", "head", "top")."""
        self.anchors[name] = np.array([x, y, z], dtype=float)

    def held(self) -> bool:
        """Return True when the prompt gives the figure something else to hold."""
        return any(
            a.kind and a.verb in ("holding", "wielding", "carrying") for a in self.r.attachments
        )

    def mat(self, key: str, slot: str = "", role: str | None = None) -> str:
        """Register and return the material for `key` after the prompt's words.

        Slot "main" takes the prompt's material word and "paint" its colour word; combined
        kinds, style and condition words then act by role; `role` overrides the look's role.
        """
        r = self.r
        look, name = LIBRARY[key], key
        if "main" in slot and r.material and r.material != key:
            name = r.material
            look = LIBRARY[name]
        role = role or look.role
        tags: list[str] = []
        if role == "trim" and r.trim_material and r.trim_material != name:
            name, look = r.trim_material, LIBRARY[r.trim_material]
        if "paint" in slot and r.color:
            look = replace(look, color=r.color)
            tags.append(r.color_word)
        for trait in (*r.combine, *sorted(r.styles), *sorted(r.conditions)):
            swap = TRAITS.get(trait, {}).get(role)
            if swap and swap != name:
                new = LIBRARY[swap]
                look = replace(new, color=look.color) if "paint" in slot and r.color else new
                role = new.role
                tags.append(trait)
                continue
            tint = TINTS.get(trait)
            if tint and role in tint[0]:
                look = replace(look, color=_mix(look.color, tint[1], tint[2]))
                if trait == "worn":
                    look = replace(look, roughness=min(1.0, look.roughness + 0.2))
                tags.append(trait)
        if r.glow and (key in GLOWING or ("main" in slot and "glass" not in key)):
            look = replace(look, emissive=look.color)
            tags.append("glowing")
            if role in ("primary", "gem", "liquid"):
                role = "glow"
        if role != look.role:
            look = replace(look, role=role)
            if role != LIBRARY[key].role:
                tags.append(role)
        name = "_".join([name, *tags])
        self.looks[name] = look
        return name

    def custom(self, name: str, look: Look) -> str:
        """Register a material that no library key describes (an attached gem's colour)."""
        self.looks[name] = look
        return name

    def add(
        self, name: str, shapes: Shape | list[Shape], material: str, flat: bool = False
    ) -> None:
        """Add a named part made of one or more shapes."""
        shape = g.merge(shapes) if isinstance(shapes, list) else shapes
        self.parts.append(Part(name, shape, material, flat=flat))
        self.check()

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the low and high corners of everything built so far."""
        allv = np.concatenate([p.shape.v for p in self.parts])
        return allv.min(axis=0), allv.max(axis=0)


@dataclass(frozen=True)
class Kind:
    """One object kind: its builder, the words that name it and what it does when combined."""

    name: str
    build: Callable[[Ctx], None]
    words: tuple[str, ...]
    asset_kind: str | None = None
    trait: str | None = None


@dataclass(frozen=True)
class Family:
    """A family of kinds with the asset kind they file under and the words naming the family."""

    name: str
    label: str
    asset_kind: str
    generic: str
    hints: tuple[str, ...]
    kinds: tuple[Kind, ...]


def words(text: str) -> tuple[str, ...]:
    """Split a comma-separated synonym list ("street lamp, lamppost") into its entries."""
    return tuple(w.strip() for w in text.split(",") if w.strip())

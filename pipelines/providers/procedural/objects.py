"""Builders that assemble each recognised object kind from named primitive parts.

Conventions: metres, Y up, the object's front faces +Z. Builders place parts freely; the
provider then rests the object on y=0 and centres it on the Y axis.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.geometry import Part, Shape
from pipelines.providers.procedural.materials import LIBRARY, Look
from pipelines.providers.procedural.prompt import Reading

GLOWING = frozenset({"crystal", "liquid", "gem", "light", "flame"})


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

    def j(self, amount: float = 0.12) -> float:
        """Return a seeded factor around 1 for proportion jitter."""
        return 1.0 + self.rng.uniform(-amount, amount)

    def pick(self, options: list | tuple):
        """Return one of `options`, chosen by the seed."""
        return options[self.rng.randrange(len(options))]

    def mat(self, key: str, slot: str = "") -> str:
        """Register and return the material for `key`, applying prompt words to its slot.

        Slot "main" takes the prompt's material word, "paint" its colour word.
        """
        look, name = LIBRARY[key], key
        if "main" in slot and self.r.material and self.r.material != key:
            name = self.r.material
            look = LIBRARY[name]
        if "paint" in slot and self.r.color:
            name = f"{name}_{self.r.color_word}"
            look = replace(look, color=self.r.color)
        if self.r.glow and (key in GLOWING or ("main" in slot and "glass" not in key)):
            name = f"{name}_glowing"
            look = replace(look, emissive=look.color)
        self.looks[name] = look
        return name

    def add(
        self, name: str, shapes: Shape | list[Shape], material: str, flat: bool = False
    ) -> None:
        """Add a named part made of one or more shapes."""
        shape = g.merge(shapes) if isinstance(shapes, list) else shapes
        self.parts.append(Part(name, shape, material, flat=flat))
        self.check()


def _along_x(shape: Shape) -> Shape:
    """Lay a Y-axis shape along +X."""
    return shape.rotated("z", -90)


def _along_z(shape: Shape) -> Shape:
    """Lay a Y-axis shape along +Z."""
    return shape.rotated("x", 90)


# --- weapons -------------------------------------------------------------------------------


def build_sword(c: Ctx) -> None:
    """Build an upright sword: pommel, grip, guard and a diamond-section blade, tip up."""
    r = c.r
    short = r.has("dagger", "knife")
    length = 0.78 * r.long * c.j(0.1) * (1.3 if r.two_handed else 1.0) * (0.4 if short else 1.0)
    width = 0.05 * r.wide * c.j(0.12) * (1.15 if r.two_handed else 1.0)
    thick = 0.009
    grip_len = (0.26 if r.two_handed else 0.15) * c.j(0.08) * (0.75 if short else 1.0)
    pommel_r = 0.026 * c.j(0.1)
    y = pommel_r * 1.6
    if r.has("katana"):
        c.add("pommel", g.cylinder(0.018, 0.02, c.small), c.mat("gold"))
    else:
        c.add("pommel", g.sphere(pommel_r, c.small).moved(y=pommel_r), c.mat("gold"))
    c.add("grip", g.cylinder(0.016, grip_len, c.small).moved(y=y), c.mat("leather", "paint"))
    y += grip_len
    guard_w = (0.07 if r.has("katana") else 0.2) * c.j(0.15) * (1.25 if r.ornate else 1.0)
    style = c.pick(["bar", "curved"]) if not r.has("katana") else "disc"
    guard_mat = c.mat("gold" if r.ornate else "steel")
    if style == "disc":
        c.add("guard", g.cylinder(guard_w / 2, 0.012, c.seg).moved(y=y), guard_mat)
        gh = 0.012
    elif style == "bar":
        c.add("guard", g.box(guard_w, 0.025, 0.035).moved(y=y + 0.0125), guard_mat)
        gh = 0.025
    else:
        pts = [(x * guard_w / 2, y + 0.012 + 0.03 * (x * x), 0.0) for x in np.linspace(-1, 1, 9)]
        c.add("guard", g.tube_path(pts, 0.013, c.small), guard_mat)
        gh = 0.024
    y += gh
    if r.broken:
        prof = [(width / 2, 0.0), (width * 0.48, length * 0.45), (width * 0.15, length * 0.55)]
    else:
        taper = 0.78 if c.rng.random() < 0.5 else 0.88
        prof = [(width / 2, 0.0), (width / 2 * 0.9, length * taper), (0.0, length)]
    blade = g.lathe(prof, 4).scaled(1.0, 1.0, thick / width).moved(y=y)
    c.add("blade", blade, c.mat("steel", "main"), flat=True)
    if r.ornate:
        c.add(
            "gem",
            g.sphere(0.012, c.small).scaled(1, 1, 0.6).moved(y=y - gh / 2, z=0.02),
            c.mat("gem"),
        )


def build_axe(c: Ctx) -> None:
    """Build an upright axe: wooden haft, one or two crescent heads at the top."""
    r = c.r
    length = 0.75 * r.long * c.j(0.1) * (1.4 if r.two_handed else 1.0)
    haft_r = 0.019 * r.wide * c.j(0.1)
    c.add("handle", g.cylinder(haft_r, length, c.small), c.mat("wood"))
    c.add("grip", g.cylinder(haft_r * 1.15, 0.14, c.small).moved(y=0.05), c.mat("leather", "paint"))
    s = 1.0 * r.wide * c.j(0.12) * (1.3 if r.two_handed else 1.0)
    top = length - 0.12 * s
    flare = c.j(0.2)
    head = [
        (0.0, -0.035), (0.06, -0.03), (0.15, -0.09 * flare), (0.175, -0.05 * flare),
        (0.185, 0.0), (0.175, 0.05 * flare), (0.15, 0.09 * flare), (0.06, 0.03), (0.0, 0.035),
    ]  # fmt: skip
    pts = [(x * s, yy * s) for x, yy in head]
    heads = [g.extrude(pts, 0.028 * s).moved(x=haft_r * 0.5, y=top)]
    if r.double or r.two_handed:
        heads.append(g.extrude(pts, 0.028 * s).scaled(-1, 1, 1).moved(x=-haft_r * 0.5, y=top))
    else:
        heads.append(g.box(0.05 * s, 0.06 * s, 0.04 * s).moved(x=-0.03 * s, y=top))
    c.add("head", heads, c.mat("steel", "main"), flat=True)
    c.add(
        "collar",
        g.cylinder(haft_r * 1.3, 0.09 * s, c.small).moved(y=top - 0.045 * s),
        c.mat("dark_iron"),
    )
    if r.ornate:
        c.add(
            "rings",
            [g.torus(haft_r * 1.2, 0.005, c.small).moved(y=length * t) for t in (0.35, 0.55)],
            c.mat("gold"),
        )


def build_hammer(c: Ctx) -> None:
    """Build an upright hammer: haft with a block head across the top."""
    r = c.r
    length = 0.7 * r.long * c.j(0.1) * (1.4 if r.two_handed or r.has("maul", "warhammer") else 1.0)
    haft_r = 0.02 * c.j(0.08)
    c.add("handle", g.cylinder(haft_r, length, c.small), c.mat("wood"))
    c.add("grip", g.cylinder(haft_r * 1.15, 0.16, c.small).moved(y=0.04), c.mat("leather", "paint"))
    s = r.wide * c.j(0.12) * (1.35 if r.has("maul", "warhammer", "sledgehammer") else 1.0)
    hw, hh = 0.2 * s, 0.085 * s
    if r.has("mace"):
        c.add("head", g.sphere(0.07 * s, c.seg).moved(y=length), c.mat("iron", "main"))
        spikes = []
        for k in range(8):
            a = k * 45
            spikes.append(
                g.cone(0.02 * s, 0.06 * s, c.small)
                .moved(y=0.06 * s)
                .rotated("z", 90)
                .rotated("y", a)
                .moved(y=length)
            )
        c.add("spikes", spikes, c.mat("steel"), flat=True)
        return
    if c.rng.random() < 0.5 or r.round:
        head = _along_x(g.cylinder(hh / 2, hw, c.seg)).moved(x=-hw / 2, y=length - hh / 2)
    else:
        head = g.box(hw, hh, hh).moved(y=length - hh / 2)
    c.add("head", head, c.mat("iron", "main"), flat=False)
    if r.ornate or r.has("warhammer"):
        c.add(
            "spike",
            _along_x(g.cone(hh * 0.35, 0.08 * s, c.small)).moved(x=hw / 2, y=length - hh / 2),
            c.mat("steel"),
        )


def build_spear(c: Ctx) -> None:
    """Build an upright spear: long shaft and a leaf-shaped steel head."""
    r = c.r
    length = 1.8 * r.long * c.j(0.08) * (0.55 if r.has("javelin") else 1.0)
    c.add("shaft", g.cylinder(0.016 * r.wide, length, c.small), c.mat("wood"))
    w = 0.045 * r.wide * c.j(0.15)
    hl = 0.24 * c.j(0.15)
    prof = [(0.008, 0.0), (w / 2, hl * 0.3), (w * 0.35, hl * 0.7), (0.0, hl)]
    heads = [g.lathe(prof, 4).scaled(1, 1, 0.25).moved(y=length)]
    if r.has("trident"):
        heads = [
            g.lathe(prof, 4).scaled(0.6, 0.8, 0.25).moved(x=dx, y=length) for dx in (-0.06, 0, 0.06)
        ]
        heads.append(g.box(0.14, 0.02, 0.02).moved(y=length))
    c.add("head", heads, c.mat("steel", "main"), flat=True)
    c.add("binding", g.cylinder(0.02, 0.06, c.small).moved(y=length - 0.05), c.mat("rope", "paint"))
    c.add("butt", g.cone(0.018, 0.04, c.small).scaled(1, -1, 1).moved(y=0.04), c.mat("iron"))
    if r.ornate:
        c.add("tassel", g.cone(0.03, 0.12, c.small).moved(y=length - 0.16), c.mat("cloth", "paint"))


def build_bow(c: Ctx) -> None:
    """Build a standing bow: curved limbs, grip and a straight string."""
    r = c.r
    h = (
        1.2
        * r.long
        * c.j(0.08)
        * (0.7 if r.has("shortbow") else 1.0)
        * (1.3 if r.has("longbow") else 1.0)
    )
    depth = 0.18 * h * c.j(0.15)
    n = max(9, c.seg)
    pts = []
    for t in np.linspace(-1, 1, n):
        x = depth * (1 - t * t)
        if r.has("recurve") or r.ornate:
            x -= 0.04 * h * max(0.0, abs(t) - 0.8) / 0.2
        pts.append((x, t * h / 2 + h / 2, 0.0))
    c.add("limbs", g.tube_path(pts, 0.013 * r.wide, c.small), c.mat("wood", "main"))
    c.add(
        "grip",
        g.cylinder(0.02, 0.12, c.small).moved(x=depth, y=h / 2 - 0.06),
        c.mat("leather", "paint"),
    )
    c.add("string", g.tube_path([pts[0], pts[-1]], 0.002, 4), c.mat("rope"))


def build_staff(c: Ctx) -> None:
    """Build a wizard staff: knotted shaft topped by a glowing orb in prongs."""
    r = c.r
    length = 1.6 * r.long * c.j(0.08) * (0.3 if r.has("wand") else 1.0)
    n = 7
    pts = [
        (0.015 * math.sin(i * 1.7 + c.rng.random()), length * i / (n - 1), 0.0) for i in range(n)
    ]
    rad = 0.02 * r.wide * (0.5 if r.has("wand") else 1.0)
    c.add("shaft", g.tube_path(pts, rad, c.small), c.mat("dark_wood", "main"))
    orb_r = 0.055 * c.j(0.15) * (0.4 if r.has("wand") else 1.0)
    top = pts[-1]
    c.add(
        "orb",
        g.sphere(orb_r, c.seg).moved(x=top[0], y=length + orb_r * 0.8),
        c.mat("crystal", "paint"),
    )
    prongs = []
    for k in range(3):
        a = k * 120 + c.rng.uniform(0, 30)
        prongs.append(
            g.cone(rad * 0.7, orb_r * 2.2, c.small)
            .rotated("z", 22)
            .rotated("y", a)
            .moved(x=top[0], y=length - rad)
        )
    c.add("prongs", prongs, c.mat("gold" if r.ornate else "dark_wood"))


# --- armour --------------------------------------------------------------------------------


def build_shield(c: Ctx) -> None:
    """Build a shield standing upright and facing +Z: face, rim and boss."""
    r = c.r
    size = 0.75 * c.j(0.1) * r.long
    round_shield = (
        r.round
        or r.has("buckler")
        or (not r.has("kite", "heater", "tower") and c.rng.random() < 0.5)
    )
    thick = 0.035
    face = c.mat("wood" if round_shield else "paint", "main,paint")
    if round_shield:
        rad = size / 2 * r.wide * (0.6 if r.has("buckler") else 1.0)
        prof = [(rad, 0.0), (rad, thick * 0.6), (rad * 0.85, thick * 1.1), (0.0, thick * 1.3)]
        c.add("face", _along_z(g.lathe(prof, c.seg)).moved(y=rad), face)
        c.add(
            "rim",
            _along_z(g.torus(rad, 0.018, c.seg, c.small)).moved(y=rad, z=thick * 0.3),
            c.mat("gold" if r.ornate else "iron"),
        )
        c.add(
            "boss",
            _along_z(g.lathe([(rad * 0.2, 0.0), (rad * 0.18, 0.02), (0.0, 0.07)], c.seg)).moved(
                y=rad, z=thick * 1.1
            ),
            c.mat("steel"),
        )
        return
    w = size * 0.8 * r.wide
    h = size * 1.15
    n = max(3, c.small)
    right = [
        (w / 2 * math.cos(a), h * 0.55 * (1 - math.sin(a)))
        for a in np.linspace(0, math.pi / 2, n + 1)
    ]
    # Counter-clockwise heater outline: the point at the bottom, straight sides, flat top.
    full = [(0.0, 0.0)] + right[::-1][1:] + [(w / 2, h), (-w / 2, h)]
    full += [(-x, y) for x, y in right[:-1]]
    c.add("face", g.extrude(full, thick).moved(z=thick / 2), face, flat=False)
    bigger = [(x * 1.06, yy * 1.04 - h * 0.02) for x, yy in full]
    c.add("rim", g.extrude(bigger, thick * 0.6).moved(z=0.0), c.mat("gold" if r.ornate else "iron"))
    c.add(
        "boss",
        _along_z(g.lathe([(w * 0.12, 0.0), (w * 0.1, 0.015), (0.0, 0.05)], c.seg)).moved(
            y=h * 0.6, z=thick
        ),
        c.mat("steel"),
    )
    ew, eh = w * 0.12, h * 0.3
    if c.rng.random() < 0.5:
        emblem = [g.box(ew, eh * 1.6, 0.01), g.box(eh * 1.1, ew, 0.01).moved(y=eh * 0.25)]
    else:
        emblem = [g.extrude([(0.0, eh), (ew * 1.4, 0.0), (0.0, -eh), (-ew * 1.4, 0.0)], 0.01)]
    c.add(
        "emblem",
        [e.moved(y=h * 0.5, z=thick + 0.005) for e in emblem],
        c.mat("gold" if r.ornate else "plaster"),
    )


def build_helmet(c: Ctx) -> None:
    """Build a helmet resting on the ground: domed shell plus nasal bar or visor."""
    r = c.r
    rad = 0.13 * r.wide * c.j(0.06)
    h = 0.16 * r.long * c.j(0.1)
    great = r.has("great", "greathelm", "bucket", "visor", "closed") or (
        not r.has("viking", "horned") and c.rng.random() < 0.4
    )
    n = max(3, c.small // 2)
    shell_mat = c.mat("steel", "main")
    if great:
        prof = [(rad, 0.0), (rad, h)] + [
            (rad * math.cos(t), h + rad * 0.5 * math.sin(t))
            for t in np.linspace(0, math.pi / 2, n + 1)[1:]
        ]
        prof[-1] = (0.0, prof[-1][1])
        c.add("dome", g.lathe(prof, c.seg, cap_bottom=False), shell_mat)
        c.add("visor", g.box(rad * 1.1, 0.022, 0.03).moved(y=h * 0.72, z=rad * 0.9), c.mat("eye"))
        c.add(
            "rim",
            g.torus(rad * 1.01, 0.01, c.seg, c.small).moved(y=0.008),
            c.mat("gold" if r.ornate else "iron"),
        )
        c.add(
            "cross",
            g.box(0.02, h * 0.7, 0.015).moved(y=h * 0.4, z=rad * 1.0),
            c.mat("gold" if r.ornate else "iron"),
        )
    else:
        prof = [(rad, 0.0), (rad, h * 0.35)] + [
            (rad * math.cos(t), h * 0.35 + h * 0.75 * math.sin(t))
            for t in np.linspace(0, math.pi / 2, n + 2)[1:]
        ]
        prof[-1] = (0.0, prof[-1][1])
        c.add("dome", g.lathe(prof, c.seg, cap_bottom=False), shell_mat)
        c.add(
            "rim",
            g.torus(rad * 1.02, 0.012, c.seg, c.small).moved(y=0.02),
            c.mat("gold" if r.ornate else "bronze"),
        )
        c.add("nasal", g.box(0.022, h * 0.5, 0.012).moved(y=-h * 0.05, z=rad * 1.02), c.mat("iron"))
    if r.has("viking", "horned", "horns") or (r.ornate and not great):
        horns = []
        for side in (-1, 1):
            pts = [
                (side * (rad * 0.9 + 0.09 * t), h * 0.6 + 0.12 * t * t, 0.0)
                for t in np.linspace(0, 1, 6)
            ]
            horn = g.tube_path(pts, 0.022, c.small)
            # Taper the horn towards the tip.
            d = np.abs(horn.v[:, 0]) - rad * 0.9
            k = np.clip(1 - d / 0.11, 0.15, 1)
            axis = np.interp(np.abs(horn.v[:, 0]), [p[0] * side for p in pts], [p[1] for p in pts])
            horn.v[:, 1] = axis + (horn.v[:, 1] - axis) * k
            horn.v[:, 2] *= k
            horns.append(horn)
        c.add("horns", horns, c.mat("bone"))
    elif r.ornate or great and c.rng.random() < 0.5:
        crest = [(-0.08, 0.0), (0.09, 0.0), (0.06, 0.05), (-0.05, 0.06)]
        top = h + (rad * 0.5 if great else h * 0.75)
        c.add(
            "crest",
            g.extrude(crest, 0.02).rotated("y", 90).moved(y=top - 0.01),
            c.mat("cloth", "paint"),
        )


# --- containers and furniture --------------------------------------------------------------


def build_chest(c: Ctx) -> None:
    """Build a treasure chest: wooden body, barrel-vaulted lid, iron bands and a lock."""
    r = c.r
    w = 0.8 * r.wide * c.j(0.1)
    d = 0.48 * c.j(0.1)
    h = 0.42 * r.long * c.j(0.1)
    c.add("body", g.box(w, h, d).moved(y=h / 2), c.mat("wood", "main,paint"))
    n = max(3, c.small)
    arc = [(d / 2 * math.cos(t), d / 2 * 0.6 * math.sin(t)) for t in np.linspace(0, math.pi, n + 1)]
    lid = g.extrude(arc, w).rotated("y", 90).moved(y=h)
    c.add("lid", lid, c.mat("wood", "main,paint"))
    bands = []
    for x in (-w * 0.36, w * 0.36) + ((0.0,) if r.ornate else ()):
        bands.append(g.box(0.045, h + 0.004, d + 0.012).moved(x=x, y=h / 2))
        bigger = [(px * 1.04, py * 1.05) for px, py in arc]
        bands.append(g.extrude(bigger, 0.045).rotated("y", 90).moved(x=x, y=h))
    metal = c.mat("gold" if r.ornate else "dark_iron")
    c.add("bands", bands, metal)
    c.add("lock", g.box(0.08, 0.1, 0.03).moved(y=h - 0.01, z=d / 2 + 0.01), c.mat("gold"))
    if r.has("treasure", "gold", "coins", "loot") and not r.broken:
        coins = [
            g.cylinder(0.025, 0.006, c.small).moved(
                x=c.rng.uniform(-w * 0.4, w * 0.4),
                z=d / 2 + 0.1 + c.rng.uniform(0, 0.15),
                y=0.006 * k,
            )
            for k in range(6)
        ]
        c.add("coins", coins, c.mat("gold"))


def build_barrel(c: Ctx) -> None:
    """Build a standing barrel: bulging staves, iron hoops and a lid."""
    r = c.r
    h = 0.9 * r.long * c.j(0.08)
    rad = 0.3 * r.wide * c.j(0.08)
    bulge = 1.15 * c.j(0.04)
    rings = max(4, c.seg // 2)
    prof = [
        (rad * (1 + (bulge - 1) * math.sin(math.pi * t)), h * t)
        for t in np.linspace(0, 1, rings + 1)
    ]
    c.add("staves", g.lathe(prof, c.seg), c.mat("wood", "main"))
    c.add("lid", g.cylinder(rad * 0.9, 0.012, c.seg).moved(y=h - 0.004), c.mat("dark_wood"))
    hoops = []

    def radius_at(t: float) -> float:
        return rad * (1 + (bulge - 1) * math.sin(math.pi * t)) + 0.008

    for t in (0.06, 0.28, 0.72, 0.94):
        t0, t1 = t - 0.025, t + 0.025
        band = [(radius_at(t0), h * t0), (radius_at(t), h * t), (radius_at(t1), h * t1)]
        hoops.append(g.lathe(band, c.seg, cap_bottom=False, cap_top=False))
    c.add("hoops", hoops, c.mat("dark_iron", "paint"))


def build_crate(c: Ctx) -> None:
    """Build a wooden crate: panels, edge frame and diagonal braces."""
    r = c.r
    s = 0.6 * c.j(0.08)
    w, h, d = s * r.wide, s * r.long, s
    c.add(
        "panels",
        g.box(w * 0.96, h * 0.96, d * 0.96).moved(y=h / 2),
        c.mat("light_wood", "main,paint"),
    )
    b = 0.06 * s / 0.6
    frame = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            frame.append(g.box(b, h, b).moved(x=sx * (w - b) / 2, y=h / 2, z=sz * (d - b) / 2))
    for sy in (0, 1):
        for sz in (-1, 1):
            frame.append(g.box(w, b, b).moved(y=b / 2 + sy * (h - b), z=sz * (d - b) / 2))
        for sx in (-1, 1):
            frame.append(g.box(b, b, d).moved(x=sx * (w - b) / 2, y=b / 2 + sy * (h - b)))
    c.add("frame", frame, c.mat("wood"))
    braces = []
    diag = math.hypot(w - 2 * b, h - 2 * b)
    ang = math.degrees(math.atan2(h - 2 * b, w - 2 * b)) * c.pick([1, -1])
    for sz in (-1, 1):
        braces.append(g.box(diag, b * 0.8, b * 0.5).rotated("z", ang).moved(y=h / 2, z=sz * d / 2))
    angz = math.degrees(math.atan2(h - 2 * b, d - 2 * b))
    diagz = math.hypot(d - 2 * b, h - 2 * b)
    for sx in (-1, 1):
        braces.append(
            g.box(diagz, b * 0.8, b * 0.5)
            .rotated("z", angz)
            .rotated("y", 90)
            .moved(x=sx * w / 2, y=h / 2)
        )
    c.add("braces", braces, c.mat("wood"))
    nails = []
    for sx in (-1, 1):
        for sy in (0, 1):
            nails.append(
                _along_z(g.cylinder(0.008, 0.006, c.small)).moved(
                    x=sx * (w - b) / 2, y=b / 2 + sy * (h - b), z=d / 2
                )
            )
    c.add("nails", nails, c.mat("iron"))


def build_chair(c: Ctx) -> None:
    """Build a chair: seat, four legs and a slatted backrest (a throne when ornate)."""
    r = c.r
    throne = r.has("throne") or r.ornate
    stool = r.has("stool")
    sw = 0.45 * r.wide * c.j(0.08) * (1.4 if throne else 1.0)
    sd = 0.45 * c.j(0.08) * (1.2 if throne else 1.0)
    sh = 0.45 * c.j(0.06)
    legw = 0.04 * c.j(0.1) * (1.4 if throne else 1.0)
    wood = c.mat("wood", "main")
    round_legs = r.round or c.rng.random() < 0.5
    legs = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            x, z = sx * (sw / 2 - legw), sz * (sd / 2 - legw)
            if round_legs:
                legs.append(
                    g.cylinder(legw / 2, sh, c.small, top_radius=legw * 0.6).moved(x=x, z=z)
                )
            else:
                legs.append(g.box(legw, sh, legw).moved(x=x, y=sh / 2, z=z))
    c.add("legs", legs, wood)
    c.add("seat", g.box(sw, 0.05, sd).moved(y=sh + 0.025), wood)
    if stool:
        return
    bh = 0.5 * r.long * c.j(0.1) * (1.8 if throne else 1.0)
    back = []
    for sx in (-1, 1):
        back.append(
            g.box(legw, bh, legw).moved(
                x=sx * (sw / 2 - legw), y=sh + 0.05 + bh / 2, z=-(sd / 2 - legw)
            )
        )
    back.append(g.box(sw, 0.07, legw).moved(y=sh + 0.05 + bh - 0.035, z=-(sd / 2 - legw)))
    if throne:
        back.append(
            g.box(sw - legw, bh * 0.9, 0.03).moved(y=sh + 0.05 + bh * 0.45, z=-(sd / 2 - legw))
        )
    else:
        slats = c.pick([2, 3, 4])
        for k in range(slats):
            x = (k - (slats - 1) / 2) * (sw - 2 * legw) / slats
            back.append(
                g.box(0.035, bh * 0.75, 0.02).moved(x=x, y=sh + 0.05 + bh * 0.4, z=-(sd / 2 - legw))
            )
    c.add("backrest", back, wood)
    if throne:
        c.add(
            "cushion", g.box(sw * 0.85, 0.06, sd * 0.85).moved(y=sh + 0.08), c.mat("cloth", "paint")
        )
        c.add(
            "finials",
            [
                g.sphere(legw * 0.8, c.small).moved(
                    x=sx * (sw / 2 - legw), y=sh + 0.05 + bh + legw * 0.6, z=-(sd / 2 - legw)
                )
                for sx in (-1, 1)
            ],
            c.mat("gold"),
        )


def build_table(c: Ctx) -> None:
    """Build a table: a rectangular or round top on four legs."""
    r = c.r
    w = 1.4 * r.wide * c.j(0.12) * (0.8 if r.has("desk") else 1.0)
    d = 0.8 * c.j(0.1)
    h = 0.75 * r.long * c.j(0.05)
    top_t = 0.05 * c.j(0.2)
    wood = c.mat("wood", "main,paint")
    round_top = r.round
    if round_top:
        rad = max(w, d) / 2 * 0.85
        c.add("top", g.cylinder(rad, top_t, c.seg).moved(y=h - top_t), wood)
        inset_x = inset_z = rad * 0.55
    else:
        c.add("top", g.box(w, top_t, d).moved(y=h - top_t / 2), wood)
        inset_x, inset_z = w / 2 - 0.08, d / 2 - 0.08
    legw = 0.06 * c.j(0.1)
    legs = []
    turned = c.rng.random() < 0.5
    for sx in (-1, 1):
        for sz in (-1, 1):
            if turned:
                prof = [
                    (legw / 2, 0),
                    (legw * 0.35, h * 0.3),
                    (legw * 0.6, h * 0.6),
                    (legw * 0.45, h - top_t),
                ]
                legs.append(g.lathe(prof, c.small).moved(x=sx * inset_x, z=sz * inset_z))
            else:
                legs.append(
                    g.box(legw, h - top_t, legw).moved(
                        x=sx * inset_x, y=(h - top_t) / 2, z=sz * inset_z
                    )
                )
    c.add("legs", legs, c.mat("dark_wood"))
    if not round_top:
        apron = []
        for sz in (-1, 1):
            apron.append(g.box(2 * inset_x, 0.08, 0.02).moved(y=h - top_t - 0.04, z=sz * inset_z))
        for sx in (-1, 1):
            apron.append(g.box(0.02, 0.08, 2 * inset_z).moved(x=sx * inset_x, y=h - top_t - 0.04))
        c.add("apron", apron, c.mat("dark_wood"))


# --- nature ---------------------------------------------------------------------------------


def build_tree(c: Ctx) -> None:
    """Build a tree: tapered trunk with a leafy crown or stacked conifer cones."""
    r = c.r
    h = 4.0 * r.long * c.j(0.15)
    trunk_r = 0.18 * r.wide * c.j(0.15)
    conifer = r.has("pine", "fir", "spruce", "conifer", "christmas", "evergreen") or (
        not r.has("oak", "birch", "willow") and c.rng.random() < 0.35
    )
    dead = r.has("dead", "bare", "leafless", "withered") or r.broken
    trunk_h = h * (0.45 if conifer else 0.55)
    bend = c.rng.uniform(-0.15, 0.15)
    rings = max(3, c.small // 2)
    pts = [(bend * t * t * h * 0.3, trunk_h * t, 0.0) for t in np.linspace(0, 1, rings + 1)]
    trunk = g.tube_path(pts, trunk_r, c.seg)
    top = np.array(pts[-1])
    k = 1 - 0.45 * trunk.v[:, 1] / trunk_h
    trunk.v[:, 0] = (
        trunk.v[:, 0] - np.interp(trunk.v[:, 1], [p[1] for p in pts], [p[0] for p in pts])
    ) * k + np.interp(trunk.v[:, 1], [p[1] for p in pts], [p[0] for p in pts])
    trunk.v[:, 2] *= k
    bark = c.mat("bark" if not r.has("birch") else "bone", "main")
    c.add("trunk", trunk, bark)
    if dead:
        branches = []
        for _ in range(5):
            a = c.rng.uniform(0, 360)
            y0 = trunk_h * c.rng.uniform(0.5, 0.95)
            length = h * c.rng.uniform(0.15, 0.3)
            bp = [
                (0.0, y0, 0.0),
                (length * 0.5, y0 + length * 0.3, 0.0),
                (length, y0 + length * 0.8, 0.0),
            ]
            branches.append(
                g.tube_path(bp, trunk_r * 0.3, c.small)
                .rotated("y", a)
                .moved(x=top[0] * y0 / trunk_h)
            )
        c.add("branches", branches, bark)
        return
    leaf = c.mat("foliage", "paint")
    if conifer:
        tiers = c.pick([3, 4])
        cones = []
        base = trunk_h * 0.35
        span = h - base
        for k in range(tiers):
            t = k / tiers
            rad = h * 0.3 * r.wide * (1 - t * 0.6)
            cones.append(g.cone(rad, span * 0.5, c.seg).moved(x=top[0], y=base + span * t * 0.75))
        c.add("foliage", cones, leaf)
        return
    blobs = []
    crown_r = h * 0.22 * r.wide
    center = top + np.array([0.0, crown_r * 0.5, 0.0])
    count = c.pick([4, 5, 6])
    blobs.append(g.sphere(crown_r, c.seg).scaled(1, 0.85, 1).moved(*center))
    for _ in range(count):
        dirv = c.nrng.normal(size=3)
        dirv[1] = abs(dirv[1]) * 0.5
        dirv /= np.linalg.norm(dirv)
        rad = crown_r * c.rng.uniform(0.55, 0.8)
        p = center + dirv * crown_r * 0.75
        blobs.append(g.sphere(rad, c.seg).moved(*p))
    c.add("foliage", blobs, leaf)


def build_rock(c: Ctx) -> None:
    """Build a jagged boulder with a few pebbles around it."""
    r = c.r
    rad = 0.6 * c.j(0.2)
    rough = 0.35 if not r.round else 0.12
    rock = g.icosphere_rock(rad, c.detail, c.nrng, rough).scaled(
        r.wide, 0.65 * r.long, r.wide * c.j(0.2)
    )
    rock = rock.moved(y=-rock.v[:, 1].min() - 0.08 * rad)
    flat = not r.round
    c.add("rock", rock, c.mat("rock", "main,paint"), flat=flat)
    pebbles = []
    for _ in range(c.pick([2, 3, 4])):
        a = c.rng.uniform(0, 2 * math.pi)
        pr = rad * c.rng.uniform(0.12, 0.25)
        p = g.icosphere_rock(pr, max(0, c.detail - 1), c.nrng, rough).scaled(1, 0.6, 1)
        dist = rad * r.wide * c.rng.uniform(1.0, 1.4)
        pebbles.append(p.moved(x=math.cos(a) * dist, y=pr * 0.4, z=math.sin(a) * dist))
    c.add("pebbles", pebbles, c.mat("dark_stone"), flat=flat)


def build_mushroom(c: Ctx) -> None:
    """Build a toadstool: pale stem, domed red cap and white spots (a cluster if plural)."""
    r = c.r
    count = 3 if r.plural or r.has("cluster", "group") else 1
    stems, caps, spots = [], [], []
    for k in range(count):
        s = (1.0 if k == 0 else c.rng.uniform(0.45, 0.7)) * c.j(0.1)
        h = 0.28 * s * r.long
        sr = 0.05 * s * r.wide
        cr = 0.16 * s * r.wide * c.j(0.1)
        off = (0.0, 0.0) if k == 0 else (math.cos(k * 2.3) * 0.22, math.sin(k * 2.3) * 0.22)
        stems.append(
            g.lathe([(sr * 1.3, 0), (sr, h * 0.4), (sr * 0.85, h)], c.small).moved(
                x=off[0], z=off[1]
            )
        )
        n = max(3, c.small // 2)
        ch = cr * (0.55 if not r.has("flat") else 0.3)
        prof = [(0.0, h - ch * 0.1), (cr * 0.95, h - ch * 0.05), (cr, h)]
        prof += [
            (cr * math.cos(t), h + ch * math.sin(t)) for t in np.linspace(0, math.pi / 2, n + 1)[1:]
        ]
        prof[-1] = (0.0, prof[-1][1])
        caps.append(g.lathe(prof, c.seg).moved(x=off[0], z=off[1]))
        for _ in range(5 if k == 0 else 3):
            a = c.rng.uniform(0, 2 * math.pi)
            t = c.rng.uniform(0.25, 1.1)
            px, pz = cr * math.cos(t) * math.cos(a), cr * math.cos(t) * math.sin(a)
            py = h + ch * math.sin(t)
            spots.append(
                g.sphere(cr * 0.12, c.small).scaled(1, 0.45, 1).moved(px + off[0], py, pz + off[1])
            )
    c.add("stem", stems, c.mat("mushroom_stem"))
    c.add("cap", caps, c.mat("mushroom_cap", "main,paint"))
    c.add("spots", spots, c.mat("mushroom_spots"))


def build_crystal(c: Ctx) -> None:
    """Build a crystal cluster: pointed hexagonal prisms on a rocky base."""
    r = c.r
    shards = []
    count = c.pick([4, 5, 6, 7]) if not r.has("single", "gem", "diamond") else 1
    for k in range(count):
        main = k == 0
        h = (0.6 if main else c.rng.uniform(0.25, 0.45)) * r.long * c.j(0.1)
        rad = (0.09 if main else c.rng.uniform(0.04, 0.07)) * r.wide
        prism = g.lathe([(rad, 0.0), (rad, h), (0.0, h + rad * 1.6)], 6, phase=c.rng.uniform(0, 1))
        tilt = 0 if main else c.rng.uniform(20, 45)
        shards.append(prism.rotated("z", tilt).rotated("y", c.rng.uniform(0, 360)))
    c.add("crystals", shards, c.mat("crystal", "main,paint"), flat=True)
    base = g.icosphere_rock(0.18 * r.wide, max(0, c.detail - 1), c.nrng, 0.25).scaled(
        1.2, 0.45, 1.2
    )
    c.add("base", base, c.mat("dark_stone"), flat=True)


# --- buildings -----------------------------------------------------------------------------


def build_house(c: Ctx) -> None:
    """Build a cottage: walls, gabled roof, door, windows and a chimney."""
    r = c.r
    w = 5.0 * r.wide * c.j(0.12)
    d = 4.0 * c.j(0.12)
    h = 2.8 * r.long * c.j(0.1)
    c.add(
        "walls",
        g.box(w, h, d).moved(y=h / 2),
        c.mat("plaster" if not r.has("log", "cabin") else "wood", "main"),
    )
    pitch = c.rng.uniform(0.55, 0.9)
    rh = d / 2 * pitch
    over = 0.3
    roof_poly = [(-(d / 2 + over), -over * pitch), (d / 2 + over, -over * pitch), (0.0, rh)]
    if not r.broken:
        c.add(
            "roof",
            g.extrude(roof_poly, w + 2 * over * 0.7).rotated("y", 90).moved(y=h),
            c.mat("roof", "paint"),
            flat=True,
        )
    else:
        half = [(-(d / 2 + over), -over * pitch), (0.0, 0.0), (0.0, rh)]
        c.add(
            "roof",
            g.extrude(half, w * 0.6).rotated("y", 90).moved(x=-w * 0.2, y=h),
            c.mat("roof", "paint"),
            flat=True,
        )
    gable = [(-d / 2, 0.0), (d / 2, 0.0), (0.0, rh * 0.98)]
    c.add(
        "gables",
        [
            g.extrude(gable, 0.1).rotated("y", 90).moved(x=sx * (w / 2 - 0.05), y=h)
            for sx in (-1, 1)
        ],
        c.mat("wood"),
        flat=True,
    )
    door_x = c.rng.uniform(-w * 0.15, w * 0.15)
    c.add("door", g.box(0.9, 1.9, 0.08).moved(x=door_x, y=0.95, z=d / 2 + 0.02), c.mat("dark_wood"))
    windows, frames = [], []
    for x in (-w * 0.32, w * 0.32):
        if abs(x - door_x) < 1.0:
            continue
        windows.append(g.box(0.8, 0.8, 0.06).moved(x=x, y=h * 0.55, z=d / 2 + 0.02))
        frames.append(g.box(0.95, 0.1, 0.1).moved(x=x, y=h * 0.55 - 0.45, z=d / 2 + 0.03))
    for z in (-d * 0.2, d * 0.2):
        for sx in (-1, 1):
            windows.append(g.box(0.06, 0.7, 0.7).moved(x=sx * (w / 2 + 0.02), y=h * 0.55, z=z))
    c.add("windows", windows, c.mat("glass"))
    if frames:
        c.add("sills", frames, c.mat("wood"))
    if c.rng.random() < 0.8 and not r.broken:
        cx = c.pick([-1, 1]) * w * 0.3
        c.add(
            "chimney",
            g.box(0.5, rh + 1.0, 0.5).moved(x=cx, y=h + (rh + 1.0) / 2, z=-d * 0.15),
            c.mat("stone"),
        )


def build_tower(c: Ctx) -> None:
    """Build a round stone tower with windows and a conical roof or battlements."""
    r = c.r
    rad = 1.6 * r.wide * c.j(0.1)
    h = 9.0 * r.long * c.j(0.12)
    stone = c.mat("stone", "main")
    c.add("body", g.cylinder(rad, h, c.seg, top_radius=rad * 0.92), stone)
    coned = r.has("wizard", "spire", "roof") or (
        not r.has("castle", "fort", "battlements") and c.rng.random() < 0.55
    )
    if r.broken:
        coned = False
    if coned:
        c.add("roof", g.cone(rad * 1.2, h * 0.4, c.seg).moved(y=h), c.mat("roof", "paint"))
    else:
        c.add("parapet", g.cylinder(rad * 1.08, 0.4, c.seg).moved(y=h - 0.1), stone)
        teeth = []
        n = 8 if c.seg < 16 else 12
        for k in range(n):
            if r.broken and k % 3 == 0:
                continue
            a = 360 * k / n
            teeth.append(g.box(0.5, 0.6, 0.35).moved(z=rad * 1.02, y=h + 0.6).rotated("y", a))
        c.add("battlements", teeth, stone)
    windows = []
    for k in range(max(2, int(h / 3))):
        a = (k * 137.5 + c.rng.uniform(-20, 20)) % 360
        y = 2.5 + k * 2.6
        if y > h - 1.0:
            break
        windows.append(
            g.box(0.35, 0.8, 0.2).moved(z=rad * 0.95 * (1 - 0.08 * y / h), y=y).rotated("y", a)
        )
    c.add("windows", windows, c.mat("eye"))
    c.add("door", g.box(1.0, 1.8, 0.3).moved(y=0.9, z=rad - 0.05), c.mat("dark_wood"))


# --- small props ---------------------------------------------------------------------------


def build_potion(c: Ctx) -> None:
    """Build a round potion flask with coloured liquid and a cork."""
    r = c.r
    rad = 0.06 * r.wide * c.j(0.1)
    neck_r = rad * 0.32
    neck_h = rad * 0.9 * r.long * c.j(0.15)
    n = max(4, c.small)
    conical = r.has("conical", "triangular") or c.rng.random() < 0.25
    if conical:
        prof = [(0.0, 0.0), (rad * 1.1, 0.0), (rad * 1.1, rad * 0.1), (neck_r, rad * 1.6)]
        body_top = rad * 1.6
    else:
        prof = [(0.0, 0.0)]
        top_t = math.pi - math.asin(neck_r / rad)
        for t in np.linspace(0.15, top_t, n + 1):
            prof.append((rad * math.sin(t), rad - rad * math.cos(t)))
        body_top = prof[-1][1]
    prof += [
        (neck_r, body_top + neck_h),
        (neck_r * 1.3, body_top + neck_h + 0.005),
        (neck_r * 1.3, body_top + neck_h + 0.012),
    ]
    c.add("flask", g.lathe(prof, c.seg, cap_top=False), c.mat("glass", "main"))
    level = rad * c.rng.uniform(1.1, 1.5)
    if conical:
        inner = [
            (0.0, 0.004),
            (rad * 1.0, 0.004),
            (rad * 1.0, rad * 0.1),
            (rad * 1.05 - (rad * 1.05 - neck_r) * (level / (rad * 1.6)), level),
        ]
    else:
        inner = [(0.0, 0.004)]
        for t in np.linspace(0.15, math.acos(max(-1.0, 1 - level / rad)), n + 1):
            inner.append((rad * 0.93 * math.sin(t), rad - rad * 0.93 * math.cos(t)))
    c.add("liquid", g.lathe(inner, c.seg), c.mat("liquid", "paint"))
    cork_y = body_top + neck_h - 0.01
    c.add(
        "cork",
        g.cylinder(neck_r * 0.95, neck_r * 1.8, c.small, top_radius=neck_r * 1.15).moved(y=cork_y),
        c.mat("cork"),
    )


def build_bottle(c: Ctx) -> None:
    """Build a wine bottle: tall body, shoulder, neck, label and cork."""
    r = c.r
    rad = 0.038 * r.wide * c.j(0.08)
    h = 0.2 * r.long * c.j(0.08)
    if r.has("jar", "jug"):
        rad *= 1.8
        h *= 0.6
    n = max(3, c.small // 2)
    prof = [(0.0, 0.0), (rad, 0.0), (rad, h)]
    for t in np.linspace(0, math.pi / 2, n + 1)[1:]:
        prof.append((rad - (rad - rad * 0.33) * math.sin(t), h + rad * 0.9 * math.sin(t) * 0.9))
    top = prof[-1][1]
    prof += [
        (rad * 0.33, top + 0.08 * r.long),
        (rad * 0.4, top + 0.085 * r.long),
        (rad * 0.4, top + 0.1 * r.long),
    ]
    c.add("bottle", g.lathe(prof, c.seg), c.mat("bottle_glass", "main"))
    c.add(
        "label",
        g.cylinder(rad * 1.01, h * 0.4, c.seg, top_radius=rad * 1.01).moved(y=h * 0.3),
        c.mat("sail", "paint"),
    )
    c.add(
        "cork",
        g.cylinder(rad * 0.3, 0.02, c.small).moved(y=top + 0.1 * r.long - 0.005),
        c.mat("cork"),
    )


def build_lamp(c: Ctx) -> None:
    """Build a lamp: a lantern, a street lamp or a table lamp with a shade, as the prompt says."""
    r = c.r
    if r.has("lantern"):
        _lantern(c, 0.0)
        return
    if r.has("street", "lamppost", "streetlamp", "streetlight", "post"):
        h = 3.2 * r.long * c.j(0.08)
        c.add(
            "post",
            [
                g.cylinder(0.12, 0.3, c.small).scaled(1.0),
                g.cylinder(0.05, h, c.small, top_radius=0.04),
            ],
            c.mat("dark_iron", "main"),
        )
        _lantern(c, h, scale=1.6)
        return
    if r.has("candle"):
        c.add(
            "holder",
            g.lathe([(0.06, 0.0), (0.06, 0.01), (0.02, 0.02), (0.025, 0.04)], c.seg),
            c.mat("bronze", "main"),
        )
        ch = 0.12 * r.long * c.j(0.2)
        c.add(
            "candle", g.cylinder(0.018, ch, c.small).moved(y=0.04), c.mat("mushroom_stem", "paint")
        )
        c.add(
            "flame",
            g.lathe([(0.0, 0.0), (0.008, 0.01), (0.0, 0.035)], c.small).moved(y=0.04 + ch + 0.003),
            c.mat("flame"),
        )
        return
    base_r = 0.09 * r.wide * c.j(0.1)
    h = 0.38 * r.long * c.j(0.1)
    c.add(
        "base",
        g.lathe([(base_r, 0.0), (base_r, 0.02), (base_r * 0.5, 0.05), (0.0, 0.05)], c.seg),
        c.mat("bronze", "main"),
    )
    c.add("stem", g.cylinder(0.012, h, c.small).moved(y=0.05), c.mat("bronze", "main"))
    sb, st, sh = 0.16 * r.wide * c.j(0.1), 0.09 * r.wide, 0.2 * c.j(0.1)
    y0 = 0.05 + h - sh * 0.55
    t = 0.004
    shade = g.lathe(
        [(sb, y0), (st, y0 + sh), (st - t, y0 + sh), (sb - t, y0), (sb, y0)],
        c.seg,
        cap_bottom=False,
        cap_top=False,
    )
    c.add("shade", shade, c.mat("sail", "paint"))
    c.add("bulb", g.sphere(0.035, c.small).moved(y=0.05 + h + 0.01), c.mat("light"))


def _lantern(c: Ctx, y0: float, scale: float = 1.0) -> None:
    s = 0.12 * scale * c.r.wide
    h = 0.22 * scale * c.r.long
    metal = c.mat("dark_iron", "main")
    frame = [g.box(s * 1.3, 0.02 * scale, s * 1.3).moved(y=y0 + 0.01 * scale)]
    for sx in (-1, 1):
        for sz in (-1, 1):
            frame.append(
                g.box(0.012 * scale, h, 0.012 * scale).moved(
                    x=sx * s / 2, y=y0 + h / 2, z=sz * s / 2
                )
            )
    frame.append(g.lathe([(s * 0.8, 0.0), (0.0, h * 0.45)], 4, phase=math.pi / 4).moved(y=y0 + h))
    c.add("frame", frame, metal, flat=True)
    c.add("glass", g.box(s * 0.95, h * 0.95, s * 0.95).moved(y=y0 + h / 2), c.mat("glass"))
    c.add(
        "flame",
        g.lathe([(0.0, 0.0), (0.015 * scale, 0.02 * scale), (0.0, 0.06 * scale)], c.small).moved(
            y=y0 + 0.03 * scale
        ),
        c.mat("flame", "paint"),
    )
    c.add(
        "handle",
        g.torus(s * 0.3, 0.006 * scale, c.small, 4)
        .rotated("x", 90)
        .moved(y=y0 + h * 1.45 + s * 0.3),
        metal,
    )


def build_totem(c: Ctx) -> None:
    """Build a generic totem: a stack of simple shapes on a plinth."""
    r = c.r
    h = 1.4 * r.long * c.j(0.1)
    w = 0.3 * r.wide * c.j(0.1)
    c.add("base", g.box(w * 2.2, 0.15, w * 2.2).moved(y=0.075), c.mat("dark_stone"))
    c.add(
        "column",
        g.cylinder(w * 0.7, h * 0.6, c.seg, top_radius=w * 0.55).moved(y=0.15),
        c.mat("stone", "main"),
    )
    c.add("band", g.torus(w * 0.62, 0.03, c.seg, c.small).moved(y=0.15 + h * 0.3), c.mat("gold"))
    orb_r = w * 0.65
    c.add(
        "orb",
        g.sphere(orb_r, c.seg).moved(y=0.15 + h * 0.6 + orb_r * 0.9),
        c.mat("crystal", "paint"),
    )
    c.add(
        "top",
        g.cone(w * 0.4, h * 0.25, c.seg).moved(y=0.15 + h * 0.6 + orb_r * 1.8),
        c.mat("stone", "main"),
    )


# --- characters and creatures ---------------------------------------------------------------


def build_humanoid(c: Ctx) -> None:
    """Build a standing figure in an A-pose; knights get armour and a sword, mages a robe and staff."""
    r = c.r
    knight = r.has(
        "knight",
        "paladin",
        "soldier",
        "warrior",
        "guard",
        "samurai",
        "viking",
        "armored",
        "armoured",
    )
    mage = r.has("wizard", "mage", "sorcerer", "witch", "warlock", "druid")
    dwarf = r.has("dwarf")
    height = (
        1.78
        * r.long
        * c.j(0.06)
        * (0.72 if dwarf else 1.0)
        * (0.7 if r.has("child", "boy", "girl") else 1.0)
    )
    k = height / 1.78
    bw = r.wide * c.j(0.08) * (1.25 if dwarf or r.has("orc", "golem") else 1.0)
    skin_key = "foliage" if r.has("orc", "zombie") else ("stone" if r.has("golem") else "skin")
    skin = c.mat(skin_key)
    hair_key = c.pick(["hair", "hair", "gold", "dark_wood", "rope"])
    cloth = (
        c.mat(c.pick(["cloth", "robe", "foliage", "leather"]), "paint")
        if not knight
        else c.mat("steel", "main")
    )
    pants = c.mat(c.pick(["leather", "dark_wood", "robe"])) if not knight else c.mat("iron")
    hip_y = 0.92 * k
    leg_r = 0.075 * k * bw
    if not mage:
        c.add(
            "legs",
            [
                g.capsule(leg_r, hip_y, c.seg).moved(x=sx * 0.1 * k * bw, y=0.06 * k)
                for sx in (-1, 1)
            ],
            pants,
        )
        c.add(
            "feet",
            [
                g.box(0.11 * k * bw, 0.07 * k, 0.24 * k).moved(
                    x=sx * 0.1 * k * bw, y=0.035 * k, z=0.04 * k
                )
                for sx in (-1, 1)
            ],
            c.mat("leather"),
        )
    else:
        c.add(
            "robe",
            g.lathe([(0.3 * k * bw, 0.0), (0.19 * k * bw, hip_y + 0.1 * k)], c.seg, cap_top=False),
            c.mat("robe", "paint"),
        )
    torso_h = 0.55 * k
    prof = [
        (0.0, 0.0),
        (0.16 * k * bw, 0.0),
        (0.15 * k * bw, torso_h * 0.3),
        (0.19 * k * bw, torso_h * 0.75),
        (0.2 * k * bw, torso_h * 0.9),
        (0.12 * k * bw, torso_h),
        (0.0, torso_h),
    ]
    torso = g.lathe(prof, c.seg).scaled(1, 1, 0.65).moved(y=hip_y)
    c.add("torso", torso, cloth if not mage else c.mat("robe", "paint"))
    c.add(
        "belt",
        g.cylinder(0.165 * k * bw, 0.06 * k, c.seg).scaled(1, 1, 0.68).moved(y=hip_y + 0.02 * k),
        c.mat("leather"),
    )
    shoulder_y = hip_y + torso_h * 0.88
    arm_len = 0.66 * k
    arm_r = 0.05 * k * bw
    arms, hands = [], []
    for sx in (-1, 1):
        arm = g.capsule(arm_r, arm_len, c.seg).moved(y=-arm_len + arm_r).rotated("z", sx * 14)
        arms.append(arm.moved(x=sx * 0.23 * k * bw, y=shoulder_y))
        ang = math.radians(sx * 14)
        hx = sx * 0.23 * k * bw + math.sin(ang) * (arm_len - arm_r) * 1.0
        hy = shoulder_y - math.cos(ang) * (arm_len - arm_r)
        hands.append(g.sphere(arm_r * 1.15, c.small).moved(x=hx, y=hy - arm_r))
    c.add("arms", arms, cloth if not mage else c.mat("robe", "paint"))
    c.add("hands", hands, skin if not knight else c.mat("leather"))
    neck_y = hip_y + torso_h
    c.add("neck", g.cylinder(0.05 * k, 0.08 * k, c.small).moved(y=neck_y - 0.02 * k), skin)
    head_r = 0.11 * k
    head_y = neck_y + 0.06 * k + head_r * 1.1
    c.add("head", g.sphere(head_r, c.seg).scaled(0.95, 1.15, 1.0).moved(y=head_y), skin)
    c.add(
        "eyes",
        [
            g.sphere(head_r * 0.13, c.small).moved(
                x=sx * head_r * 0.38, y=head_y + head_r * 0.15, z=head_r * 0.88
            )
            for sx in (-1, 1)
        ],
        c.mat("eye"),
    )
    n = max(3, c.small // 2)
    if knight:
        prof = [(head_r * 1.15, 0.0), (head_r * 1.15, head_r * 0.6)] + [
            (head_r * 1.15 * math.cos(t), head_r * 0.6 + head_r * 0.85 * math.sin(t))
            for t in np.linspace(0, math.pi / 2, n + 1)[1:]
        ]
        prof[-1] = (0.0, prof[-1][1])
        helm = g.lathe(prof, c.seg).moved(y=head_y - head_r * 0.35)
        c.add("helmet", helm, c.mat("steel", "main"))
        c.add(
            "visor",
            g.box(head_r * 1.5, head_r * 0.12, head_r * 0.2).moved(
                y=head_y + head_r * 0.15, z=head_r * 1.1
            ),
            c.mat("eye"),
        )
        c.add(
            "pauldrons",
            [
                g.sphere(0.1 * k * bw, c.small)
                .scaled(1, 0.7, 1)
                .moved(x=sx * 0.22 * k * bw, y=shoulder_y + 0.02)
                for sx in (-1, 1)
            ],
            c.mat("steel", "main"),
        )
        hx, hy = hands[1].v.mean(axis=0)[:2]
        sword = g.merge(
            [
                g.cylinder(0.016, 0.15, c.small).moved(y=-0.07),
                g.box(0.03, 0.02, 0.18).moved(y=0.09),
                g.lathe([(0.025, 0.0), (0.022, 0.6), (0.0, 0.72)], 4)
                .scaled(0.3, 1, 1)
                .moved(y=0.1),
            ]
        )
        c.add("sword", sword.rotated("x", 80).moved(x=hx, y=hy), c.mat("steel"), flat=True)
        c.add(
            "cape",
            g.box(0.34 * k * bw, torso_h * 1.3, 0.02)
            .rotated("x", 8)
            .moved(y=shoulder_y - torso_h * 0.6, z=-0.14 * k),
            c.mat("cloth", "paint"),
        )
    elif mage:
        c.add(
            "hat",
            g.merge(
                [g.cylinder(head_r * 2.0, 0.015, c.seg), g.cone(head_r * 1.05, head_r * 3.2, c.seg)]
            ).moved(y=head_y + head_r * 0.7),
            c.mat("robe", "paint"),
        )
        c.add(
            "beard",
            g.cone(head_r * 0.6, head_r * 1.8, c.small)
            .scaled(1, -1, 0.6)
            .moved(y=head_y - head_r * 0.2, z=head_r * 0.6),
            c.mat("plaster"),
        )
        hx, hy = hands[1].v.mean(axis=0)[:2]
        c.add(
            "staff",
            g.cylinder(0.018, 1.7 * k, c.small).moved(x=hx, y=0.0, z=0.0),
            c.mat("dark_wood"),
        )
        c.add("orb", g.sphere(0.05 * k, c.seg).moved(x=hx, y=1.75 * k), c.mat("crystal"))
    else:
        prof = [
            (head_r * 1.05 * math.cos(t), head_r * 1.1 * math.sin(t))
            for t in np.linspace(0, math.pi / 2, n + 1)
        ]
        prof[-1] = (0.0, prof[-1][1])
        c.add(
            "hair",
            g.lathe(prof, c.seg)
            .scaled(1, 1, 1.02)
            .moved(y=head_y + head_r * 0.1, z=-head_r * 0.05),
            c.mat(hair_key),
        )
    if dwarf and not mage:
        c.add(
            "beard",
            g.cone(head_r * 0.8, head_r * 2.0, c.small)
            .scaled(1, -1, 0.6)
            .moved(y=head_y - head_r * 0.1, z=head_r * 0.6),
            c.mat("hair"),
        )


SPECIES = {
    # word: (body length, body radius, leg length, neck length, fur)
    "horse": (1.6, 0.32, 1.0, 0.6, "leather"),
    "pony": (1.1, 0.26, 0.6, 0.4, "light_wood"),
    "cow": (1.6, 0.38, 0.7, 0.3, "plaster"),
    "deer": (1.2, 0.24, 0.9, 0.5, "wood"),
    "bear": (1.4, 0.42, 0.5, 0.2, "dark_wood"),
    "pig": (0.9, 0.3, 0.3, 0.1, "skin"),
    "dog": (0.7, 0.17, 0.4, 0.2, "fur"),
    "wolf": (0.9, 0.2, 0.5, 0.22, "stone"),
    "fox": (0.6, 0.14, 0.3, 0.15, "copper"),
    "cat": (0.45, 0.11, 0.25, 0.1, "rope"),
    "lion": (1.4, 0.3, 0.6, 0.25, "light_wood"),
    "tiger": (1.5, 0.3, 0.6, 0.25, "copper"),
    "sheep": (0.9, 0.3, 0.45, 0.15, "plaster"),
    "goat": (0.9, 0.22, 0.5, 0.25, "stone"),
    "dragon": (2.2, 0.45, 0.8, 0.8, "foliage"),
}


def build_quadruped(c: Ctx) -> None:
    """Build a four-legged animal whose proportions follow the species named."""
    r = c.r
    species = next((w for w in SPECIES if r.has(w, w + "s")), None)
    if species is None:
        species = (
            "wolf"
            if r.has("hound", "puppy", "beast", "monster")
            else c.pick(["dog", "wolf", "horse", "bear", "deer"])
        )
    blen, brad, leg, neck, fur = SPECIES[species]
    blen *= r.long * c.j(0.08)
    brad *= r.wide * c.j(0.08)
    leg *= c.j(0.08)
    furmat = c.mat(fur, "main,paint")
    body = _along_x(g.capsule(brad, blen, c.seg)).moved(x=-blen / 2, y=leg + brad * 0.7)
    c.add("body", body, furmat)
    lr = brad * 0.32
    legs = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            legs.append(
                g.capsule(lr, leg + brad * 0.5, c.small).moved(
                    x=sx * (blen / 2 - brad * 0.8), z=sz * brad * 0.55
                )
            )
    c.add("legs", legs, furmat)
    front = np.array([blen / 2 - brad * 0.3, leg + brad * 1.1, 0.0])
    neck_len = neck + brad * 0.8
    c.add("neck", g.capsule(brad * 0.45, neck_len, c.small).rotated("z", -40).moved(*front), furmat)
    head_c = (
        front
        + np.array([math.sin(math.radians(40)), math.cos(math.radians(40)), 0.0]) * neck_len * 0.9
    )
    hr = brad * 0.55 if species not in ("horse", "pony", "deer", "cow") else brad * 0.5
    c.add("head", g.sphere(hr, c.seg).moved(*head_c), furmat)
    snout_len = hr * (
        1.6 if species in ("horse", "pony", "dog", "wolf", "fox", "deer", "dragon") else 0.8
    )
    c.add(
        "snout",
        _along_x(g.capsule(hr * 0.55, snout_len + hr * 0.5, c.small)).moved(
            x=head_c[0] + hr * 0.2, y=head_c[1] - hr * 0.3, z=head_c[2]
        ),
        furmat,
    )
    ears = []
    for sz in (-1, 1):
        ears.append(
            g.cone(hr * 0.3, hr * 0.8, c.small)
            .rotated("x", sz * 15)
            .moved(x=head_c[0] - hr * 0.2, y=head_c[1] + hr * 0.7, z=sz * hr * 0.5)
        )
    c.add("ears", ears, furmat)
    c.add(
        "eyes",
        [
            g.sphere(hr * 0.14, c.small).moved(
                x=head_c[0] + hr * 0.75, y=head_c[1] + hr * 0.25, z=sz * hr * 0.45
            )
            for sz in (-1, 1)
        ],
        c.mat("eye"),
    )
    tail_len = blen * (
        0.6 if species in ("cat", "fox", "dragon", "lion", "tiger", "horse") else 0.3
    )
    base = np.array([-blen / 2, leg + brad, 0.0])
    tp = [
        tuple(
            base
            + np.array(
                [
                    -tail_len * t,
                    (0.3 if species != "horse" else -0.6) * tail_len * math.sin(t * 2.0),
                    0.0,
                ]
            )
        )
        for t in np.linspace(0, 1, 6)
    ]
    c.add(
        "tail",
        g.tube_path(tp, brad * (0.15 if species not in ("fox", "horse") else 0.25), c.small),
        furmat,
    )
    if species == "dragon":
        wing = [
            (0.0, 0.0),
            (blen * 0.5, 0.1),
            (blen * 0.7, blen * 0.6),
            (blen * 0.3, blen * 0.35),
            (0.0, blen * 0.5),
        ]
        wings = [
            g.extrude(wing, 0.02).rotated("x", sz * 35).moved(y=leg + brad * 1.5, z=sz * brad * 0.6)
            for sz in (-1, 1)
        ]
        c.add("wings", wings, c.mat("leather", "paint"), flat=True)


# --- vehicles ------------------------------------------------------------------------------


def _wheel(c: Ctx, radius: float, width: float, spokes: int) -> tuple[Shape, Shape]:
    rim = _along_z(g.torus(radius, width / 2, c.seg, c.small)).moved(z=-0.0)
    parts = [_along_z(g.cylinder(radius * 0.18, width * 1.6, c.small)).moved(z=-width * 0.8)]
    for k in range(spokes):
        parts.append(g.box(radius * 1.9, width * 0.5, width * 0.5).rotated("z", 180 * k / spokes))
    return rim, g.merge(parts)


def build_cart(c: Ctx) -> None:
    """Build a two-wheeled wooden cart with a plank bed and pulling shafts."""
    r = c.r
    length = 1.6 * r.long * c.j(0.1)
    width = 1.0 * r.wide * c.j(0.08)
    wr = 0.45 * c.j(0.1)
    bed_y = wr + 0.05
    wood = c.mat("wood", "main,paint")
    c.add("bed", g.box(length, 0.06, width).moved(y=bed_y), wood)
    sides = [
        g.box(length, 0.3, 0.04).moved(y=bed_y + 0.18, z=sz * (width / 2 - 0.02)) for sz in (-1, 1)
    ]
    sides += [
        g.box(0.04, 0.3, width).moved(x=sx * (length / 2 - 0.02), y=bed_y + 0.18) for sx in (-1, 1)
    ]
    c.add("sides", sides, wood)
    rims, spokes = [], []
    for sz in (-1, 1):
        rim, spk = _wheel(c, wr, 0.06, c.pick([3, 4]))
        rims.append(rim.moved(y=wr, z=sz * (width / 2 + 0.08)))
        spokes.append(spk.moved(y=wr, z=sz * (width / 2 + 0.08)))
    c.add("wheels", rims, c.mat("dark_wood"))
    c.add("spokes", spokes, c.mat("dark_wood"))
    c.add(
        "axle",
        _along_z(g.cylinder(0.035, width + 0.3, c.small)).moved(y=wr, z=-(width + 0.3) / 2),
        c.mat("iron"),
    )
    shafts = [
        g.box(1.4, 0.05, 0.05)
        .rotated("z", -6)
        .moved(x=length / 2 + 0.6, y=bed_y - 0.05, z=sz * width * 0.35)
        for sz in (-1, 1)
    ]
    c.add("shafts", shafts, c.mat("wood"))


def build_car(c: Ctx) -> None:
    """Build a small car: extruded side silhouette body, windows, four wheels and lights."""
    r = c.r
    truck = r.has("truck", "pickup", "van", "jeep")
    length = (4.2 if not truck else 5.0) * r.long * c.j(0.06)
    width = 1.8 * r.wide * c.j(0.05)
    clear = 0.3
    hb = 0.65 * c.j(0.08)
    ch = 0.55 * c.j(0.1)
    L = length / 2
    if truck:
        profile = [
            (-L, clear),
            (L, clear),
            (L, clear + hb * 0.9),
            (L * 0.55, clear + hb),
            (L * 0.45, clear + hb + ch),
            (-L * 0.05, clear + hb + ch),
            (-L * 0.1, clear + hb),
            (-L, clear + hb),
        ]
    else:
        profile = [
            (-L, clear),
            (L, clear),
            (L, clear + hb * 0.8),
            (L * 0.45, clear + hb),
            (L * 0.15, clear + hb + ch),
            (-L * 0.4, clear + hb + ch),
            (-L * 0.7, clear + hb),
            (-L, clear + hb * 0.95),
        ]
    c.add("body", g.extrude(profile, width), c.mat("paint", "main,paint"), flat=True)
    if truck:
        wpoly = [
            (L * 0.5, clear + hb + 0.05),
            (L * 0.42, clear + hb + ch - 0.08),
            (-L * 0.02, clear + hb + ch - 0.08),
            (-L * 0.06, clear + hb + 0.05),
        ]
    else:
        wpoly = [
            (L * 0.38, clear + hb + 0.05),
            (L * 0.13, clear + hb + ch - 0.08),
            (-L * 0.37, clear + hb + ch - 0.08),
            (-L * 0.6, clear + hb + 0.05),
        ]
    c.add("windows", [g.extrude(wpoly, width + 0.02)], c.mat("eye"), flat=True)
    wr = 0.36 * c.j(0.05) * (1.15 if truck else 1.0)
    tyres = []
    hubs = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            pos = dict(x=sx * L * 0.62, y=wr, z=sz * (width / 2 - 0.1))
            tyres.append(_along_z(g.cylinder(wr, 0.25, c.seg)).moved(z=-0.125).moved(**pos))
            hubs.append(_along_z(g.cylinder(wr * 0.5, 0.27, c.small)).moved(z=-0.135).moved(**pos))
    c.add("wheels", tyres, c.mat("rubber"))
    c.add("hubs", hubs, c.mat("steel"))
    lights = [
        g.box(0.04, 0.12, 0.3).moved(x=L + 0.01, y=clear + hb * 0.6, z=sz * width * 0.33)
        for sz in (-1, 1)
    ]
    c.add("headlights", lights, c.mat("light"))
    c.add(
        "taillights",
        [
            g.box(0.04, 0.1, 0.25).moved(x=-L - 0.01, y=clear + hb * 0.7, z=sz * width * 0.35)
            for sz in (-1, 1)
        ],
        c.mat("gem"),
    )


def build_boat(c: Ctx) -> None:
    """Build a wooden boat: pointed hull, thwart seats and, for sail words or by seed, a mast and sail."""
    r = c.r
    length = 3.2 * r.long * c.j(0.1) * (2.0 if r.has("ship", "galleon") else 1.0)
    beam = 1.1 * r.wide * c.j(0.1) * (1.6 if r.has("ship", "galleon") else 1.0)
    depth = 0.5 * c.j(0.1) * (1.5 if r.has("ship", "galleon") else 1.0)
    n = max(3, c.small // 2)
    t = 0.04
    outer = [(math.sin(a), -math.cos(a)) for a in np.linspace(0, math.pi / 2, n + 1)]
    prof = [(0.0, -1.0)] + outer[1:] + [(1.0, 0.04)]
    inner = [(x * (1 - t * 2), y * (1 - t * 2)) for x, y in reversed(outer)]
    prof += [(inner[0][0], 0.04)] + inner[:-1] + [(0.0, -(1 - t * 2))]
    hull = g.lathe(prof, c.seg, cap_bottom=False, cap_top=False).scaled(length / 2, depth, beam / 2)
    x = hull.v[:, 0] / (length / 2)
    # Pinch the bow to a point and raise it a little.
    pinch = np.clip(x, 0, 1) ** 2
    hull.v[:, 2] *= 1 - 0.85 * pinch
    hull.v[:, 1] += 0.15 * depth * pinch
    hull = hull.moved(y=depth)
    c.add("hull", hull, c.mat("wood", "main,paint"))
    seats = [
        g.box(0.22, 0.04, beam * 0.88 * (1 - 0.5 * abs(sx) ** 2)).moved(
            x=sx * length * 0.25, y=depth * 0.8
        )
        for sx in (-0.9, 0.0, 0.9)
    ]
    c.add("seats", seats, c.mat("light_wood"))
    sail = r.has("sail", "sailboat", "ship", "galleon", "yacht") or (
        not r.has("canoe", "rowboat", "row") and c.rng.random() < 0.5
    )
    if sail:
        mast_h = length * 0.9
        c.add(
            "mast",
            g.cylinder(0.04, mast_h, c.small).moved(x=length * 0.05, y=depth * 0.2),
            c.mat("dark_wood"),
        )
        tri = [(0.0, 0.0), (length * 0.42, 0.0), (0.0, mast_h * 0.8)]
        c.add(
            "sail",
            g.extrude(tri, 0.01)
            .scaled(-1, 1, 1)
            .moved(x=length * 0.05 - 0.05, y=depth * 0.2 + mast_h * 0.15),
            c.mat("sail", "paint"),
            flat=True,
        )
    else:
        oars = [
            g.box(length * 0.6, 0.03, 0.06)
            .rotated("y", sz * 70)
            .rotated("x", sz * 15)
            .moved(y=depth * 1.05, z=sz * beam * 0.55)
            for sz in (-1, 1)
        ]
        c.add("oars", oars, c.mat("light_wood"))


BUILDERS: dict[str, Callable[[Ctx], None]] = {
    "sword": build_sword,
    "axe": build_axe,
    "hammer": build_hammer,
    "spear": build_spear,
    "bow": build_bow,
    "staff": build_staff,
    "shield": build_shield,
    "helmet": build_helmet,
    "chest": build_chest,
    "barrel": build_barrel,
    "crate": build_crate,
    "chair": build_chair,
    "table": build_table,
    "tree": build_tree,
    "rock": build_rock,
    "house": build_house,
    "tower": build_tower,
    "potion": build_potion,
    "bottle": build_bottle,
    "lamp": build_lamp,
    "humanoid": build_humanoid,
    "quadruped": build_quadruped,
    "mushroom": build_mushroom,
    "crystal": build_crystal,
    "cart": build_cart,
    "car": build_car,
    "boat": build_boat,
    "totem": build_totem,
}

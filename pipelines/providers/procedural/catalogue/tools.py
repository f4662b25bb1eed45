"""Tools: pickaxes, shovels, keys, anvils, brooms, ladders and fishing rods."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_pickaxe(c: Ctx) -> None:
    """Build an upright pickaxe: a haft with a curved double-pointed head."""
    r = c.r
    length = 0.85 * r.long * c.j(0.1)
    c.add("handle", g.cylinder(0.02, length, c.small), c.mat("wood"))
    span = 0.28 * r.wide * c.j(0.15)
    curve = c.pick([0.04, 0.07, 0.1])
    pts = [
        (x * span, length - 0.03 - curve * (x * x), 0.0)
        for x in np.linspace(-1, 1, max(7, c.small))
    ]
    head = g.tube_path(pts, 0.02, c.small)
    tip = np.abs(head.v[:, 0]) / span
    head.v[:, 1] = np.interp(head.v[:, 0], [p[0] for p in pts], [p[1] for p in pts]) + (
        head.v[:, 1] - np.interp(head.v[:, 0], [p[0] for p in pts], [p[1] for p in pts])
    ) * (1.2 - tip)
    head.v[:, 2] *= 1.2 - tip
    c.add("head", head, c.mat("iron", "main"))
    c.add(
        "collar",
        g.cylinder(0.03, 0.07, c.small).moved(y=length - 0.07),
        c.mat("dark_iron", role="trim"),
    )


def build_shovel(c: Ctx) -> None:
    """Build an upright shovel: a D-grip, a long haft and a pointed or square blade."""
    r = c.r
    length = 1.0 * r.long * c.j(0.08)
    w = 0.24 * r.wide * c.j(0.1)
    pointed = c.rng.random() < 0.5 or r.has("spade")
    blade = (
        [(-w / 2, 0.08), (w / 2, 0.08), (w / 2, 0.3)]
        if not pointed
        else [(0.0, 0.0), (w / 2, 0.12), (w / 2, 0.3)]
    )
    blade = blade + [(-w / 2, 0.3)] + ([(-w / 2, 0.12)] if pointed else [])
    c.add("blade", g.extrude(blade, 0.012).rotated("x", -8), c.mat("steel", "main"), flat=True)
    c.add("handle", g.cylinder(0.017, length, c.small).moved(y=0.28), c.mat("wood"))
    c.add(
        "grip",
        g.along_x(g.cylinder(0.015, 0.12, c.small)).moved(x=-0.06, y=0.28 + length),
        c.mat("dark_wood"),
    )


def build_key(c: Ctx) -> None:
    """Build a large old key standing on its bow: ring, shaft and toothed bit."""
    r = c.r
    s = r.wide * c.j(0.1)
    length = 0.18 * r.long * c.j(0.15)
    metal = c.mat("brass", "main")
    bow = c.pick(["ring", "trefoil", "square"])
    rr = 0.03 * s
    if bow == "ring":
        c.add("bow", g.along_z(g.torus(rr, 0.007, c.seg, c.small)).moved(y=rr), metal)
    elif bow == "trefoil":
        c.add(
            "bow",
            [
                g.along_z(g.torus(rr * 0.55, 0.006, c.seg, 4)).moved(
                    x=math.sin(a) * rr * 0.6, y=rr + math.cos(a) * rr * 0.6
                )
                for a in (0.0, 2.1, 4.2)
            ],
            metal,
        )
    else:
        c.add("bow", g.box(rr * 2, rr * 2, 0.012).moved(y=rr), metal)
    c.add("shaft", g.cylinder(0.007 * s, length, c.small).moved(y=rr * 1.8), metal)
    teeth = c.count("tooth", c.pick([2, 3]), 1, 5)
    c.add(
        "bit",
        [
            g.box(0.02, 0.008, 0.006).moved(x=0.012, y=rr * 1.8 + length - 0.01 - k * 0.012)
            for k in range(teeth)
        ],
        metal,
    )


def build_anvil(c: Ctx) -> None:
    """Build a blacksmith's anvil on a stump: waist, face and a horn."""
    r = c.r
    s = r.wide * c.j(0.08)
    stump_h = 0.45 * r.long
    c.add("stump", g.cylinder(0.22 * s, stump_h, c.seg), c.mat("bark"))
    iron = c.mat("dark_iron", "main")
    y = stump_h
    c.add("base", g.box(0.3 * s, 0.08, 0.2 * s).moved(y=y + 0.04), iron)
    c.add("waist", g.box(0.18 * s, 0.12, 0.12 * s).moved(y=y + 0.14), iron)
    face_len = 0.45 * s * c.j(0.1)
    c.add("face", g.box(face_len, 0.09, 0.15 * s).moved(y=y + 0.245), iron)
    horn = c.pick([0.18, 0.24])
    c.add(
        "horn", g.along_x(g.cone(0.06 * s, horn, c.small)).moved(x=face_len / 2, y=y + 0.25), iron
    )


def build_broom(c: Ctx) -> None:
    """Build a broom standing bristles down: a stick and a tied bundle of straw."""
    r = c.r
    length = 1.2 * r.long * c.j(0.08)
    rad = 0.1 * r.wide * c.j(0.15)
    flared = c.pick([1.3, 1.6])
    c.add(
        "bristles",
        g.lathe(
            [(0.0, 0.0), (rad * flared, 0.0), (rad * 0.55, 0.3), (rad * 0.35, 0.36), (0.0, 0.36)],
            c.seg,
        ),
        c.mat("straw"),
    )
    c.add("tie", g.cylinder(rad * 0.45, 0.04, c.small).moved(y=0.3), c.mat("rope"))
    c.add("stick", g.cylinder(0.016, length, c.small).moved(y=0.3), c.mat("wood", "main"))


def build_ladder(c: Ctx) -> None:
    """Build a leaning ladder: two rails and rungs."""
    r = c.r
    h = 2.2 * r.long * c.j(0.1)
    w = 0.45 * r.wide * c.j(0.08)
    rungs = c.count("rung", int(h / 0.3), 2, 16)
    wood = c.mat("wood", "main")
    c.add("rails", [g.box(0.05, h, 0.04).moved(x=sx * w / 2, y=h / 2) for sx in (-1, 1)], wood)
    c.add(
        "rungs",
        [
            g.along_x(g.cylinder(0.015, w, c.small)).moved(
                x=-w / 2, y=h * (k + 0.6) / (rungs + 0.5)
            )
            for k in range(rungs)
        ],
        c.mat("light_wood"),
    )


def build_fishing_rod(c: Ctx) -> None:
    """Build a fishing rod standing on its butt: a bending pole, a reel, a line and a float."""
    r = c.r
    length = 1.8 * r.long * c.j(0.1)
    bend = c.pick([0.15, 0.3])
    pts = [
        (bend * t * t * length * 0.4, length * t, 0.0) for t in np.linspace(0, 1, max(6, c.small))
    ]
    c.add("pole", g.tube_path(pts, 0.012, c.small), c.mat("light_wood", "main"))
    c.add(
        "reel",
        g.along_z(g.cylinder(0.035, 0.03, c.small)).moved(x=0.03, y=0.35, z=-0.015),
        c.mat("steel", role="trim"),
    )
    tip = pts[-1]
    c.add("line", g.tube_path([tip, (tip[0] + 0.02, tip[1] * 0.45, 0.0)], 0.0015, 3), c.mat("rope"))
    c.add(
        "float",
        g.sphere(0.02, c.small).moved(x=tip[0] + 0.02, y=tip[1] * 0.45),
        c.mat("red_paint", "paint"),
    )


FAMILY = Family(
    name="tools",
    label="tool",
    asset_kind="prop",
    generic="pickaxe",
    hints=words("tool, tools, utensil, implement, instrument, equipment"),
    kinds=(
        Kind("pickaxe", build_pickaxe, words("pickaxe, pick axe, pick, mattock")),
        Kind("shovel", build_shovel, words("shovel, spade, trowel, hoe")),
        Kind("key", build_key, words("key, skeleton key, old key, dungeon key")),
        Kind("anvil", build_anvil, words("anvil, forge anvil, smithy anvil")),
        Kind("broom", build_broom, words("broom, broomstick, besom, sweeper, witch's broom")),
        Kind("ladder", build_ladder, words("ladder, stepladder, rope ladder")),
        Kind("fishing_rod", build_fishing_rod, words("fishing rod, fishing pole, rod and reel")),
    ),
)  # fmt: skip

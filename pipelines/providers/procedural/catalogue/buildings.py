"""Buildings and building parts: houses, towers, castles, tents, wells, bridges, walls, doors."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_house(c: Ctx) -> None:
    """Build a cottage: walls, gabled roof, door, windows and a chimney."""
    r = c.r
    w = 5.0 * r.wide * c.j(0.12)
    d = 4.0 * c.j(0.12)
    storeys = c.count("storey", c.pick([1, 1, 2]), 1, 4)
    h = 2.8 * r.long * c.j(0.1) * (1 + 0.8 * (storeys - 1))
    walls = "wood" if r.has("log", "cabin", "wooden") else c.pick(["plaster", "plaster", "brick"])
    c.add("walls", g.box(w, h, d).moved(y=h / 2), c.mat(walls, "main"))
    pitch = c.rng.uniform(0.55, 0.9)
    rh = d / 2 * pitch
    over = 0.3
    if not r.broken:
        poly = [(-(d / 2 + over), -over * pitch), (d / 2 + over, -over * pitch), (0.0, rh)]
        roof = g.extrude(poly, w + 2 * over * 0.7).rotated("y", 90).moved(y=h)
    else:
        poly = [(-(d / 2 + over), -over * pitch), (0.0, 0.0), (0.0, rh)]
        roof = g.extrude(poly, w * 0.6).rotated("y", 90).moved(x=-w * 0.2, y=h)
    c.add("roof", roof, c.mat("roof", "paint"), flat=True)
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
    windows, sills = [], []
    for level in range(storeys):
        wy = 1.5 + level * 2.3 if storeys > 1 else h * 0.55
        for x in (-w * 0.32, w * 0.32) if level == 0 else (-w * 0.32, 0.0, w * 0.32):
            if level == 0 and abs(x - door_x) < 1.0:
                continue
            windows.append(g.box(0.8, 0.8, 0.06).moved(x=x, y=wy, z=d / 2 + 0.02))
            sills.append(g.box(0.95, 0.1, 0.1).moved(x=x, y=wy - 0.45, z=d / 2 + 0.03))
        for z in (-d * 0.2, d * 0.2):
            for sx in (-1, 1):
                windows.append(g.box(0.06, 0.7, 0.7).moved(x=sx * (w / 2 + 0.02), y=wy, z=z))
    c.add("windows", windows, c.mat("glass"))
    if sills:
        c.add("sills", sills, c.mat("wood"))
    if c.rng.random() < 0.8 and not r.broken:
        cx = c.pick([-1, 1]) * w * 0.3
        c.add(
            "chimney",
            g.box(0.5, rh + 1.0, 0.5).moved(x=cx, y=h + (rh + 1.0) / 2, z=-d * 0.15),
            c.mat("stone"),
        )
    c.anchor("top", 0.0, h + rh, 0.0)


def _battlements(c: Ctx, rad: float, y: float, stone: str) -> None:
    teeth = []
    n = 8 if c.seg < 16 else 12
    for k in range(n):
        if c.r.broken and k % 3 == 0:
            continue
        teeth.append(g.box(0.5, 0.6, 0.35).moved(z=rad * 1.02, y=y + 0.6).rotated("y", 360 * k / n))
    c.add("battlements", teeth, stone)


def build_tower(c: Ctx) -> None:
    """Build a round stone tower with windows and a conical roof or battlements."""
    r = c.r
    rad = 1.6 * r.wide * c.j(0.1)
    h = 9.0 * r.long * c.j(0.12)
    stone = c.mat("stone", "main")
    c.add("body", g.cylinder(rad, h, c.seg, top_radius=rad * 0.92), stone)
    coned = r.has("wizard", "spire", "roof", "mage") or (
        not r.has("castle", "fort", "battlements") and c.rng.random() < 0.55
    )
    if r.broken:
        coned = False
    if coned:
        c.add("roof", g.cone(rad * 1.2, h * 0.4, c.seg).moved(y=h), c.mat("roof", "paint"))
        c.anchor("top", 0.0, h * 1.4, 0.0)
    else:
        c.add("parapet", g.cylinder(rad * 1.08, 0.4, c.seg).moved(y=h - 0.1), stone)
        _battlements(c, rad, h, stone)
        c.anchor("top", 0.0, h + 0.3, 0.0)
    windows = []
    for k in range(max(2, int(h / 3))):
        a = (k * 137.5 + c.rng.uniform(-20, 20)) % 360
        y = 2.5 + k * 2.6
        if y > h - 1.0:
            break
        windows.append(
            g.box(0.35, 0.8, 0.2).moved(z=rad * 0.95 * (1 - 0.08 * y / h), y=y).rotated("y", a)
        )
    c.add("windows", windows, c.mat("dark_stone", role="secondary"))
    c.add("door", g.box(1.0, 1.8, 0.3).moved(y=0.9, z=rad - 0.05), c.mat("dark_wood"))


def build_castle(c: Ctx) -> None:
    """Build a castle: curtain walls between corner towers, a keep and a gatehouse."""
    r = c.r
    w = 14.0 * r.wide * c.j(0.1)
    d = 12.0 * c.j(0.1)
    h = 5.0 * r.long * c.j(0.1)
    stone = c.mat("stone", "main")
    towers = c.count("tower", 4, 2, 8)
    walls = []
    corners = [(sx * w / 2, sz * d / 2) for sx, sz in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    for (x0, z0), (x1, z1) in zip(corners, corners[1:] + corners[:1], strict=True):
        length = math.hypot(x1 - x0, z1 - z0)
        ang = math.degrees(math.atan2(z1 - z0, x1 - x0))
        walls.append(
            g.box(length, h, 1.0)
            .rotated("y", -ang)
            .moved(x=(x0 + x1) / 2, y=h / 2, z=(z0 + z1) / 2)
        )
    c.add("walls", walls, stone)
    spots = (
        corners
        if towers == 4
        else [
            (
                w / 2 * 1.0 * math.cos(2 * math.pi * k / towers + 0.6),
                d / 2 * math.sin(2 * math.pi * k / towers + 0.6),
            )
            for k in range(towers)
        ]
    )
    roofs = c.pick([True, False])
    tower_shapes, roof_shapes = [], []
    for x, z in spots:
        th = h * 1.6
        tower_shapes.append(g.cylinder(1.6, th, c.seg).moved(x=x, z=z))
        if roofs:
            roof_shapes.append(g.cone(2.0, 3.0, c.seg).moved(x=x, y=th, z=z))
    c.add("towers", tower_shapes, stone)
    if roof_shapes:
        c.add("roofs", roof_shapes, c.mat("roof", "paint"))
    keep_h = h * 2.2
    c.add("keep", g.box(w * 0.35, keep_h, d * 0.35).moved(y=keep_h / 2, z=-d * 0.1), stone)
    c.add(
        "keep_top",
        [
            g.box(0.8, 0.8, 0.8).moved(x=x, y=keep_h + 0.4, z=-d * 0.1 + z)
            for x in np.linspace(-w * 0.16, w * 0.16, 4)
            for z in (-d * 0.16, d * 0.16)
        ],
        stone,
    )
    c.add("gate", g.box(2.5, 3.2, 0.3).moved(y=1.6, z=d / 2 + 0.4), c.mat("dark_wood"))
    c.add(
        "banners",
        [g.box(0.05, 2.0, 0.05).moved(x=x, y=keep_h + 1.0, z=-d * 0.1) for x in (-w * 0.1, w * 0.1)]
        + [
            g.box(0.9, 0.6, 0.03).moved(x=x + 0.45, y=keep_h + 1.7, z=-d * 0.1)
            for x in (-w * 0.1, w * 0.1)
        ],
        c.mat("cloth", "paint"),
    )


def build_tent(c: Ctx) -> None:
    """Build a tent: a ridge tent or a round pavilion, with poles and an open flap."""
    r = c.r
    w = 2.4 * r.wide * c.j(0.1)
    h = 2.0 * r.long * c.j(0.1)
    canvas = c.mat("sail", "main,paint", role="cloth")
    if c.pick(["ridge", "round"]) == "ridge" and not r.has("pavilion", "yurt", "teepee", "tipi"):
        length = w * 1.3
        c.add(
            "canvas",
            g.extrude([(-w / 2, 0.0), (w / 2, 0.0), (0.0, h)], length).rotated("y", 90),
            canvas,
            flat=True,
        )
        c.add(
            "poles",
            [g.cylinder(0.03, h + 0.2, c.small).moved(x=sx * length / 2, z=0) for sx in (-1, 1)],
            c.mat("wood"),
        )
        c.add(
            "flap",
            g.extrude([(0.0, 0.0), (w * 0.35, 0.0), (0.0, h * 0.8)], 0.02)
            .rotated("y", 90)
            .rotated("y", 30)
            .moved(x=length / 2 + 0.05),
            c.mat("sail", "main,paint", role="cloth"),
            flat=True,
        )
    else:
        rad = w / 2
        teepee = r.has("teepee", "tipi")
        prof = (
            [(rad, 0.0), (rad, h * 0.4), (0.0, h)] if not teepee else [(rad, 0.0), (0.0, h * 1.3)]
        )
        c.add("canvas", g.lathe(prof, max(6, c.seg), cap_bottom=False), canvas)
        c.add("poles", g.cylinder(0.04, h * (1.5 if teepee else 1.2), c.small), c.mat("wood"))
        c.add(
            "door",
            g.box(0.7, 1.2, 0.05).moved(y=0.6, z=rad * 0.98),
            c.mat("dark_wood", role="secondary"),
        )
        if not teepee:
            c.add(
                "pennant",
                g.sheet([(0.0, 0.0), (0.5, 0.15), (0.0, 0.3)], 0.01).moved(y=h * 1.2 - 0.3),
                c.mat("cloth", "paint"),
                flat=True,
            )


def build_well(c: Ctx) -> None:
    """Build a village well: a round stone wall, two posts, a little roof, a crank and a bucket."""
    r = c.r
    rad = 0.8 * r.wide * c.j(0.08)
    wall_h = 0.8 * c.j(0.1)
    c.add(
        "wall",
        g.lathe(
            [(rad, 0.0), (rad, wall_h), (rad * 0.8, wall_h), (rad * 0.8, 0.1), (0.0, 0.1)], c.seg
        ),
        c.mat("stone", "main"),
    )
    c.add("water", g.cylinder(rad * 0.8, 0.02, c.seg).moved(y=wall_h * 0.6), c.mat("water"))
    post_h = 2.0 * r.long
    c.add(
        "posts",
        [g.box(0.12, post_h, 0.12).moved(x=sx * rad * 0.9, y=post_h / 2) for sx in (-1, 1)],
        c.mat("wood"),
    )
    roof_w = rad * 2.4
    c.add(
        "roof",
        g.extrude([(-roof_w * 0.4, 0.0), (roof_w * 0.4, 0.0), (0.0, 0.6)], roof_w)
        .rotated("y", 90)
        .moved(y=post_h),
        c.mat("roof", "paint"),
        flat=True,
    )
    c.add(
        "crank",
        g.along_x(g.cylinder(0.05, rad * 2, c.small)).moved(x=-rad, y=post_h * 0.75),
        c.mat("dark_wood"),
    )
    c.add("rope", g.cylinder(0.01, post_h * 0.35, 4).moved(y=post_h * 0.4), c.mat("rope"))
    c.add(
        "bucket",
        g.cylinder(0.12, 0.2, c.small, top_radius=0.14).moved(y=post_h * 0.3),
        c.mat("wood"),
    )


def build_bridge(c: Ctx) -> None:
    """Build a footbridge: an arched or flat plank deck with railings and posts."""
    r = c.r
    length = 5.0 * r.long * c.j(0.1)
    w = 1.4 * r.wide * c.j(0.1)
    arch = c.pick([0.0, 0.6, 1.0])
    stone = r.has("stone", "aqueduct")
    n = max(8, c.seg)
    xs = np.linspace(-length / 2, length / 2, n)
    ys = 0.4 + arch * (1 - (2 * xs / length) ** 2)
    deck = [
        g.box(length / n * 1.02, 0.1, w)
        .rotated(
            "z",
            math.degrees(math.atan2(ys[min(i + 1, n - 1)] - ys[max(i - 1, 0)], xs[1] - xs[0]) / 2),
        )
        .moved(x=x, y=y)
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]
    c.add("deck", deck, c.mat("stone" if stone else "wood", "main"))
    rails = [
        g.tube_path([(x, y + 0.9, sz * w / 2) for x, y in zip(xs, ys, strict=True)], 0.04, c.small)
        for sz in (-1, 1)
    ]
    c.add("rails", rails, c.mat("dark_wood" if not stone else "stone"))
    c.add(
        "posts",
        [
            g.box(0.08, 0.9, 0.08).moved(x=x, y=y + 0.45, z=sz * w / 2)
            for x, y in list(zip(xs, ys, strict=True))[:: max(1, n // 4)]
            for sz in (-1, 1)
        ],
        c.mat("dark_wood" if not stone else "stone"),
    )
    c.add(
        "footings",
        [g.box(0.6, 0.5, w + 0.3).moved(x=sx * length / 2, y=0.25) for sx in (-1, 1)],
        c.mat("stone", role="secondary"),
    )


def build_wall(c: Ctx) -> None:
    """Build a stretch of wall: stone blocks or bricks in courses, with crenels or a cap."""
    r = c.r
    length = 4.0 * r.long * c.j(0.1)
    h = 2.0 * c.j(0.15)
    t = 0.5 * r.wide
    courses = c.pick([5, 6, 8])
    brick = r.has("brick") or c.rng.random() < 0.3
    blocks = []
    bh = h / courses
    for k in range(courses):
        bl = bh * (2.2 if brick else 3.0)
        off = 0.0 if k % 2 == 0 else bl / 2
        x = -length / 2 - off
        while x < length / 2:
            x0, x1 = max(x, -length / 2), min(x + bl, length / 2)
            if x1 - x0 > 0.02 and not (c.r.broken and k > courses * 0.6 and c.rng.random() < 0.4):
                blocks.append(
                    g.box((x1 - x0) * 0.97, bh * 0.94, t).moved(x=(x0 + x1) / 2, y=bh * (k + 0.5))
                )
            x += bl
    c.add("blocks", blocks, c.mat("brick" if brick else "stone", "main"), flat=True)
    if c.rng.random() < 0.5 and not r.broken:
        c.add(
            "crenels",
            [
                g.box(0.4, 0.4, t * 1.05).moved(x=x, y=h + 0.2)
                for x in np.arange(-length / 2 + 0.2, length / 2, 0.8)
            ],
            c.mat("stone", "main"),
        )


def build_fence(c: Ctx) -> None:
    """Build a fence section: posts with rails or pickets."""
    r = c.r
    length = 3.0 * r.long * c.j(0.1)
    h = 1.0 * c.j(0.1)
    posts = c.count("post", c.pick([3, 4]), 2, 10)
    wood = c.mat("wood", "main,paint")
    xs = np.linspace(-length / 2, length / 2, posts)
    c.add("posts", [g.box(0.1, h * 1.1, 0.1).moved(x=x, y=h * 0.55) for x in xs], wood)
    c.add("rails", [g.box(length, 0.08, 0.04).moved(y=h * t, z=0.06) for t in (0.3, 0.75)], wood)
    if c.pick([True, False]):
        pickets = [
            g.extrude(
                [(-0.04, 0.0), (0.04, 0.0), (0.04, h * 0.85), (0.0, h), (-0.04, h * 0.85)], 0.02
            ).moved(x=x, z=0.09)
            for x in np.arange(-length / 2 + 0.1, length / 2, 0.16)
        ]
        c.add("pickets", pickets, c.mat("light_wood", "paint"))


def build_door(c: Ctx) -> None:
    """Build a door in its frame: planks or panels, hinges, a handle or ring knocker."""
    r = c.r
    w = 1.0 * r.wide * c.j(0.08)
    h = 2.1 * r.long * c.j(0.06)
    arched = c.pick([True, False]) or r.has("arched", "dungeon")
    c.add(
        "frame",
        [
            g.box(0.15, h + 0.15, 0.25).moved(x=sx * (w / 2 + 0.075), y=(h + 0.15) / 2)
            for sx in (-1, 1)
        ]
        + [g.box(w + 0.3, 0.15, 0.25).moved(y=h + 0.075)],
        c.mat("stone", role="secondary"),
    )
    planks = c.pick([4, 5, 6])
    door = [
        g.box(w / planks * 0.97, h, 0.08).moved(x=-w / 2 + w / planks * (k + 0.5), y=h / 2)
        for k in range(planks)
    ]
    if arched:
        door.append(g.along_z(g.cylinder(w / 2, 0.08, c.seg)).scaled(1, 0.5, 1).moved(y=h, z=-0.04))
    c.add("door", door, c.mat("wood", "main,paint"))
    c.add(
        "hinges",
        [g.box(w * 0.7, 0.06, 0.02).moved(x=-w * 0.15, y=h * t, z=0.05) for t in (0.2, 0.8)],
        c.mat("dark_iron", role="trim"),
    )
    if c.rng.random() < 0.5:
        c.add(
            "handle",
            g.along_z(g.torus(0.06, 0.012, c.small, 4)).moved(x=w * 0.3, y=h * 0.5, z=0.07),
            c.mat("iron", role="trim"),
        )
    else:
        c.add(
            "handle",
            g.sphere(0.04, c.small).moved(x=w * 0.35, y=h * 0.5, z=0.07),
            c.mat("brass", role="trim"),
        )


def build_column(c: Ctx) -> None:
    """Build a classical column: base, fluted shaft and a capital (broken when asked)."""
    r = c.r
    h = 3.0 * r.long * c.j(0.1)
    rad = 0.25 * r.wide * c.j(0.08)
    stone = c.mat("marble", "main")
    c.add(
        "base",
        [
            g.box(rad * 3, 0.15, rad * 3).moved(y=0.075),
            g.cylinder(rad * 1.2, 0.12, c.seg).moved(y=0.15),
        ],
        stone,
    )
    shaft_h = h * (0.55 if r.broken else 1.0)
    shaft = g.cylinder(rad, shaft_h, max(8, c.seg), top_radius=rad * 0.9).moved(y=0.27)
    c.add("shaft", shaft, stone, flat=c.rng.random() < 0.5)
    if not r.broken:
        order = c.pick(["doric", "ionic"])
        cap = [
            g.cylinder(rad * 1.0, 0.1, c.seg, top_radius=rad * 1.3).moved(y=0.27 + shaft_h),
            g.box(rad * 2.8, 0.15, rad * 2.8).moved(y=0.27 + shaft_h + 0.175),
        ]
        if order == "ionic":
            cap += [
                g.along_z(g.torus(0.1, 0.04, c.small, 4)).moved(
                    x=sx * rad * 1.2, y=0.27 + shaft_h + 0.1
                )
                for sx in (-1, 1)
            ]
        c.add("capital", cap, stone)
    else:
        c.add(
            "rubble",
            [
                g.icosphere_rock(rad * 0.5, 0, c.nrng, 0.3).moved(x=rad * 2, y=rad * 0.3),
                g.icosphere_rock(rad * 0.35, 0, c.nrng, 0.3).moved(
                    x=-rad * 1.7, y=rad * 0.2, z=rad
                ),
            ],
            stone,
            flat=True,
        )


def build_stairs(c: Ctx) -> None:
    """Build a flight of stone or wooden steps, with a railing by seed."""
    r = c.r
    steps = c.count("step", c.pick([5, 7, 9]), 2, 20)
    w = 1.2 * r.wide * c.j(0.1)
    rise, run = 0.18 * r.long, 0.28
    mat = c.mat(c.pick(["stone", "wood"]), "main")
    c.add(
        "steps",
        [
            g.box(w, rise * (k + 1), run).moved(y=rise * (k + 1) / 2, z=-run * k)
            for k in range(steps)
        ],
        mat,
        flat=True,
    )
    if c.rng.random() < 0.5:
        top = (w / 2, rise * steps + 0.9, -run * (steps - 1))
        c.add(
            "railing",
            [g.tube_path([(w / 2, 0.9 + rise, 0.0), top], 0.03, c.small)]
            + [
                g.cylinder(0.025, 0.9, c.small).moved(x=w / 2, y=rise * (k + 1), z=-run * k)
                for k in range(0, steps, 2)
            ],
            c.mat("dark_iron", role="trim"),
        )


def build_arch(c: Ctx) -> None:
    """Build a free-standing stone archway: two piers and a round or pointed arch."""
    r = c.r
    span = 2.4 * r.wide * c.j(0.1)
    h = 2.6 * r.long * c.j(0.1)
    t = 0.6
    stone = c.mat("stone", "main")
    c.add(
        "piers", [g.box(0.6, h, t).moved(x=sx * (span / 2 + 0.3), y=h / 2) for sx in (-1, 1)], stone
    )
    pointed = c.pick([True, False])
    n = max(6, c.seg)
    outer = [
        ((span / 2 + 0.6) * math.cos(a), (span / 2 + 0.6) * math.sin(a) * (1.4 if pointed else 1.0))
        for a in np.linspace(0, math.pi, n + 1)
    ]
    inner = [
        ((span / 2) * math.cos(a), (span / 2) * math.sin(a) * (1.4 if pointed else 1.0))
        for a in np.linspace(math.pi, 0, n + 1)
    ]
    voussoirs = []
    for k in range(n):
        quad = [outer[k], outer[k + 1], inner[n - k - 1], inner[n - k]]
        voussoirs.append(g.extrude(quad, t).moved(y=h))
    c.add("arch", voussoirs, stone, flat=True)
    c.add(
        "keystone",
        g.box(0.35, 0.5, t * 1.1).moved(y=h + (span / 2 + 0.3) * (1.4 if pointed else 1.0)),
        c.mat("dark_stone", role="secondary"),
    )


def build_windmill(c: Ctx) -> None:
    """Build a windmill: a tapering tower, a cap and four sails on the front."""
    r = c.r
    h = 8.0 * r.long * c.j(0.1)
    rad = 2.2 * r.wide * c.j(0.08)
    c.add(
        "tower",
        g.cylinder(rad, h, max(6, c.seg // 2 * 2), top_radius=rad * 0.65),
        c.mat("plaster", "main"),
    )
    c.add("cap", g.sphere(rad * 0.72, c.seg).scaled(1, 0.7, 1).moved(y=h), c.mat("roof", "paint"))
    sails = c.count("sail", 4, 2, 8)
    hub = (0.0, h * 0.92, rad * 0.75)
    c.add("hub", g.along_z(g.cylinder(0.25, 0.4, c.small)).moved(*hub), c.mat("dark_wood"))
    spin = c.rng.uniform(0, 90)
    arms, cloth = [], []
    for k in range(sails):
        a = spin + 360 * k / sails
        arms.append(
            g.box(0.15, h * 0.5, 0.1)
            .moved(y=h * 0.25)
            .rotated("z", a)
            .moved(hub[0], hub[1], hub[2] + 0.3)
        )
        cloth.append(
            g.box(1.0, h * 0.38, 0.03)
            .moved(x=0.6, y=h * 0.29)
            .rotated("z", a)
            .moved(hub[0], hub[1], hub[2] + 0.35)
        )
    c.add("arms", arms, c.mat("wood"))
    c.add("sails", cloth, c.mat("sail", role="cloth"))
    c.add("door", g.box(1.0, 1.9, 0.2).moved(y=0.95, z=rad * 0.95), c.mat("dark_wood"))


FAMILY = Family(
    name="buildings",
    label="building",
    asset_kind="building",
    generic="house",
    hints=words("building, structure, architecture, construction, dwelling, edifice"),
    kinds=(
        Kind("house", build_house, words(
            "house, cottage, cabin, hut, home, shack, inn, tavern, barn, shop, farmhouse, "
            "villa, manor, mansion, bungalow, log cabin, townhouse, blacksmith, bakery, chapel, church, temple")),
        Kind("tower", build_tower, words("tower, turret, lighthouse, watchtower, spire, wizard tower, minaret, belfry")),
        Kind("castle", build_castle, words("castle, fortress, fort, citadel, keep, stronghold, palace, bastion")),
        Kind("tent", build_tent, words("tent, pavilion, yurt, teepee, tipi, marquee, camp")),
        Kind("well", build_well, words("well, wishing well, water well")),
        Kind("bridge", build_bridge, words("bridge, footbridge, drawbridge, aqueduct, walkway")),
        Kind("wall", build_wall, words("wall, stone wall, brick wall, rampart, battlement, castle wall, ruins")),
        Kind("fence", build_fence, words("fence, picket fence, railing, palisade, barricade, paddock")),
        Kind("door", build_door, words("door, doorway, gate, portcullis, dungeon door, front door, hatch")),
        Kind("column", build_column, words("column, pillar, colonnade, pilaster")),
        Kind("stairs", build_stairs, words("stairs, staircase, steps, stairway, stair")),
        Kind("arch", build_arch, words("arch, archway, gateway, torii")),
        Kind("windmill", build_windmill, words("windmill, mill, wind turbine, watermill")),
    ),
)  # fmt: skip

"""Lights: table lamps, lanterns, street lamps, candles, torches, campfires, chandeliers."""

from __future__ import annotations

import math

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def _flame(c: Ctx, x: float, y: float, z: float, s: float) -> g.Shape:
    return g.lathe([(0.0, 0.0), (0.015 * s, 0.02 * s), (0.0, 0.06 * s)], c.small).moved(
        x=x, y=y, z=z
    )


def _lantern(c: Ctx, y0: float, scale: float = 1.0) -> None:
    s = 0.12 * scale * c.r.wide
    h = 0.22 * scale * c.r.long
    metal = c.mat("dark_iron", "main")
    frame = [g.box(s * 1.3, 0.02 * scale, s * 1.3).moved(y=y0 + 0.01 * scale)]
    frame += [
        g.box(0.012 * scale, h, 0.012 * scale).moved(x=sx * s / 2, y=y0 + h / 2, z=sz * s / 2)
        for sx in (-1, 1)
        for sz in (-1, 1)
    ]
    roof = c.pick([4, 6, 8])
    frame.append(
        g.lathe([(s * 0.8, 0.0), (0.0, h * 0.45)], roof, phase=math.pi / 4).moved(y=y0 + h)
    )
    c.add("frame", frame, metal, flat=True)
    c.add("glass", g.box(s * 0.95, h * 0.95, s * 0.95).moved(y=y0 + h / 2), c.mat("glass"))
    c.add("flame", _flame(c, 0.0, y0 + 0.03 * scale, 0.0, scale), c.mat("flame", "paint"))
    c.add(
        "handle",
        g.torus(s * 0.3, 0.006 * scale, c.small, 4)
        .rotated("x", 90)
        .moved(y=y0 + h * 1.45 + s * 0.3),
        metal,
    )


def build_lamp(c: Ctx) -> None:
    """Build a table lamp: a turned base, a stem, a bulb and a cloth shade."""
    r = c.r
    base_r = 0.09 * r.wide * c.j(0.1)
    h = 0.38 * r.long * c.j(0.15)
    metal = c.mat("bronze", "main")
    c.add(
        "base",
        g.lathe([(base_r, 0.0), (base_r, 0.02), (base_r * 0.5, 0.05), (0.0, 0.05)], c.seg),
        metal,
    )
    c.add("stem", g.cylinder(0.012, h, c.small).moved(y=0.05), metal)
    shade = c.pick(["cone", "drum", "dome"])
    sb, st, sh = 0.16 * r.wide * c.j(0.1), 0.09 * r.wide, 0.2 * c.j(0.1)
    if shade == "drum":
        st = sb * 0.95
    y0 = 0.05 + h - sh * 0.55
    t = 0.004
    if shade == "dome":
        prof = [(sb * math.cos(a), y0 + sh * math.sin(a)) for a in (0.0, 0.5, 1.0, 1.35)]
        prof += [(x - t, y) for x, y in reversed(prof)]
    else:
        prof = [(sb, y0), (st, y0 + sh), (st - t, y0 + sh), (sb - t, y0), (sb, y0)]
    c.add(
        "shade",
        g.lathe(prof, c.seg, cap_bottom=False, cap_top=False),
        c.mat("sail", "paint", role="cloth"),
    )
    c.add("bulb", g.sphere(0.035, c.small).moved(y=0.05 + h + 0.01), c.mat("light"))


def build_lantern(c: Ctx) -> None:
    """Build a hand lantern: a metal frame with glass panes, a flame and a ring handle."""
    _lantern(c, 0.0)


def build_streetlamp(c: Ctx) -> None:
    """Build a street lamp: a tall post with one or two hanging lanterns."""
    r = c.r
    h = 3.2 * r.long * c.j(0.08)
    metal = c.mat("dark_iron", "main")
    c.add(
        "post",
        [g.cylinder(0.12, 0.3, c.small), g.cylinder(0.05, h, c.small, top_radius=0.04)],
        metal,
    )
    if c.pick([True, False]):
        _lantern(c, h, scale=1.6)
        return
    arm = 0.6
    c.add("arms", [g.box(arm * 2, 0.04, 0.04).moved(y=h - 0.1)], metal)
    s = 0.12 * 1.3
    glass, flames = [], []
    for sx in (-1, 1):
        glass.append(g.box(s, s * 1.4, s).moved(x=sx * arm * 0.9, y=h - 0.35))
        flames.append(_flame(c, sx * arm * 0.9, h - 0.45, 0.0, 1.3))
    c.add("glass", glass, c.mat("glass"))
    c.add("flame", flames, c.mat("light"))


def build_candle(c: Ctx) -> None:
    """Build candles in a holder: one, or a candelabra of three or five."""
    r = c.r
    count = c.count("candle", c.pick([1, 1, 3]), 1, 7)
    metal = c.mat("bronze", "main")
    c.add("holder", g.lathe([(0.06, 0.0), (0.06, 0.01), (0.02, 0.02), (0.025, 0.04)], c.seg), metal)
    ch = 0.12 * r.long * c.j(0.2)
    spots = (
        [(0.0, 0.04)]
        if count == 1
        else [((k - (count - 1) / 2) * 0.09, 0.22) for k in range(count)]
    )
    if count > 1:
        c.add(
            "candelabra",
            [
                g.cylinder(0.008, 0.2, c.small).moved(y=0.04),
                g.box(0.09 * (count - 1) + 0.02, 0.015, 0.015).moved(y=0.21),
            ]
            + [g.cylinder(0.018, 0.02, c.small).moved(x=x, y=y - 0.02) for x, y in spots],
            metal,
        )
    c.add(
        "candles",
        [
            g.cylinder(0.016, ch * (1 if k % 2 == 0 else 0.8), c.small).moved(x=x, y=y)
            for k, (x, y) in enumerate(spots)
        ],
        c.mat("wax", "paint"),
    )
    c.add(
        "flame",
        [
            _flame(c, x, y + ch * (1 if k % 2 == 0 else 0.8) + 0.003, 0.0, 0.55)
            for k, (x, y) in enumerate(spots)
        ],
        c.mat("flame"),
    )


def build_torch(c: Ctx) -> None:
    """Build a torch: a wooden handle, a wrapped head and a flame (a wall sconce by seed)."""
    r = c.r
    length = 0.5 * r.long * c.j(0.1)
    sconce = c.rng.random() < 0.35 or r.has("wall", "sconce")
    wood = c.mat("wood", "main")
    c.add("handle", g.cylinder(0.018, length, c.small, top_radius=0.025), wood)
    c.add("wrap", g.cylinder(0.035, 0.08, c.small).moved(y=length - 0.05), c.mat("rope", "paint"))
    c.add(
        "flame",
        g.lathe([(0.0, 0.0), (0.04, 0.04), (0.025, 0.12), (0.0, 0.2)], c.small).moved(
            y=length + 0.02
        ),
        c.mat("flame"),
    )
    if sconce:
        c.add(
            "bracket",
            [
                g.torus(0.03, 0.006, c.small, 4).moved(y=length * 0.4),
                g.box(0.02, 0.15, 0.12).moved(y=length * 0.35, z=-0.08),
            ],
            c.mat("dark_iron", role="trim"),
        )


def build_campfire(c: Ctx) -> None:
    """Build a campfire: crossed logs in a ring of stones with flames rising."""
    r = c.r
    rad = 0.4 * r.wide * c.j(0.08)
    stones = c.count("stone", c.pick([7, 9, 11]), 4, 16)
    c.add(
        "stones",
        [
            g.icosphere_rock(0.08, 0, c.nrng, 0.3)
            .scaled(1, 0.7, 1)
            .moved(
                x=rad * math.cos(2 * math.pi * k / stones),
                y=0.04,
                z=rad * math.sin(2 * math.pi * k / stones),
            )
            for k in range(stones)
        ],
        c.mat("stone"),
        flat=True,
    )
    logs = c.pick([3, 4, 5])
    c.add(
        "logs",
        [
            g.along_x(g.cylinder(0.045, rad * 1.4, c.small))
            .moved(x=-rad * 0.7, y=0.05)
            .rotated("z", 20)
            .rotated("y", 180 * k / logs)
            for k in range(logs)
        ],
        c.mat("bark", role="wood"),
    )
    h = 0.45 * r.long * c.j(0.15)
    c.add(
        "flames",
        [
            g.lathe(
                [(0.0, 0.0), (rad * 0.35, h * 0.2), (rad * 0.15, h * 0.6), (0.0, h)], c.small
            ).moved(y=0.05)
        ]
        + [
            g.lathe([(0.0, 0.0), (rad * 0.15, h * 0.15), (0.0, h * 0.55)], c.small).moved(
                x=rad * 0.2 * math.cos(a), y=0.05, z=rad * 0.2 * math.sin(a)
            )
            for a in (0.3, 2.4, 4.4)
        ],
        c.mat("flame"),
    )


def build_chandelier(c: Ctx) -> None:
    """Build a chandelier hanging from a chain: a ring of arms with candles."""
    r = c.r
    rad = 0.45 * r.wide * c.j(0.1)
    arms = c.count("candle", c.pick([5, 6, 8]), 3, 16)
    metal = c.mat("brass", "main")
    drop = 0.6 * r.long
    c.add("chain", g.cylinder(0.01, drop, 4).moved(y=0.5), metal)
    c.add(
        "ring",
        [g.torus(rad, 0.02, c.seg, c.small).moved(y=0.5), g.sphere(0.08, c.small).moved(y=0.45)],
        metal,
    )
    c.add(
        "arms",
        [
            g.box(rad, 0.015, 0.015).moved(x=rad / 2, y=0.48).rotated("y", 360 * k / arms)
            for k in range(arms)
        ],
        metal,
    )
    c.add(
        "candles",
        g.around(g.cylinder(0.014, 0.1, c.small).moved(y=0.52), arms, rad),
        c.mat("wax", "paint"),
    )
    c.add("flame", g.around(_flame(c, 0.0, 0.625, 0.0, 0.45), arms, rad), c.mat("flame"))
    if c.rng.random() < 0.5:
        c.add(
            "crystals",
            g.around(g.gem(0.025).moved(y=0.38), arms, rad * 0.7),
            c.mat("crystal", role="gem"),
            flat=True,
        )


FAMILY = Family(
    name="lights",
    label="light",
    asset_kind="prop",
    generic="lantern",
    hints=words("light, lighting, light source, illumination, lightsource"),
    kinds=(
        Kind("lamp", build_lamp, words("lamp, table lamp, desk lamp, floor lamp, bedside lamp, oil lamp")),
        Kind("lantern", build_lantern, words("lantern, hand lantern, paper lantern, storm lantern, hurricane lamp")),
        Kind("streetlamp", build_streetlamp, words("street lamp, streetlamp, lamppost, lamp post, streetlight, street light, light post, gas lamp")),
        Kind("candle", build_candle, words("candle, candles, candlestick, candelabra, taper, tealight")),
        Kind("torch", build_torch, words("torch, wall torch, sconce, firebrand, flambeau, brand")),
        Kind("campfire", build_campfire, words("campfire, bonfire, fire pit, firepit, fireplace, brazier, fire, hearth")),
        Kind("chandelier", build_chandelier, words("chandelier, hanging lamp, candle ring, ceiling light")),
    ),
)  # fmt: skip

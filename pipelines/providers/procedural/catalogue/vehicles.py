"""Vehicles: carts, cars, boats, ships, rockets, spaceships, airships, planes, tanks, balloons."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words
from pipelines.providers.procedural.geometry import Shape


def _wheel(c: Ctx, radius: float, width: float, spokes: int) -> tuple[Shape, Shape]:
    rim = g.along_z(g.torus(radius, width / 2, c.seg, c.small))
    parts = [g.along_z(g.cylinder(radius * 0.18, width * 1.6, c.small)).moved(z=-width * 0.8)]
    for k in range(spokes):
        parts.append(g.box(radius * 1.9, width * 0.5, width * 0.5).rotated("z", 180 * k / spokes))
    return rim, g.merge(parts)


def build_cart(c: Ctx) -> None:
    """Build a wooden cart with a plank bed, spoked wheels and pulling shafts."""
    r = c.r
    length = 1.6 * r.long * c.j(0.1)
    width = 1.0 * r.wide * c.j(0.08)
    wr = 0.45 * c.j(0.1)
    bed_y = wr + 0.05
    wood = c.mat("wood", "main,paint")
    c.add("bed", g.box(length, 0.06, width).moved(y=bed_y), wood)
    side_h = c.pick([0.15, 0.3, 0.45])
    sides = [
        g.box(length, side_h, 0.04).moved(y=bed_y + side_h / 2 + 0.03, z=sz * (width / 2 - 0.02))
        for sz in (-1, 1)
    ]
    sides += [
        g.box(0.04, side_h, width).moved(x=sx * (length / 2 - 0.02), y=bed_y + side_h / 2 + 0.03)
        for sx in (-1, 1)
    ]
    c.add("sides", sides, wood)
    axles = c.count("wheel", 2, 2, 6) // 2
    rims, spokes = [], []
    xs = [0.0] if axles == 1 else list(np.linspace(-length * 0.3, length * 0.3, axles))
    for x in xs:
        for sz in (-1, 1):
            rim, spk = _wheel(c, wr, 0.06, c.pick([3, 4]))
            rims.append(rim.moved(x=x, y=wr, z=sz * (width / 2 + 0.08)))
            spokes.append(spk.moved(x=x, y=wr, z=sz * (width / 2 + 0.08)))
    c.add("wheels", rims, c.mat("dark_wood"))
    c.add("spokes", spokes, c.mat("dark_wood"))
    c.add(
        "axle",
        [
            g.along_z(g.cylinder(0.035, width + 0.3, c.small)).moved(
                x=x, y=wr, z=-(width + 0.3) / 2
            )
            for x in xs
        ],
        c.mat("iron", role="trim"),
    )
    c.add(
        "shafts",
        [
            g.box(1.4, 0.05, 0.05)
            .rotated("z", -6)
            .moved(x=length / 2 + 0.6, y=bed_y - 0.05, z=sz * width * 0.35)
            for sz in (-1, 1)
        ],
        c.mat("wood"),
    )
    c.anchor("top", 0.0, bed_y + 0.03, 0.0)


def build_car(c: Ctx) -> None:
    """Build a small car or pickup: extruded side silhouette, windows, four wheels and lights."""
    r = c.r
    truck = r.has("truck", "pickup", "van", "jeep", "lorry") or c.rng.random() < 0.25
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
        wpoly = [
            (L * 0.5, clear + hb + 0.05),
            (L * 0.42, clear + hb + ch - 0.08),
            (-L * 0.02, clear + hb + ch - 0.08),
            (-L * 0.06, clear + hb + 0.05),
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
        wpoly = [
            (L * 0.38, clear + hb + 0.05),
            (L * 0.13, clear + hb + ch - 0.08),
            (-L * 0.37, clear + hb + ch - 0.08),
            (-L * 0.6, clear + hb + 0.05),
        ]
    c.add("body", g.extrude(profile, width), c.mat("paint", "main,paint"), flat=True)
    c.add("windows", [g.extrude(wpoly, width + 0.02)], c.mat("glass", role="glass"), flat=True)
    wr = 0.36 * c.j(0.05) * (1.15 if truck else 1.0)
    tyres, hubs = [], []
    for sx in (-1, 1):
        for sz in (-1, 1):
            pos = {"x": sx * L * 0.62, "y": wr, "z": sz * (width / 2 - 0.1)}
            tyres.append(g.along_z(g.cylinder(wr, 0.25, c.seg)).moved(z=-0.125).moved(**pos))
            hubs.append(g.along_z(g.cylinder(wr * 0.5, 0.27, c.small)).moved(z=-0.135).moved(**pos))
    c.add("wheels", tyres, c.mat("rubber"))
    c.add("hubs", hubs, c.mat("steel", role="trim"))
    c.add(
        "headlights",
        [
            g.box(0.04, 0.12, 0.3).moved(x=L + 0.01, y=clear + hb * 0.6, z=sz * width * 0.33)
            for sz in (-1, 1)
        ],
        c.mat("light"),
    )
    c.add(
        "taillights",
        [
            g.box(0.04, 0.1, 0.25).moved(x=-L - 0.01, y=clear + hb * 0.7, z=sz * width * 0.35)
            for sz in (-1, 1)
        ],
        c.mat("gem", role="glow"),
    )
    c.anchor("top", -L * 0.1, clear + hb + ch, 0.0)


def _hull(c: Ctx, length: float, beam: float, depth: float) -> Shape:
    n = max(3, c.small // 2)
    t = 0.04
    outer = [(math.sin(a), -math.cos(a)) for a in np.linspace(0, math.pi / 2, n + 1)]
    prof = [(0.0, -1.0)] + outer[1:] + [(1.0, 0.04)]
    inner = [(x * (1 - t * 2), y * (1 - t * 2)) for x, y in reversed(outer)]
    prof += [(inner[0][0], 0.04)] + inner[:-1] + [(0.0, -(1 - t * 2))]
    hull = g.lathe(prof, c.seg, cap_bottom=False, cap_top=False).scaled(length / 2, depth, beam / 2)
    x = hull.v[:, 0] / (length / 2)
    pinch = np.clip(x, 0, 1) ** 2
    hull.v[:, 2] *= 1 - 0.85 * pinch
    hull.v[:, 1] += 0.15 * depth * pinch
    return hull.moved(y=depth)


def build_boat(c: Ctx) -> None:
    """Build a small wooden boat: pointed hull, thwart seats and a sail or oars."""
    r = c.r
    length = 3.2 * r.long * c.j(0.1)
    beam = 1.1 * r.wide * c.j(0.1)
    depth = 0.5 * c.j(0.1)
    c.add("hull", _hull(c, length, beam, depth), c.mat("wood", "main,paint"))
    c.add(
        "seats",
        [
            g.box(0.22, 0.04, beam * 0.88 * (1 - 0.5 * abs(sx) ** 2)).moved(
                x=sx * length * 0.25, y=depth * 0.8
            )
            for sx in (-0.9, 0.0, 0.9)
        ],
        c.mat("light_wood"),
    )
    sail = r.has("sail", "sailboat", "yacht") or (
        not r.has("canoe", "rowboat", "row", "rowing") and c.rng.random() < 0.5
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


def build_ship(c: Ctx) -> None:
    """Build a sailing ship: a big hull with deck, castles, two or three masts of square sails."""
    r = c.r
    length = 12.0 * r.long * c.j(0.08)
    beam = 3.6 * r.wide * c.j(0.08)
    depth = 1.8 * c.j(0.1)
    c.add("hull", _hull(c, length, beam, depth), c.mat("dark_wood", "main,paint", role="wood"))
    c.add(
        "deck",
        g.box(length * 0.8, 0.1, beam * 0.8).moved(x=-length * 0.05, y=depth * 0.95),
        c.mat("light_wood"),
    )
    c.add(
        "castle",
        g.box(length * 0.2, depth * 0.7, beam * 0.75).moved(x=-length * 0.36, y=depth * 1.3),
        c.mat("wood"),
    )
    masts = c.count("mast", c.pick([2, 3]), 1, 5)
    poles, sails = [], []
    for k in range(masts):
        x = length * (0.25 - 0.5 * k / max(1, masts - 1)) if masts > 1 else 0.0
        mh = length * (0.8 if k == masts // 2 else 0.65)
        poles.append(g.cylinder(0.12, mh, c.small).moved(x=x, y=depth * 0.9))
        for t in (0.45, 0.75):
            sw = beam * (1.1 - 0.3 * t)
            sails.append(g.box(0.08, mh * 0.22, sw).moved(x=x + 0.15, y=depth + mh * t, z=0.0))
    c.add("masts", poles, c.mat("dark_wood"))
    c.add("sails", sails, c.mat("sail", "paint", role="cloth"))
    c.add(
        "bowsprit",
        g.cylinder(0.08, length * 0.25, c.small)
        .rotated("z", -70)
        .moved(x=length * 0.45, y=depth * 1.1),
        c.mat("dark_wood"),
    )
    if r.has("pirate") or c.rng.random() < 0.4:
        c.add(
            "flag",
            g.box(0.05, 1.0, 1.5).moved(x=0.0, y=depth + length * 0.85, z=0.75),
            c.mat("cloth", "paint"),
        )


def build_rocket(c: Ctx) -> None:
    """Build a rocket standing on its fins: a nose cone, a long body, portholes and a nozzle."""
    r = c.r
    h = 6.0 * r.long * c.j(0.1)
    rad = 0.6 * r.wide * c.j(0.1)
    nose = c.pick([0.25, 0.35, 0.45])
    n = max(4, c.small)
    prof = [(rad * 0.7, 0.0), (rad, h * 0.08), (rad, h * (1 - nose))]
    prof += [
        (rad * math.cos(t), h * (1 - nose) + h * nose * math.sin(t))
        for t in np.linspace(0, math.pi / 2, n + 1)[1:]
    ]
    prof[-1] = (0.0, prof[-1][1])
    c.add("body", g.lathe(prof, c.seg), c.mat("hull", "main,paint"))
    fins = c.count("fin", c.pick([3, 4]), 2, 8)
    fin = [(0.0, 0.0), (rad * 1.0, -h * 0.05), (rad * 0.9, h * 0.15), (0.0, h * 0.3)]
    c.add(
        "fins",
        [
            g.sheet(fin, 0.06).rotated("y", 90).moved(z=rad * 0.9).rotated("y", 360 * k / fins)
            for k in range(fins)
        ],
        c.mat("red_paint", role="secondary"),
        flat=True,
    )
    c.add(
        "nozzle",
        g.cylinder(rad * 0.35, h * 0.08, c.small, top_radius=rad * 0.55).moved(y=-h * 0.06),
        c.mat("dark_iron"),
    )
    c.add(
        "portholes",
        [
            g.along_z(g.cylinder(rad * 0.18, 0.04, c.small)).moved(y=h * t, z=rad * 0.98)
            for t in (0.55, 0.7)
        ],
        c.mat("glass", role="glass"),
    )
    c.add(
        "exhaust",
        g.cone(rad * 0.3, h * 0.15, c.small).scaled(1, -1, 1).moved(y=-h * 0.06),
        c.mat("flame"),
    )


def build_spaceship(c: Ctx) -> None:
    """Build a sci-fi starship: a tapered fuselage along +X, swept wings, cockpit and engines."""
    r = c.r
    length = 8.0 * r.long * c.j(0.1)
    rad = 0.9 * r.wide * c.j(0.1)
    design = c.pick(["fighter", "saucer", "cruiser"]) if not r.has("ufo", "saucer") else "saucer"
    hull = c.mat("hull", "main,paint")
    if design == "saucer":
        rr = length * 0.4
        c.add(
            "disc",
            g.lathe(
                [
                    (0.0, 0.0),
                    (rr * 0.6, 0.0),
                    (rr, rr * 0.12),
                    (rr * 0.6, rr * 0.25),
                    (0.0, rr * 0.27),
                ],
                c.seg,
            ),
            hull,
        )
        c.add(
            "dome",
            g.sphere(rr * 0.3, c.seg).scaled(1, 0.7, 1).moved(y=rr * 0.25),
            c.mat("glass", role="glass"),
        )
        c.add(
            "lights",
            g.around(
                g.sphere(rr * 0.04, 4).moved(y=rr * 0.1), c.count("light", 8, 3, 16), rr * 0.85
            ),
            c.mat("neon"),
        )
        c.add(
            "legs",
            g.around(g.cylinder(rr * 0.03, rr * 0.2, 4).moved(y=-rr * 0.18), 3, rr * 0.4),
            c.mat("plating"),
        )
        return
    body = g.lathe(
        [
            (0.0, 0.0),
            (rad * 0.5, length * 0.1),
            (rad, length * 0.45),
            (rad * 0.8, length * 0.9),
            (rad * 0.6, length),
        ],
        max(6, c.seg),
    )
    c.add(
        "fuselage",
        g.along_x(body)
        .scaled(1, 0.6 if design == "fighter" else 0.9, 1)
        .moved(x=-length / 2 + length, y=rad * 1.2)
        .scaled(-1, 1, 1),
        hull,
    )
    sweep = c.pick([0.2, 0.35, 0.5])
    span = length * (0.45 if design == "fighter" else 0.3) * r.wide
    wing = [
        (0.0, 0.0),
        (length * sweep, span),
        (length * (sweep + 0.15), span),
        (length * 0.45, 0.0),
    ]
    wings = [
        g.sheet(wing, 0.12).rotated("x", sz * 90).moved(x=-length * 0.2, y=rad * 1.1)
        for sz in (-1, 1)
    ]
    c.add("wings", wings, c.mat("plating", role="secondary"), flat=True)
    c.add(
        "cockpit",
        g.sphere(rad * 0.55, c.seg).scaled(1.8, 0.7, 0.8).moved(x=length * 0.2, y=rad * 1.6),
        c.mat("glass", role="glass"),
    )
    engines = c.count("engine", 2 if design == "fighter" else 3, 1, 6)
    pos = [(-length * 0.55, rad * 1.2, (k - (engines - 1) / 2) * rad * 0.9) for k in range(engines)]
    c.add(
        "engines",
        [
            g.along_x(g.cylinder(rad * 0.35, length * 0.2, c.small)).moved(x=px, y=py, z=pz)
            for px, py, pz in pos
        ],
        c.mat("plating"),
    )
    c.add(
        "thrusters",
        [
            g.along_x(g.cylinder(rad * 0.28, 0.05, c.small)).moved(x=px - 0.03, y=py, z=pz)
            for px, py, pz in pos
        ],
        c.mat("neon"),
    )
    c.add(
        "landing_gear",
        [
            g.cylinder(0.06, rad * 0.8, 4).moved(x=x, y=0.0, z=z)
            for x, z in (
                (length * 0.25, 0.0),
                (-length * 0.3, rad * 0.6),
                (-length * 0.3, -rad * 0.6),
            )
        ],
        c.mat("dark_iron"),
    )


def build_airship(c: Ctx) -> None:
    """Build an airship: a cigar envelope with fins, a hanging gondola and a propeller."""
    r = c.r
    length = 14.0 * r.long * c.j(0.1)
    rad = 2.6 * r.wide * c.j(0.1)
    n = max(6, c.seg)
    prof = (
        [(0.0, 0.0)]
        + [(rad * math.sin(math.pi * t) ** 0.6, length * t) for t in np.linspace(0.05, 0.95, n)]
        + [(0.0, length)]
    )
    env = g.along_x(g.lathe(prof, c.seg)).moved(x=-length / 2, y=rad + 3.0)
    c.add("envelope", env, c.mat("sail", "main,paint", role="primary"))
    c.add(
        "bands",
        [
            g.along_x(g.torus(rad * math.sin(math.pi * t) ** 0.6 * 1.01, 0.06, c.seg, 4)).moved(
                x=-length / 2 + length * t, y=rad + 3.0
            )
            for t in (0.3, 0.5, 0.7)
        ],
        c.mat("brass", role="trim"),
    )
    fin = [(0.0, 0.0), (length * 0.15, 0.0), (0.0, rad * 0.9)]
    c.add(
        "fins",
        [
            g.sheet(fin, 0.1).rotated("x", a).moved(x=-length / 2 + length * 0.05, y=rad + 3.0)
            for a in (0, 90, 180, 270)
        ],
        c.mat("cloth", "paint"),
        flat=True,
    )
    gl = length * c.pick([0.25, 0.35])
    c.add("gondola", g.box(gl, 1.2, 1.4).moved(y=1.2), c.mat("wood"))
    c.add(
        "ropes",
        [
            g.tube_path(
                [
                    (sx * gl / 2, 1.8, sz * 0.6),
                    (sx * gl * 0.7, rad + 3.0 - rad * 0.9, sz * rad * 0.4),
                ],
                0.03,
                3,
            )
            for sx in (-1, 1)
            for sz in (-1, 1)
        ],
        c.mat("rope"),
    )
    c.add(
        "propeller",
        [g.box(0.15, 2.0, 0.1).rotated("x", a).moved(x=-gl / 2 - 0.3, y=1.2) for a in (0, 90)],
        c.mat("brass", role="metal"),
    )


def build_airplane(c: Ctx) -> None:
    """Build a propeller plane: fuselage along +X, straight wings, tail fins and landing gear."""
    r = c.r
    length = 7.0 * r.long * c.j(0.08)
    rad = 0.6 * r.wide * c.j(0.1)
    body = g.lathe(
        [
            (0.0, 0.0),
            (rad * 0.6, length * 0.05),
            (rad, length * 0.2),
            (rad * 0.8, length * 0.7),
            (rad * 0.25, length),
        ],
        max(6, c.seg),
    )
    c.add(
        "fuselage",
        g.along_x(body).scaled(-1, 1, 1).moved(x=length / 2, y=rad + 0.9),
        c.mat("paint", "main,paint"),
    )
    biplane = c.pick([False, True]) or r.has("biplane")
    span = length * 1.1 * r.wide
    wings = [g.box(length * 0.16, 0.12, span).moved(x=length * 0.2, y=rad + 0.6)]
    if biplane:
        wings.append(
            g.box(length * 0.16, 0.12, span * 0.9).moved(x=length * 0.2, y=rad * 2.8 + 0.9)
        )
    c.add("wings", wings, c.mat("paint", "main,paint"), flat=True)
    c.add(
        "tail",
        [
            g.box(length * 0.1, 0.08, span * 0.35).moved(x=-length * 0.45, y=rad + 1.0),
            g.sheet([(0, 0), (length * 0.12, 0), (0, rad * 2.2)], 0.08).moved(
                x=-length * 0.5, y=rad + 1.0
            ),
        ],
        c.mat("red_paint", role="secondary"),
        flat=True,
    )
    c.add(
        "propeller",
        [
            g.box(0.08, rad * 3.4, 0.2).rotated("x", a).moved(x=length / 2 + 0.05, y=rad + 0.9)
            for a in (20, 110)
        ],
        c.mat("dark_wood"),
    )
    c.add(
        "gear",
        [
            g.along_z(g.cylinder(0.3, 0.15, c.small)).moved(
                x=length * 0.25, y=0.3, z=sz * rad * 1.3
            )
            for sz in (-1, 1)
        ],
        c.mat("rubber"),
    )
    c.add(
        "cockpit",
        g.sphere(rad * 0.6, c.small)
        .scaled(1.5, 0.8, 0.9)
        .moved(x=length * 0.05, y=rad * 1.8 + 0.9),
        c.mat("glass", role="glass"),
    )


def build_tank(c: Ctx) -> None:
    """Build a tank: a hull on two tracks, a turret and a long barrel."""
    r = c.r
    length = 6.0 * r.long * c.j(0.06)
    width = 3.2 * r.wide * c.j(0.06)
    armour = (
        c.mat("paint", "main,paint", role="primary")
        if r.color
        else c.mat("foliage", "main", role="primary")
    )
    tracks = [
        g.along_x(g.capsule(0.5, length, c.seg))
        .scaled(1, 1, 0.7)
        .moved(x=-length / 2, y=0.5, z=sz * (width / 2 - 0.35))
        for sz in (-1, 1)
    ]
    c.add("tracks", tracks, c.mat("dark_iron"))
    c.add(
        "hull",
        g.extrude(
            [
                (-length / 2, 0.6),
                (length / 2, 0.6),
                (length / 2 - 0.5, 1.5),
                (-length / 2 + 0.2, 1.5),
            ],
            width * 0.8,
        ),
        armour,
        flat=True,
    )
    turret_r = width * c.pick([0.28, 0.33])
    c.add(
        "turret",
        g.cylinder(turret_r, 0.8, max(6, c.seg), top_radius=turret_r * 0.8).moved(
            x=-length * 0.05, y=1.5
        ),
        armour,
    )
    c.add(
        "barrel",
        g.along_x(g.cylinder(0.12, length * c.pick([0.5, 0.65]), c.small)).moved(
            x=turret_r * 0.7, y=1.95
        ),
        c.mat("dark_iron"),
    )
    c.add(
        "wheels",
        [
            g.along_z(g.cylinder(0.32, 0.1, c.small)).moved(
                x=x, y=0.5, z=sz * (width / 2 + 0.01) - (0.1 if sz > 0 else 0.0)
            )
            for x in np.linspace(-length * 0.35, length * 0.35, 5)
            for sz in (-1, 1)
        ],
        c.mat("iron", role="trim"),
    )


def build_balloon(c: Ctx) -> None:
    """Build a hot-air balloon: a striped envelope, ropes and a wicker basket."""
    r = c.r
    rad = 4.0 * r.wide * c.j(0.08)
    h = 6.0 * r.long
    n = max(6, c.small)
    prof = [(rad * 0.25, 0.0)] + [
        (rad * math.sin(t), rad * 0.8 - rad * math.cos(t) * 1.1)
        for t in np.linspace(0.45, math.pi, n + 1)
    ]
    prof[-1] = (0.0, prof[-1][1])
    env = g.lathe(prof, c.seg).moved(y=h)
    c.add("envelope", env, c.mat("red_paint", "main,paint", role="primary"))
    stripes = c.count("stripe", c.pick([3, 4, 6]), 2, 12)
    c.add(
        "stripes",
        [
            g.box(0.2, rad * 1.6, rad * 2.04).moved(y=h + rad * 0.8).rotated("y", 180 * k / stripes)
            for k in range(stripes)
        ],
        c.mat("cheese", role="secondary"),
    )
    c.add("basket", g.box(1.4, 1.0, 1.4).moved(y=0.5), c.mat("straw"))
    c.add(
        "ropes",
        [
            g.tube_path(
                [(sx * 0.65, 1.0, sz * 0.65), (sx * rad * 0.22, h, sz * rad * 0.22)], 0.03, 3
            )
            for sx in (-1, 1)
            for sz in (-1, 1)
        ],
        c.mat("rope"),
    )
    c.add("burner", g.cylinder(0.2, 0.3, c.small).moved(y=h - 1.8), c.mat("flame"))


FAMILY = Family(
    name="vehicles",
    label="vehicle",
    asset_kind="vehicle",
    generic="cart",
    hints=words("vehicle, transport, craft, ride, machine, conveyance, watercraft"),
    kinds=(
        Kind("cart", build_cart, words("cart, wagon, wheelbarrow, carriage, handcart, hand cart, wain, stagecoach, chariot, buggy")),
        Kind("car", build_car, words("car, automobile, truck, van, jeep, sedan, pickup, taxi, lorry, race car, sports car, bus, suv")),
        Kind("boat", build_boat, words("boat, canoe, rowboat, rowing boat, sailboat, dinghy, skiff, raft, yacht, kayak, gondola, longboat")),
        Kind("ship", build_ship, words("ship, galleon, pirate ship, frigate, sailing ship, warship, caravel, schooner, man-o-war, clipper")),
        Kind("rocket", build_rocket, words("rocket, rocketship, rocket ship, missile, space shuttle, shuttle, launcher")),
        Kind("spaceship", build_spaceship, words(
            "spaceship, space ship, starship, spacecraft, space craft, ufo, flying saucer, starfighter, "
            "fighter jet, x-wing, mothership, cruiser, space station, saucer")),
        Kind("airship", build_airship, words("airship, zeppelin, blimp, dirigible, sky ship, skyship")),
        Kind("airplane", build_airplane, words("airplane, aeroplane, plane, biplane, jet, aircraft, glider, seaplane")),
        Kind("tank", build_tank, words("tank, panzer, armored vehicle, armoured vehicle, battle tank, mech tank")),
        Kind("balloon", build_balloon, words("hot air balloon, hot-air balloon, balloon")),
    ),
)  # fmt: skip

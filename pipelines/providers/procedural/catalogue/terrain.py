"""Rocks and terrain pieces: boulders, crystal clusters, cliffs, platforms, logs, stalagmites."""

from __future__ import annotations

import math

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_rock(c: Ctx) -> None:
    """Build a jagged boulder with a few pebbles around it."""
    r = c.r
    rad = 0.6 * c.j(0.2)
    rough = 0.35 if not r.round else 0.12
    rock = g.icosphere_rock(rad, c.detail, c.nrng, rough).scaled(
        r.wide, 0.65 * r.long * c.j(0.2), r.wide * c.j(0.2)
    )
    rock = rock.moved(y=-rock.v[:, 1].min() - 0.08 * rad)
    flat = not r.round
    c.add("rock", rock, c.mat("rock", "main,paint"), flat=flat)
    pebbles = []
    for _ in range(c.count("pebble", c.pick([2, 3, 4]), 0, 12)):
        a = c.rng.uniform(0, 2 * math.pi)
        pr = rad * c.rng.uniform(0.12, 0.25)
        p = g.icosphere_rock(pr, max(0, c.detail - 1), c.nrng, rough).scaled(1, 0.6, 1)
        dist = rad * r.wide * c.rng.uniform(1.0, 1.4)
        pebbles.append(p.moved(x=math.cos(a) * dist, y=pr * 0.4, z=math.sin(a) * dist))
    if pebbles:
        c.add("pebbles", pebbles, c.mat("dark_stone"), flat=flat)
    c.anchor("top", 0.0, float(rock.v[:, 1].max()), 0.0)


def build_crystal(c: Ctx) -> None:
    """Build a crystal cluster: pointed hexagonal prisms on a rocky base."""
    r = c.r
    shards = []
    count = c.count("crystal", c.pick([4, 5, 6, 7]), 1, 12)
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


def build_cliff(c: Ctx) -> None:
    """Build a cliff face: a tall wall of stacked, jittered rock slabs with a grassy top."""
    r = c.r
    w = 4.0 * r.wide * c.j(0.1)
    h = 3.0 * r.long * c.j(0.15)
    layers = c.pick([3, 4, 5])
    slabs = []
    for k in range(layers):
        lh = h / layers
        for s in range(3):
            sw = w / 3 * c.j(0.2)
            slabs.append(
                g.box(sw, lh * c.j(0.15), 1.2 * c.j(0.25))
                .rotated("y", c.rng.uniform(-6, 6))
                .moved(
                    x=-w / 3 + s * w / 3 + c.rng.uniform(-0.1, 0.1), y=lh * (k + 0.5), z=-k * 0.1
                )
            )
    c.add("slabs", slabs, c.mat("rock", "main,paint"), flat=True)
    if not r.has("bare", "desert"):
        c.add(
            "grass",
            g.box(w * 1.05, 0.12, 1.3).moved(y=h + 0.06, z=-layers * 0.1 + 0.05),
            c.mat("grass"),
            flat=True,
        )


def build_platform(c: Ctx) -> None:
    """Build a terrain tile: a square or hexagonal ground platform with a grass or stone top."""
    r = c.r
    size = 2.0 * r.wide * c.j(0.05)
    depth = 0.5 * r.long
    hexagon = c.pick([True, False]) or r.has("hex", "hexagon", "hexagonal")
    sides = 6 if hexagon else 4
    earth = g.lathe([(size / 2, 0.0), (size / 2, depth)], sides, phase=math.pi / sides)
    c.add("earth", earth, c.mat("dark_stone", role="secondary"), flat=True)
    top = (
        c.pick(["grass", "stone", "sand"])
        if not r.has("stone", "sand", "snow", "grass")
        else next(t for t in ("stone", "sand", "snow", "grass") if r.has(t))
    )
    look = {"grass": "grass", "stone": "stone", "sand": "sand", "snow": "snow"}[top]
    c.add(
        "top",
        g.lathe(
            [(size / 2 * 1.01, depth), (size / 2 * 1.01, depth + 0.08)],
            sides,
            phase=math.pi / sides,
        ),
        c.mat(look, "main,paint", role="primary"),
        flat=True,
    )
    c.anchor("top", 0.0, depth + 0.08, 0.0)


def build_log(c: Ctx) -> None:
    """Build a fallen log: a bark cylinder on its side with pale cut ends and a stub branch."""
    r = c.r
    length = 1.8 * r.long * c.j(0.15)
    rad = 0.22 * r.wide * c.j(0.15)
    bark = c.mat("bark", "main", role="wood")
    c.add("log", g.along_x(g.cylinder(rad, length, c.seg)).moved(x=-length / 2, y=rad), bark)
    c.add(
        "ends",
        [
            g.along_x(g.cylinder(rad * 0.92, 0.01, c.seg)).moved(x=x, y=rad)
            for x in (-length / 2 - 0.005, length / 2 - 0.005)
        ],
        c.mat("light_wood"),
    )
    if c.rng.random() < 0.6:
        c.add(
            "stub",
            g.cylinder(rad * 0.3, rad * 1.2, c.small)
            .rotated("z", -30)
            .moved(x=length * 0.2, y=rad * 1.6),
            bark,
        )


def build_stalagmite(c: Ctx) -> None:
    """Build stalagmites: a few tall rough cones rising from a cave floor."""
    r = c.r
    cones = []
    for k in range(c.count("spike", c.pick([2, 3, 4]), 1, 8)):
        h = (1.6 if k == 0 else c.rng.uniform(0.5, 1.1)) * r.long
        rad = (0.3 if k == 0 else c.rng.uniform(0.12, 0.22)) * r.wide
        a = c.rng.uniform(0, 2 * math.pi)
        d = 0 if k == 0 else c.rng.uniform(0.35, 0.6)
        prof = [
            (rad, 0.0),
            (rad * 0.7, h * 0.3),
            (rad * 0.45, h * 0.6),
            (rad * 0.2, h * 0.85),
            (0.0, h),
        ]
        cones.append(g.lathe(prof, max(5, c.small)).moved(x=math.cos(a) * d, z=math.sin(a) * d))
    c.add("spikes", cones, c.mat("dark_stone", "main,paint"), flat=True)
    c.add(
        "floor",
        g.icosphere_rock(0.7 * r.wide, max(0, c.detail - 1), c.nrng, 0.1).scaled(1, 0.12, 1),
        c.mat("rock"),
        flat=True,
    )


FAMILY = Family(
    name="terrain",
    label="terrain piece",
    asset_kind="environment",
    generic="rock",
    hints=words("terrain, landscape, scenery, environment, ground, nature, cave"),
    kinds=(
        Kind("rock", build_rock, words("rock, boulder, pebble, stone, stones, crag, rocks, pile of rocks, rubble"), trait="golem"),
        Kind("crystal", build_crystal, words("crystal, crystals, crystal cluster, shard, geode, quartz, ore, mana crystal, ore vein"), trait="crystal"),
        Kind("cliff", build_cliff, words("cliff, cliff face, rock wall, mountain, mesa, canyon, ledge, bluff, hill")),
        Kind("platform", build_platform, words("platform, terrain tile, tile, hex tile, ground tile, island, floating island, plateau")),
        Kind("log", build_log, words("log, fallen log, tree trunk, stump, driftwood, timber")),
        Kind("stalagmite", build_stalagmite, words("stalagmite, stalactite, stalagmites, spire rock, rock spike")),
    ),
)  # fmt: skip

"""Jewellery and treasure: crowns, rings, amulets, coins, gems, goblets and ingots."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_crown(c: Ctx) -> None:
    """Build a crown: a band with points or fleurons, a gem on each point."""
    r = c.r
    rad = 0.1 * r.wide * c.j(0.08)
    h = 0.06 * r.long * c.j(0.1)
    gold = c.mat("gold", "main")
    c.add("band", g.cylinder(rad, h, c.seg), gold)
    points = c.count("point", c.pick([5, 6, 8]), 3, 12)
    style = c.pick(["spikes", "balls", "arches"])
    tip_h = h * (1.4 if style != "arches" else 1.0) * c.j(0.15)
    tips = []
    for k in range(points):
        a = 360 * k / points
        if style == "arches":
            tips.append(
                g.torus(rad * 0.28, 0.006, c.small, 4)
                .rotated("x", 90)
                .moved(z=rad, y=h)
                .rotated("y", a)
            )
        else:
            tips.append(
                g.cone(rad * 0.22, tip_h, 4 if c.seg < 12 else 6)
                .moved(z=rad * 0.97, y=h)
                .rotated("y", a)
            )
            if style == "balls":
                tips.append(
                    g.sphere(rad * 0.07, c.small).moved(z=rad * 0.97, y=h + tip_h).rotated("y", a)
                )
    c.add("points", tips, gold)
    c.add(
        "rim",
        [g.torus(rad * 1.02, 0.006, c.seg, 4).moved(y=yy) for yy in (0.004, h - 0.004)],
        c.mat("gold", role="trim"),
    )
    if r.ornate or r.has("royal", "king", "queen") or c.rng.random() < 0.4:
        c.add(
            "velvet",
            g.sphere(rad * 0.92, c.seg).scaled(1, 0.6, 1).moved(y=h * 0.6),
            c.mat("cloth", "paint"),
        )
    for k in range(points):
        a = math.radians(360 * k / points)
        c.gem_slots.append((rad * 1.02 * math.sin(a), h * 0.5, rad * 1.02 * math.cos(a)))
    c.anchor("top", 0.0, h + tip_h, 0.0)


def build_ring(c: Ctx) -> None:
    """Build a finger ring standing upright, with a set stone or a plain band."""
    r = c.r
    rad = 0.011 * r.wide * c.j(0.1)
    tube = rad * 0.18 * c.j(0.2)
    c.add(
        "band",
        g.torus(rad, tube, c.seg, c.small).rotated("x", 90).moved(y=rad + tube),
        c.mat("gold", "main"),
    )
    if c.pick([True, True, False]) or r.ornate:
        top = 2 * rad + tube
        c.add(
            "setting",
            g.cylinder(tube * 1.6, tube * 1.5, c.small, top_radius=tube * 2.2).moved(
                y=top - tube * 0.5
            ),
            c.mat("gold", role="trim"),
        )
        c.add(
            "stone", g.gem(tube * 2.0).moved(y=top + tube * 2.2), c.mat("gem", "paint"), flat=True
        )


def build_amulet(c: Ctx) -> None:
    """Build an amulet hanging as it would be shown: a chain loop and a pendant with a stone."""
    r = c.r
    rad = 0.03 * r.wide * c.j(0.1)
    n = max(12, c.seg)
    chain = [
        (0.09 * math.sin(t), 0.22 + 0.18 * math.cos(t) * 0.9 - 0.02, 0.0)
        for t in np.linspace(0.15, 2 * math.pi - 0.15, n)
    ]
    c.add("chain", g.tube_path(chain, 0.0025, 4), c.mat("gold", role="trim"))
    shape = c.pick(["disc", "drop", "star"])
    metal = c.mat("gold", "main")
    if shape == "disc":
        c.add("pendant", g.along_z(g.cylinder(rad, 0.008, c.seg)).moved(y=rad), metal)
    elif shape == "drop":
        c.add("pendant", g.sphere(rad, c.seg).scaled(0.8, 1.3, 0.3).moved(y=rad * 1.3), metal)
    else:
        pts = [
            ((rad if k % 2 == 0 else rad * 0.45) * math.sin(math.pi * k / 5),
             rad + (rad if k % 2 == 0 else rad * 0.45) * math.cos(math.pi * k / 5))
            for k in range(10)
        ]  # fmt: skip
        c.add("pendant", g.extrude(pts, 0.008), metal, flat=True)
    c.add(
        "stone",
        g.gem(rad * 0.4).rotated("x", 90).moved(y=rad * 1.1, z=0.006),
        c.mat("gem", "paint"),
        flat=True,
    )
    c.add(
        "bail", g.torus(rad * 0.2, 0.003, c.small, 4).moved(y=rad * 2.3), c.mat("gold", role="trim")
    )


def build_coins(c: Ctx) -> None:
    """Build a pile of coins: a heap of stacked and scattered discs."""
    r = c.r
    count = c.count("coin", c.pick([18, 26, 34]), 3, 60)
    cr = 0.015 * r.wide
    coins = []
    for k in range(count):
        a = c.rng.uniform(0, 2 * math.pi)
        d = c.rng.uniform(0, 0.09) * (1 - k / count) ** 0.5 * 1.5
        y = 0.004 * k * 0.6 * r.long
        coins.append(
            g.cylinder(cr, 0.003, c.small)
            .rotated("x", c.rng.uniform(-15, 15))
            .moved(x=math.cos(a) * d, y=y * (1 - d * 5), z=math.sin(a) * d)
        )
    stacks = c.pick([1, 2, 3])
    for s in range(stacks):
        x = 0.08 * math.cos(s * 2.1)
        z = 0.08 * math.sin(s * 2.1)
        for k in range(c.rng.randint(4, 9)):
            coins.append(g.cylinder(cr, 0.003, c.small).moved(x=x, y=k * 0.0032, z=z))
    c.add("coins", coins, c.mat("gold", "main"))


def build_gem(c: Ctx) -> None:
    """Build one large cut gemstone on a small cushion."""
    r = c.r
    rad = 0.04 * r.wide * c.j(0.1)
    facets = c.pick([6, 8, 10])
    cut = c.pick(["brilliant", "tall", "oval"])
    shape = g.gem(rad, facets)
    if cut == "tall":
        shape = shape.scaled(0.8, 1.5, 0.8)
    elif cut == "oval":
        shape = shape.scaled(1.3, 1.0, 0.85)
    c.add("cushion", g.box(rad * 3.2, rad * 0.6, rad * 3.2).moved(y=rad * 0.3), c.mat("cloth"))
    c.add("gem", shape.moved(y=rad * 1.6), c.mat("gem", "main,paint"), flat=True)


def build_goblet(c: Ctx) -> None:
    """Build a goblet or chalice: foot, stem with a knop and a cup."""
    r = c.r
    rad = 0.045 * r.wide * c.j(0.1)
    h = 0.18 * r.long * c.j(0.1)
    stem = c.pick([0.35, 0.45, 0.55])
    prof = [(0.0, 0.0), (rad * 0.9, 0.0), (rad * 0.8, 0.01), (rad * 0.15, h * 0.08)]
    prof += [
        (rad * 0.12, h * stem * 0.5),
        (rad * 0.3, h * stem * 0.55),
        (rad * 0.12, h * stem * 0.6),
    ]
    prof += [
        (rad * 0.12, h * stem),
        (rad * 0.9, h * (stem + 0.15)),
        (rad, h),
        (rad * 0.92, h),
        (rad * 0.82, h * (stem + 0.18)),
    ]
    prof += [(0.0, h * (stem + 0.12))]
    c.add("cup", g.lathe(prof, c.seg), c.mat("gold", "main"))
    c.add("wine", g.cylinder(rad * 0.9, 0.004, c.seg).moved(y=h * 0.9), c.mat("liquid", "paint"))
    c.gem_slots += [
        (rad * 0.95 * math.sin(a), h * 0.85, rad * 0.95 * math.cos(a)) for a in (0.0, 2.1, 4.2)
    ]


def build_ingot(c: Ctx) -> None:
    """Build a stack of trapezoid bullion bars."""
    r = c.r
    rows = c.count("bar", c.pick([1, 3, 6]), 1, 10)
    bar = [(-0.09, 0.0), (0.09, 0.0), (0.075, 0.035), (-0.075, 0.035)]
    bars = []
    layer, placed = 0, 0
    while placed < rows:
        per = max(1, 3 - layer)
        for i in range(min(per, rows - placed)):
            b = g.extrude(bar, 0.05 * r.wide).moved(z=(i - (per - 1) / 2) * 0.055, y=layer * 0.036)
            bars.append(b.rotated("y", 90 * (layer % 2)))
            placed += 1
        layer += 1
    c.add("bars", bars, c.mat("gold", "main"), flat=True)


FAMILY = Family(
    name="treasure",
    label="piece of treasure",
    asset_kind="prop",
    generic="coins",
    hints=words("treasure, jewelry, jewellery, loot, riches, valuables, trinket, bling"),
    kinds=(
        Kind("crown", build_crown, words("crown, tiara, diadem, circlet, coronet, royal crown")),
        Kind("ring", build_ring, words("ring, signet, band ring, wedding ring, engagement ring, signet ring")),
        Kind("amulet", build_amulet, words("amulet, necklace, pendant, talisman, locket, medallion, charm, choker")),
        Kind("coins", build_coins, words("coin, coins, gold coins, doubloon, hoard, pile of gold, money, cash")),
        Kind("gem", build_gem, words(
            "gem, gemstone, jewel, ruby, sapphire, emerald, diamond, amethyst, topaz, opal, "
            "precious stone")),
        Kind("goblet", build_goblet, words("goblet, chalice, grail, holy grail, cup, wine glass, trophy")),
        Kind("ingot", build_ingot, words("ingot, gold bar, bullion, gold bars, bar of gold, silver bar")),
    ),
)  # fmt: skip

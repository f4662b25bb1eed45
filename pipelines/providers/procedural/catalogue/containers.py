"""Containers: chests, barrels, crates, bottles, vases, baskets, sacks and buckets."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_chest(c: Ctx) -> None:
    """Build a treasure chest: wooden body, vaulted or flat lid, metal bands and a lock."""
    r = c.r
    w = 0.8 * r.wide * c.j(0.1)
    d = 0.48 * c.j(0.1)
    h = 0.42 * r.long * c.j(0.1)
    c.add("body", g.box(w, h, d).moved(y=h / 2), c.mat("wood", "main,paint"))
    n = max(3, c.small)
    vaulted = c.rng.random() < 0.7
    if vaulted:
        arc = [
            (d / 2 * math.cos(t), d / 2 * 0.6 * math.sin(t)) for t in np.linspace(0, math.pi, n + 1)
        ]
    else:
        arc = [(d / 2, 0.0), (d / 2, 0.06), (-d / 2, 0.06), (-d / 2, 0.0)]
    c.add("lid", g.extrude(arc, w).rotated("y", 90).moved(y=h), c.mat("wood", "main,paint"))
    bands = []
    for x in (-w * 0.36, w * 0.36) + ((0.0,) if r.ornate else ()):
        bands.append(g.box(0.045, h + 0.004, d + 0.012).moved(x=x, y=h / 2))
        bigger = [(px * 1.04, py * 1.05) for px, py in arc]
        bands.append(g.extrude(bigger, 0.045).rotated("y", 90).moved(x=x, y=h))
    c.add("bands", bands, c.mat("gold" if r.ornate else "dark_iron", role="trim"))
    c.add(
        "lock", g.box(0.08, 0.1, 0.03).moved(y=h - 0.01, z=d / 2 + 0.01), c.mat("gold", role="trim")
    )
    c.gem_slots += [(x, h * 0.5, d / 2 + 0.005) for x in (-w * 0.18, w * 0.18)]
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
    c.anchor("top", 0.0, h + (d * 0.3 if vaulted else 0.06), 0.0)


def build_barrel(c: Ctx) -> None:
    """Build a standing barrel: bulging staves, metal hoops and a lid."""
    r = c.r
    h = 0.9 * r.long * c.j(0.08)
    rad = 0.3 * r.wide * c.j(0.08)
    bulge = c.pick([1.08, 1.15, 1.22])
    rings = max(4, c.seg // 2)

    def radius_at(t: float) -> float:
        return rad * (1 + (bulge - 1) * math.sin(math.pi * t))

    prof = [(radius_at(t), h * t) for t in np.linspace(0, 1, rings + 1)]
    c.add("staves", g.lathe(prof, c.seg), c.mat("wood", "main"))
    c.add("lid", g.cylinder(rad * 0.9, 0.012, c.seg).moved(y=h - 0.004), c.mat("dark_wood"))
    hoops = []
    for t in (0.06, 0.28, 0.72, 0.94) if c.rng.random() < 0.6 else (0.08, 0.5, 0.92):
        t0, t1 = t - 0.025, t + 0.025
        band = [
            (radius_at(t0) + 0.008, h * t0),
            (radius_at(t) + 0.008, h * t),
            (radius_at(t1) + 0.008, h * t1),
        ]
        hoops.append(g.lathe(band, c.seg, cap_bottom=False, cap_top=False))
    c.add("hoops", hoops, c.mat("dark_iron", "paint", role="trim"))
    c.anchor("top", 0.0, h, 0.0)


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
    design = c.pick(["diagonal", "cross", "slats"])
    diag = math.hypot(w - 2 * b, h - 2 * b)
    ang = math.degrees(math.atan2(h - 2 * b, w - 2 * b))
    for sz in (-1, 1):
        if design == "slats":
            braces += [
                g.box(w, b * 0.7, b * 0.5).moved(y=h * t, z=sz * d / 2) for t in (0.35, 0.65)
            ]
            continue
        braces.append(g.box(diag, b * 0.8, b * 0.5).rotated("z", ang).moved(y=h / 2, z=sz * d / 2))
        if design == "cross":
            braces.append(
                g.box(diag, b * 0.8, b * 0.5).rotated("z", -ang).moved(y=h / 2, z=sz * d / 2 * 1.01)
            )
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
    nails = [
        g.along_z(g.cylinder(0.008, 0.006, c.small)).moved(
            x=sx * (w - b) / 2, y=b / 2 + sy * (h - b), z=d / 2
        )
        for sx in (-1, 1)
        for sy in (0, 1)
    ]
    c.add("nails", nails, c.mat("iron", role="trim"))
    c.anchor("top", 0.0, h, 0.0)


def build_bottle(c: Ctx) -> None:
    """Build a bottle: body, shoulder, neck, label and cork (a jar or jug when asked)."""
    r = c.r
    rad = 0.038 * r.wide * c.j(0.08)
    h = 0.2 * r.long * c.j(0.08)
    if r.has("jar", "jug"):
        rad *= 1.8
        h *= 0.6
    shoulder = c.pick([0.9, 0.5, 1.3])
    n = max(3, c.small // 2)
    prof = [(0.0, 0.0), (rad, 0.0), (rad, h)]
    for t in np.linspace(0, math.pi / 2, n + 1)[1:]:
        prof.append(
            (rad - (rad - rad * 0.33) * math.sin(t), h + rad * shoulder * math.sin(t) * 0.9)
        )
    top = prof[-1][1]
    prof += [
        (rad * 0.33, top + 0.08 * r.long),
        (rad * 0.4, top + 0.085 * r.long),
        (rad * 0.4, top + 0.1 * r.long),
    ]
    c.add("bottle", g.lathe(prof, c.seg), c.mat("bottle_glass", "main"))
    c.add(
        "label",
        g.cylinder(rad * 1.01, h * 0.4, c.seg).moved(y=h * 0.3),
        c.mat("sail", "paint", role="paper"),
    )
    c.add(
        "cork",
        g.cylinder(rad * 0.3, 0.02, c.small).moved(y=top + 0.1 * r.long - 0.005),
        c.mat("cork"),
    )


def build_vase(c: Ctx) -> None:
    """Build a vase or urn on a lathe: a seeded profile with handles for an amphora."""
    r = c.r
    h = 0.4 * r.long * c.j(0.1)
    rad = 0.12 * r.wide * c.j(0.1)
    shape = c.pick(["urn", "bottle", "bowl"]) if not r.has("amphora") else "urn"
    if shape == "urn":
        ks = [(0.5, 0), (0.45, 0.05), (1.0, 0.4), (0.8, 0.7), (0.4, 0.85), (0.55, 1.0)]
    elif shape == "bottle":
        ks = [(0.6, 0), (0.9, 0.2), (0.9, 0.5), (0.3, 0.75), (0.3, 0.95), (0.42, 1.0)]
    else:
        ks = [(0.4, 0), (1.0, 0.3), (1.1, 0.6), (1.0, 0.75), (1.15, 0.8)]
        h *= 0.6
    outer = [(rad * a, h * b) for a, b in ks]
    inner = [(x * 0.9, y) for x, y in reversed(outer[2:])]
    prof = [(0.0, 0.0), *outer, *inner, (0.0, h * ks[2][1])]
    c.add("body", g.lathe(prof, c.seg), c.mat("plaster", "main,paint", role="primary"))
    c.add(
        "band",
        g.torus(rad * ks[2][0] * 0.98, 0.006, c.seg, 4).moved(y=h * ks[2][1]),
        c.mat("gold", role="trim"),
    )
    if shape == "urn" and (r.has("amphora") or c.rng.random() < 0.6):
        handles = []
        for sx in (-1, 1):
            pts = [
                (sx * rad * 0.45, h * 0.82, 0.0),
                (sx * rad * 1.0, h * 0.85, 0.0),
                (sx * rad * 0.95, h * 0.55, 0.0),
            ]
            handles.append(g.tube_path(pts, 0.012, c.small))
        c.add("handles", handles, c.mat("plaster", "main,paint", role="primary"))


def build_basket(c: Ctx) -> None:
    """Build a woven basket: a flared tub with rings of weave and a handle or a lid."""
    r = c.r
    rad = 0.2 * r.wide * c.j(0.1)
    h = 0.22 * r.long * c.j(0.15)
    flare = c.pick([1.0, 1.2, 1.35])
    wicker = c.mat("straw", "main")
    c.add(
        "tub",
        g.lathe(
            [
                (0.0, 0.0),
                (rad, 0.0),
                (rad * flare, h),
                (rad * flare * 0.93, h),
                (rad * 0.93, 0.02),
                (0.0, 0.02),
            ],
            c.seg,
        ),
        wicker,
    )
    c.add(
        "weave",
        [
            g.torus(rad * (1 + (flare - 1) * t) + 0.004, 0.006, c.seg, 4).moved(y=h * t)
            for t in np.linspace(0.15, 1.0, 5)
        ],
        c.mat("light_wood"),
    )
    if c.rng.random() < 0.6:
        pts = [
            (rad * flare * math.cos(a), h + rad * 1.1 * math.sin(a), 0.0)
            for a in np.linspace(0, math.pi, max(7, c.small))
        ]
        c.add("handle", g.tube_path(pts, 0.012, c.small), c.mat("light_wood"))
    if r.has("fruit", "apples", "bread") or c.rng.random() < 0.3:
        c.add(
            "fruit",
            [
                g.sphere(0.05, c.small).moved(x=dx, y=h - 0.01, z=dz)
                for dx, dz in ((0.0, 0.0), (0.07, 0.03), (-0.05, 0.06))
            ],
            c.mat("apple"),
        )


def build_sack(c: Ctx) -> None:
    """Build a cloth sack tied at the neck: a lumpy bag with a knot and rope."""
    r = c.r
    rad = 0.22 * r.wide * c.j(0.1)
    h = 0.55 * r.long * c.j(0.1)
    n = max(6, c.seg)
    ks = c.pick(
        [
            [(0.6, 0), (1.0, 0.25), (0.95, 0.6), (0.3, 0.85)],
            [(0.8, 0), (1.0, 0.4), (0.8, 0.7), (0.25, 0.86)],
        ]
    )
    prof = [(0.0, 0.0)] + [(rad * a, h * b) for a, b in ks] + [(rad * 0.35, h), (0.0, h * 1.02)]
    sack = g.lathe(prof, n)
    bumps = c.nrng.normal(0, 0.04, size=len(sack.v))
    sack.v[:, 0] *= 1 + bumps
    sack.v[:, 2] *= 1 + bumps[::-1]
    c.add("bag", sack, c.mat("linen", "main,paint"))
    c.add("tie", g.torus(rad * 0.3, 0.015, c.small, 4).moved(y=h * 0.86), c.mat("rope"))
    if r.has("gold", "coins", "money", "loot"):
        c.add(
            "coins",
            [
                g.cylinder(0.02, 0.004, c.small).moved(x=rad * 0.6 + 0.03 * k, z=rad * 0.7)
                for k in range(3)
            ],
            c.mat("gold"),
        )


def build_bucket(c: Ctx) -> None:
    """Build a bucket: a tapered pail with hoops, a bail handle and a little water."""
    r = c.r
    rad = 0.14 * r.wide * c.j(0.08)
    h = 0.28 * r.long * c.j(0.1)
    taper = c.pick([0.8, 0.88])
    wooden = c.rng.random() < 0.5 or r.has("wooden", "wood")
    body = c.mat("wood" if wooden else "iron", "main")
    c.add(
        "pail",
        g.lathe(
            [
                (0.0, 0.0),
                (rad * taper, 0.0),
                (rad, h),
                (rad * 0.94, h),
                (rad * taper * 0.94, 0.015),
                (0.0, 0.015),
            ],
            c.seg,
        ),
        body,
    )
    c.add(
        "hoops",
        [
            g.torus(rad * (taper + (1 - taper) * t) + 0.004, 0.005, c.seg, 4).moved(y=h * t)
            for t in (0.15, 0.85)
        ],
        c.mat("dark_iron", role="trim"),
    )
    pts = [
        (rad * math.cos(a), h + rad * 0.9 * math.sin(a), 0.0)
        for a in np.linspace(0, math.pi, max(7, c.small))
    ]
    c.add("handle", g.tube_path(pts, 0.005, 4), c.mat("iron", role="trim"))
    c.add("water", g.cylinder(rad * 0.9, 0.005, c.seg).moved(y=h * 0.75), c.mat("water"))


FAMILY = Family(
    name="containers",
    label="container",
    asset_kind="prop",
    generic="crate",
    hints=words("container, storage, receptacle, vessel"),
    kinds=(
        Kind("chest", build_chest, words(
            "chest, treasure chest, coffer, trunk, lootbox, loot box, strongbox, footlocker, "
            "treasure box")),
        Kind("barrel", build_barrel, words("barrel, cask, keg, hogshead, tun, powder keg")),
        Kind("crate", build_crate, words("crate, box, packing crate, supply crate, wooden box, shipping crate, case")),
        Kind("bottle", build_bottle, words("bottle, wine bottle, jar, jug, flagon, decanter, carafe")),
        Kind("vase", build_vase, words("vase, urn, amphora, pot, pottery, planter, jardiniere, ewer")),
        Kind("basket", build_basket, words("basket, hamper, wicker basket, picnic basket")),
        Kind("sack", build_sack, words("sack, bag, pouch, satchel, sandbag, burlap sack, backpack, purse")),
        Kind("bucket", build_bucket, words("bucket, pail, tub, watering can")),
    ),
)  # fmt: skip

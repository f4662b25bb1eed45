"""Food and drink: apples, bread, cheese, cakes, tankards, drumsticks and pies."""

from __future__ import annotations

import math

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_apple(c: Ctx) -> None:
    """Build an apple (or a pear by seed): a dimpled round fruit, stalk and leaf."""
    r = c.r
    rad = 0.045 * r.wide * c.j(0.1)
    pear = r.has("pear") or (not r.has("apple") and c.rng.random() < 0.3)
    n = max(6, c.seg // 2)
    prof = [(0.0, rad * 0.15)]
    for k in range(1, n):
        t = math.pi * k / n
        rr = rad * math.sin(t) * (1.0 if not pear else (0.65 + 0.35 * (1 - k / n)))
        prof.append((rr, rad - rad * math.cos(t) * (1.0 if not pear else 1.3)))
    prof.append((0.0, prof[-1][1] - rad * 0.12))
    c.add("fruit", g.lathe(prof, c.seg), c.mat("apple", "main,paint"))
    top = prof[-2][1]
    c.add("stalk", g.cylinder(0.003, 0.025, 4).rotated("z", 10).moved(y=top - 0.005), c.mat("bark"))
    c.add(
        "leaf",
        g.sheet([(0, 0), (0.02, 0.008), (0.035, 0.0), (0.02, -0.006)], 0.002)
        .rotated("x", 90)
        .rotated("z", 25)
        .moved(y=top + 0.01),
        c.mat("foliage"),
    )


def build_bread(c: Ctx) -> None:
    """Build a loaf of bread: a domed loaf with slashes, or a round boule."""
    r = c.r
    length = 0.3 * r.long * c.j(0.1)
    w = 0.13 * r.wide * c.j(0.1)
    crust = c.mat("bread", "main")
    if c.pick(["loaf", "boule", "baguette"]) == "boule" or r.round:
        c.add("loaf", g.sphere(w * 1.1, c.seg).scaled(1, 0.6, 1).moved(y=w * 0.35), crust)
        cuts = [g.box(w * 1.3, 0.008, 0.01).rotated("y", a).moved(y=w * 1.0) for a in (0, 90)]
    else:
        stretch = 1.6 if r.has("baguette") else 1.0
        c.add(
            "loaf",
            g.along_x(g.capsule(w, length * stretch, c.seg))
            .scaled(1, 0.7, 1)
            .moved(x=-length * stretch / 2, y=w * 0.7),
            crust,
        )
        cuts = [
            g.box(0.01, 0.008, w * 1.0)
            .rotated("y", 30)
            .moved(x=(k - 1) * length * stretch * 0.25, y=w * 1.38)
            for k in range(3)
        ]
    c.add("slashes", cuts, c.mat("crumb"))


def build_cheese(c: Ctx) -> None:
    """Build cheese: a wheel with a wedge cut out, and the wedge beside it."""
    r = c.r
    rad = 0.16 * r.wide * c.j(0.1)
    h = 0.09 * r.long * c.j(0.15)
    cut = c.pick([45, 60, 90])
    n = max(6, c.seg)
    pts = [(0.0, 0.0)] + [
        (rad * math.cos(math.radians(a)), rad * math.sin(math.radians(a)))
        for a in [cut + (360 - cut) * k / n for k in range(n + 1)]
    ]
    wheel = g.extrude(pts, h).rotated("x", -90).moved(y=h / 2)
    c.add("wheel", wheel, c.mat("cheese", "main,paint"))
    wedge = [
        (0.0, 0.0),
        (rad, 0.0),
        (rad * math.cos(math.radians(cut)), rad * math.sin(math.radians(cut))),
    ]
    c.add(
        "wedge",
        g.extrude(wedge, h).rotated("x", -90).moved(x=rad * 0.45, y=h / 2, z=rad * 0.6),
        c.mat("cheese", "main,paint"),
    )
    c.add(
        "holes",
        [
            g.sphere(h * 0.15, 4).moved(
                x=rad * 0.4 * math.cos(a), y=h + 0.001, z=-rad * 0.5 * math.sin(a) - rad * 0.2
            )
            for a in (1.0, 2.2, 3.4)
        ],
        c.mat("bread"),
    )


def build_cake(c: Ctx) -> None:
    """Build a layered cake: tiers of sponge, icing drips, candles or a cherry on top."""
    r = c.r
    tiers = c.count("tier", c.pick([1, 2, 3]), 1, 5)
    rad = 0.14 * r.wide * c.j(0.1)
    th = 0.08 * r.long * c.j(0.1)
    sponge, icing = [], []
    y = 0.0
    for k in range(tiers):
        rr = rad * (1 - 0.25 * k)
        sponge.append(g.cylinder(rr, th, c.seg).moved(y=y))
        icing.append(g.cylinder(rr * 1.02, th * 0.25, c.seg).moved(y=y + th * 0.8))
        y += th * 1.05
    c.add("sponge", sponge, c.mat("sponge"))
    c.add("icing", icing, c.mat("icing", "main,paint"))
    c.add(
        "plate",
        g.cylinder(rad * 1.3, 0.01, c.seg).moved(y=-0.01),
        c.mat("plaster", role="secondary"),
    )
    candles = c.count("candle", c.pick([0, 1, 3]), 0, 12)
    if candles:
        rr = rad * (1 - 0.25 * (tiers - 1)) * 0.5
        c.add(
            "candles",
            [
                g.cylinder(0.006, 0.05, 4).moved(
                    x=rr * math.sin(2 * math.pi * k / candles) if candles > 1 else 0.0,
                    y=y,
                    z=rr * math.cos(2 * math.pi * k / candles) if candles > 1 else 0.0,
                )
                for k in range(candles)
            ],
            c.mat("wax"),
        )
        c.add(
            "flames",
            [
                g.cone(0.006, 0.016, 4).moved(
                    x=rr * math.sin(2 * math.pi * k / candles) if candles > 1 else 0.0,
                    y=y + 0.052,
                    z=rr * math.cos(2 * math.pi * k / candles) if candles > 1 else 0.0,
                )
                for k in range(candles)
            ],
            c.mat("flame"),
        )
    else:
        c.add("cherry", g.sphere(0.02, c.small).moved(y=y + 0.015), c.mat("apple"))


def build_tankard(c: Ctx) -> None:
    """Build a tankard or mug: a straight cup with a handle, hoops and froth."""
    r = c.r
    rad = 0.05 * r.wide * c.j(0.1)
    h = 0.14 * r.long * c.j(0.1)
    wooden = c.rng.random() < 0.5
    body = c.mat("wood" if wooden else "iron", "main")
    c.add(
        "cup",
        g.lathe(
            [
                (0.0, 0.0),
                (rad, 0.0),
                (rad * 0.95, h),
                (rad * 0.88, h),
                (rad * 0.9, 0.01),
                (0.0, 0.01),
            ],
            c.seg,
        ),
        body,
    )
    pts = [
        (rad, h * 0.8, 0.0),
        (rad * 1.6, h * 0.75, 0.0),
        (rad * 1.6, h * 0.3, 0.0),
        (rad, h * 0.25, 0.0),
    ]
    c.add("handle", g.tube_path(pts, 0.009, c.small), body)
    c.add(
        "hoops",
        [g.torus(rad * 1.01, 0.004, c.seg, 4).moved(y=h * t) for t in (0.15, 0.85)],
        c.mat("dark_iron", role="trim"),
    )
    c.add("froth", g.sphere(rad * 0.92, c.seg).scaled(1, 0.35, 1).moved(y=h * 0.97), c.mat("froth"))


def build_drumstick(c: Ctx) -> None:
    """Build a roast drumstick on a plate: a meaty bulb and a bone end."""
    r = c.r
    length = 0.16 * r.long * c.j(0.1)
    rad = 0.045 * r.wide * c.j(0.1)
    c.add("plate", g.cylinder(0.13, 0.012, c.seg), c.mat("plaster", role="secondary"))
    meat = g.lathe(
        [
            (0.0, 0.0),
            (rad * 0.8, rad * 0.3),
            (rad, rad),
            (rad * 0.7, length * 0.7),
            (rad * 0.25, length),
            (0.0, length),
        ],
        c.seg,
    )
    c.add(
        "meat", meat.rotated("z", -75).moved(x=-length * 0.4, y=0.012 + rad), c.mat("meat", "main")
    )
    end = g.capsule(rad * 0.18, length * 0.45, c.small)
    knobs = [
        g.sphere(rad * 0.22, c.small).moved(y=length * 0.45, z=dz)
        for dz in (-rad * 0.15, rad * 0.15)
    ]
    c.add(
        "bone",
        g.merge([end, *knobs]).rotated("z", -75).moved(x=length * 0.55, y=0.012 + rad + 0.02),
        c.mat("bone"),
    )


def build_pie(c: Ctx) -> None:
    """Build a pie in its dish: a crust rim and a lattice or domed top."""
    r = c.r
    rad = 0.13 * r.wide * c.j(0.1)
    h = 0.05 * r.long
    c.add(
        "dish",
        g.lathe(
            [(0.0, 0.0), (rad * 0.85, 0.0), (rad * 1.05, h), (rad * 1.0, h), (0.0, 0.006)], c.seg
        ),
        c.mat("plaster", role="secondary"),
    )
    crust = c.mat("bread", "main")
    c.add("rim", g.torus(rad * 0.95, 0.012, c.seg, 4).moved(y=h), crust)
    if c.pick(["lattice", "dome"]) == "lattice":
        c.add(
            "filling",
            g.cylinder(rad * 0.93, h * 0.8, c.seg).moved(y=0.006),
            c.mat("apple", "paint"),
        )
        strips = [
            g.box(rad * 1.8 * math.sqrt(max(0.0, 1 - (k / 3) ** 2)), 0.008, 0.018)
            .rotated("y", a)
            .moved(y=h, **({"z": k * rad * 0.3} if a == 0 else {"x": k * rad * 0.3}))
            for a in (0, 90)
            for k in range(-2, 3)
        ]
        c.add("lattice", strips, crust)
    else:
        c.add("top", g.sphere(rad * 0.93, c.seg).scaled(1, 0.3, 1).moved(y=h * 0.8), crust)


FAMILY = Family(
    name="food",
    label="food item",
    asset_kind="prop",
    generic="bread",
    hints=words("food, meal, dish, snack, feast, dessert, drink, vegetable, ration, groceries"),
    kinds=(
        Kind("apple", build_apple, words("apple, pear, fruit, peach, plum, orange fruit, pomegranate")),
        Kind("bread", build_bread, words("bread, loaf, baguette, bun, roll, boule, sourdough, pastry")),
        Kind("cheese", build_cheese, words("cheese, cheese wheel, wheel of cheese, brie, cheddar, wedge of cheese")),
        Kind("cake", build_cake, words("cake, birthday cake, wedding cake, cupcake, gateau, torte")),
        Kind("tankard", build_tankard, words("tankard, mug, stein, beer mug, ale, beer, pint, coffee mug, tea cup, teacup")),
        Kind("drumstick", build_drumstick, words("drumstick, chicken leg, turkey leg, meat, ham, roast, steak, leg of meat")),
        Kind("pie", build_pie, words("pie, tart, quiche, apple pie, pizza")),
    ),
)  # fmt: skip

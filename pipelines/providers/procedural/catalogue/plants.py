"""Plants: leafy trees, conifers, palms, bushes, flowers, mushrooms, cacti and grass."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def _trunk(c: Ctx, h: float, rad: float, lean: float = 0.15) -> tuple[np.ndarray, str]:
    """Add a tapered, slightly bent trunk of height `h`; return its top and bark material."""
    bend = c.rng.uniform(-lean, lean)
    rings = max(3, c.small // 2)
    pts = [(bend * t * t * h * 0.3, h * t, 0.0) for t in np.linspace(0, 1, rings + 1)]
    trunk = g.tube_path(pts, rad, c.seg)
    ys, xs = [p[1] for p in pts], [p[0] for p in pts]
    k = 1 - 0.45 * trunk.v[:, 1] / h
    axis = np.interp(trunk.v[:, 1], ys, xs)
    trunk.v[:, 0] = (trunk.v[:, 0] - axis) * k + axis
    trunk.v[:, 2] *= k
    bark = c.mat("bark" if not c.r.has("birch") else "bone", "main", role="wood")
    c.add("trunk", trunk, bark)
    return np.array(pts[-1]), bark


def _bare_branches(
    c: Ctx, top: np.ndarray, h: float, trunk_h: float, rad: float, bark: str
) -> None:
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
            g.tube_path(bp, rad * 0.3, c.small).rotated("y", a).moved(x=top[0] * y0 / trunk_h)
        )
    c.add("branches", branches, bark)


def build_tree(c: Ctx) -> None:
    """Build a leafy tree: a tapered trunk and a crown of clustered blobs (bare when dead)."""
    r = c.r
    h = 4.0 * r.long * c.j(0.15)
    rad = 0.18 * r.wide * c.j(0.15)
    trunk_h = h * 0.55
    top, bark = _trunk(c, trunk_h, rad)
    c.anchor("top", float(top[0]), h, 0.0)
    if r.has("dead", "bare", "leafless", "withered", "haunted") or r.broken:
        _bare_branches(c, top, h, trunk_h, rad, bark)
        return
    leaf = c.mat("foliage", "paint")
    shape = c.pick(["round", "tall", "wide"])
    crown_r = h * 0.22 * r.wide * {"round": 1.0, "tall": 0.8, "wide": 1.15}[shape]
    stretch = {"round": 0.85, "tall": 1.5, "wide": 0.65}[shape]
    center = top + np.array([0.0, crown_r * 0.5 * stretch, 0.0])
    blobs = [g.sphere(crown_r, c.seg).scaled(1, stretch, 1).moved(*center)]
    for _ in range(c.pick([4, 5, 6])):
        dirv = c.nrng.normal(size=3)
        dirv[1] = abs(dirv[1]) * 0.5
        dirv /= np.linalg.norm(dirv)
        blobs.append(
            g.sphere(crown_r * c.rng.uniform(0.55, 0.8), c.seg).moved(
                *(center + dirv * crown_r * 0.75)
            )
        )
    c.add("foliage", blobs, leaf)
    if r.has("apple", "fruit", "orange", "cherry"):
        c.add(
            "fruit",
            [
                g.sphere(0.08, c.small).moved(*(center + d * crown_r * 0.95))
                for d in c.nrng.normal(size=(6, 3)) / 1.7
            ],
            c.mat("apple"),
        )


def build_pine(c: Ctx) -> None:
    """Build a conifer: a short trunk under stacked cones (or a snowy tier when wintry)."""
    r = c.r
    h = 5.0 * r.long * c.j(0.15)
    rad = 0.16 * r.wide * c.j(0.15)
    trunk_h = h * 0.45
    top, _ = _trunk(c, trunk_h, rad, lean=0.05)
    leaf = c.mat("foliage", "paint")
    tiers = c.count("tier", c.pick([3, 4, 5]), 2, 8)
    base = trunk_h * 0.35
    span = h - base
    cones = []
    for k in range(tiers):
        t = k / tiers
        cones.append(
            g.cone(h * 0.28 * r.wide * (1 - t * 0.6), span * 0.5, c.seg).moved(
                x=top[0], y=base + span * t * 0.75
            )
        )
    c.add("foliage", cones, leaf)
    c.anchor("top", float(top[0]), base + span * ((tiers - 1) / tiers * 0.75 + 0.5), 0.0)
    if r.has("snowy", "snow", "winter", "christmas"):
        c.add(
            "snow",
            [
                g.cone(h * 0.2 * (1 - k / tiers * 0.6), span * 0.15, c.seg).moved(
                    x=top[0], y=base + span * (k / tiers * 0.75 + 0.36)
                )
                for k in range(tiers)
            ],
            c.mat("snow"),
        )


def build_palm(c: Ctx) -> None:
    """Build a palm tree: a ringed, curving trunk and drooping fronds with coconuts."""
    r = c.r
    h = 4.5 * r.long * c.j(0.12)
    curve = c.pick([0.2, 0.35, 0.5])
    pts = [(curve * h * t * t, h * t, 0.0) for t in np.linspace(0, 1, max(6, c.small))]
    trunk = g.tube_path(pts, 0.14 * r.wide, c.small)
    c.add("trunk", trunk, c.mat("bark", "main", role="wood"))
    c.add(
        "rings",
        [
            g.torus(0.15 * r.wide, 0.02, c.small, 4).moved(x=curve * h * t * t, y=h * t)
            for t in np.linspace(0.1, 0.9, 6)
        ],
        c.mat("dark_wood"),
    )
    top = np.array(pts[-1])
    fronds = []
    count = c.count("frond", c.pick([6, 7, 8]), 3, 12)
    for k in range(count):
        a = 360 * k / count + c.rng.uniform(-10, 10)
        length = h * 0.4 * c.j(0.15)
        leaf = [(0.0, 0.0), (length * 0.4, 0.12), (length, -0.05), (length * 0.4, -0.08)]
        fronds.append(
            g.sheet(leaf, 0.02).rotated("x", 90).rotated("z", -25).rotated("y", a).moved(*top)
        )
    c.add("fronds", fronds, c.mat("foliage", "paint"), flat=True)
    c.add(
        "coconuts",
        [
            g.sphere(0.1, c.small).moved(
                top[0] + 0.12 * math.cos(a), top[1] - 0.12, 0.12 * math.sin(a)
            )
            for a in (0.5, 2.6, 4.4)
        ],
        c.mat("dark_wood"),
    )


def build_bush(c: Ctx) -> None:
    """Build a bush: a low cluster of leafy blobs, with berries or flowers by seed."""
    r = c.r
    rad = 0.5 * r.wide * c.j(0.15)
    h = 0.7 * r.long
    blobs = []
    for _ in range(c.pick([5, 7, 9])):
        a = c.rng.uniform(0, 2 * math.pi)
        d = rad * c.rng.uniform(0.0, 0.7)
        rr = rad * c.rng.uniform(0.4, 0.65)
        blobs.append(
            g.sphere(rr, c.seg)
            .scaled(1, h / rad * 0.8, 1)
            .moved(x=math.cos(a) * d, y=rr * 0.7, z=math.sin(a) * d)
        )
    c.add("leaves", blobs, c.mat("foliage", "paint"))
    extra = c.pick(["berries", "flowers", "none"])
    if extra != "none" or r.has("berry", "berries", "flowering", "rose"):
        dots = [
            g.sphere(0.035, 4).moved(
                *(v * np.array([rad, h * 0.6, rad]) + np.array([0, h * 0.5, 0]))
            )
            for v in c.nrng.normal(size=(12, 3)) / 1.5
        ]
        c.add(
            extra if extra != "none" else "berries",
            dots,
            c.mat("apple" if extra == "berries" else "petal"),
        )


def build_flower(c: Ctx) -> None:
    """Build a flower: stem, leaves and a head of petals around a centre (a bunch when plural)."""
    r = c.r
    count = 3 if r.plural or r.has("bouquet", "bunch", "patch") else 1
    stems, leaves, petals, centres = [], [], [], []
    n_petals = c.count("petal", c.pick([5, 6, 8]), 3, 16)
    kind = (
        c.pick(["daisy", "tulip", "sunflower"])
        if not r.has("tulip", "sunflower", "rose")
        else next(w for w in ("tulip", "sunflower", "rose") if r.has(w))
    )
    for i in range(count):
        h = 0.35 * r.long * c.j(0.15) * (1.8 if kind == "sunflower" else 1.0)
        x, z = (0.0, 0.0) if i == 0 else (0.07 * math.cos(i * 2.3), 0.07 * math.sin(i * 2.3))
        stems.append(g.cylinder(0.005, h, 4).moved(x=x, z=z))
        leaves.append(
            g.sheet([(0, 0), (0.04, 0.015), (0.07, 0.0), (0.04, -0.01)], 0.003)
            .rotated("x", 90)
            .rotated("z", 30)
            .moved(x=x, y=h * 0.4, z=z)
        )
        head = 0.035 * r.wide * (2.2 if kind == "sunflower" else 1.0)
        if kind in ("tulip", "rose"):
            petals.append(
                g.lathe(
                    [
                        (0.0, 0.0),
                        (head * 0.7, head * 0.5),
                        (head * 0.8, head * 1.4),
                        (head * 0.5, head * 1.5),
                    ],
                    max(5, n_petals),
                    cap_top=False,
                ).moved(x=x, y=h, z=z)
            )
        else:
            petal = g.sphere(head * 0.5, 4).scaled(1, 0.2, 0.45).moved(x=head * 0.6)
            petals += [
                p.rotated("x", -70).moved(x=x, y=h, z=z)
                for p in g.around(petal.rotated("y", 90).moved(z=0), n_petals, 0.0)
            ]
            centres.append(
                g.sphere(head * 0.35, c.small)
                .scaled(1, 1, 0.5)
                .rotated("x", -70 + 90)
                .moved(x=x, y=h, z=z)
            )
    c.add("stems", stems, c.mat("grass"))
    c.add("leaves", leaves, c.mat("foliage"))
    c.add("petals", petals, c.mat("petal", "main,paint"))
    if centres:
        c.add("centres", centres, c.mat("cheese", role="secondary"))


def build_mushroom(c: Ctx) -> None:
    """Build a toadstool: pale stem, domed cap and spots (a cluster if plural)."""
    r = c.r
    count = c.count("mushroom", 3 if r.plural or r.has("cluster", "group") else 1, 1, 7)
    stems, caps, spots = [], [], []
    flat = r.has("flat") or c.rng.random() < 0.3
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
        ch = cr * (0.55 if not flat else 0.3)
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
            spots.append(
                g.sphere(cr * 0.12, c.small)
                .scaled(1, 0.45, 1)
                .moved(px + off[0], h + ch * math.sin(t), pz + off[1])
            )
    c.add("stem", stems, c.mat("mushroom_stem"))
    c.add("cap", caps, c.mat("mushroom_cap", "main,paint"))
    c.add("spots", spots, c.mat("mushroom_spots"))


def build_cactus(c: Ctx) -> None:
    """Build a saguaro cactus: a ribbed column with bent arms, maybe a flower."""
    r = c.r
    h = 1.8 * r.long * c.j(0.15)
    rad = 0.18 * r.wide * c.j(0.1)
    green = c.mat("cactus", "main,paint")
    c.add("column", g.capsule(rad, h, c.seg), green)
    arms = []
    for k in range(c.count("arm", c.pick([1, 2, 3]), 0, 4)):
        side = 1 if k % 2 == 0 else -1
        y0 = h * c.rng.uniform(0.3, 0.55)
        out = rad * 2.2
        up = h * c.rng.uniform(0.25, 0.4)
        arms.append(
            g.tube_path(
                [
                    (0.0, y0, 0.0),
                    (side * out, y0, 0.0),
                    (side * out, y0 + 0.01, 0.0),
                    (side * out, y0 + up, 0.0),
                ],
                rad * 0.6,
                c.small,
            ).rotated("y", k * 40)
        )
        arms.append(
            g.sphere(rad * 0.6, c.small).moved(x=side * out, y=y0 + up).rotated("y", k * 40)
        )
    if arms:
        c.add("arms", arms, green)
    c.add(
        "spines",
        [
            g.cone(0.008, 0.04, 3).rotated("z", 90).moved(x=rad).rotated("y", a).moved(y=y)
            for a in range(0, 360, 45)
            for y in np.linspace(h * 0.2, h * 0.8, 4)
        ],
        c.mat("mushroom_stem"),
    )
    if c.rng.random() < 0.5:
        c.add(
            "flower",
            g.sphere(rad * 0.4, c.small).scaled(1, 0.5, 1).moved(y=h),
            c.mat("petal", "paint"),
        )


def build_grass(c: Ctx) -> None:
    """Build a tuft of grass or reeds: many thin tapering blades on a clump of soil."""
    r = c.r
    count = c.count("blade", c.pick([14, 20, 28]), 5, 60)
    h = 0.35 * r.long * c.j(0.15) * (2.5 if r.has("reed", "reeds", "cattail") else 1.0)
    blades = []
    for _ in range(count):
        a = c.rng.uniform(0, 360)
        d = c.rng.uniform(0, 0.08 * r.wide)
        lean = c.rng.uniform(5, 30)
        bh = h * c.rng.uniform(0.6, 1.1)
        blades.append(
            g.sheet([(-0.008, 0), (0.008, 0), (0.0, bh)], 0.002)
            .rotated("x", lean)
            .moved(z=d)
            .rotated("y", a)
        )
    c.add("blades", blades, c.mat("grass", "main,paint"), flat=True)
    c.add(
        "soil",
        g.sphere(0.1 * r.wide, c.small).scaled(1, 0.3, 1),
        c.mat("dark_stone", role="secondary"),
    )


FAMILY = Family(
    name="plants",
    label="plant",
    asset_kind="environment",
    generic="bush",
    hints=words("plant, plants, vegetation, flora, greenery, shrubbery, foliage, herb, weed"),
    kinds=(
        Kind("tree", build_tree, words(
            "tree, oak, oak tree, birch, birch tree, maple, maple tree, willow, willow tree, elm, "
                "ash tree, sapling, apple tree, "
            "dead tree, tree of life, cherry tree, woods, forest"), trait="overgrown"),
        Kind("pine", build_pine, words("pine, pine tree, fir, fir tree, spruce, spruce tree, conifer, evergreen, evergreen tree, "
                "christmas tree, cedar, cedar tree, cypress")),
        Kind("palm", build_palm, words("palm, palm tree, coconut tree, date palm")),
        Kind("bush", build_bush, words("bush, shrub, hedge, berry bush, thicket, topiary")),
        Kind("flower", build_flower, words("flower, flowers, rose, tulip, daisy, sunflower, lily, blossom, bouquet")),
        Kind("mushroom", build_mushroom, words("mushroom, toadstool, fungus, fungi, shroom, fly agaric, mushrooms")),
        Kind("cactus", build_cactus, words("cactus, cacti, saguaro, succulent")),
        Kind("grass", build_grass, words("grass, tuft, tuft of grass, reeds, reed, cattail, wheat, fern")),
    ),
)  # fmt: skip

"""Creatures: four-legged animals, birds, fish, insects, spiders, dragons, robots and more."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


@dataclass(frozen=True)
class Species:
    """Proportions of a four-legged animal, in metres."""

    length: float
    radius: float
    leg: float
    neck: float
    fur: str
    snout: float = 1.0
    tail: float = 0.3
    tail_width: float = 0.15
    neck_angle: float = 40.0


SPECIES = {
    "wolf": Species(0.9, 0.2, 0.5, 0.22, "grey_fur", snout=1.6, tail=0.45, tail_width=0.3),
    "horse": Species(
        1.6, 0.32, 1.0, 0.6, "leather", snout=1.7, tail=0.5, tail_width=0.25, neck_angle=30
    ),
    "bear": Species(1.4, 0.45, 0.45, 0.15, "dark_fur", snout=0.9, tail=0.08),
    "deer": Species(1.2, 0.24, 0.95, 0.5, "wood", snout=1.4, tail=0.1, neck_angle=25),
    "cat": Species(0.5, 0.11, 0.25, 0.1, "tan_fur", snout=0.6, tail=0.9, tail_width=0.12),
    "pig": Species(0.9, 0.32, 0.25, 0.05, "pink_skin", snout=0.9, tail=0.12),
    "cow": Species(1.7, 0.4, 0.7, 0.3, "white_fur", snout=1.1, tail=0.4, neck_angle=55),
}


def _quadruped(c: Ctx, species: str) -> tuple[np.ndarray, float]:
    """Build a four-legged animal of `species`; return the head centre and head radius."""
    r = c.r
    sp = SPECIES[species]
    blen = sp.length * r.long * c.j(0.1)
    brad = sp.radius * r.wide * c.j(0.1)
    leg = sp.leg * c.j(0.1)
    fur = c.mat(sp.fur, "main,paint")
    body = g.along_x(g.capsule(brad, blen, c.seg)).moved(x=-blen / 2, y=leg + brad * 0.7)
    c.add("body", body, fur)
    lr = brad * (0.32 if species != "bear" else 0.42)
    count = c.count("leg", 4, 2, 8)
    pairs = max(1, count // 2)
    xs = np.linspace(blen / 2 - brad * 0.8, -(blen / 2 - brad * 0.8), pairs) if pairs > 1 else [0.0]
    c.add(
        "legs",
        [
            g.capsule(lr, leg + brad * 0.5, c.small).moved(x=x, z=sz * brad * 0.55)
            for x in xs
            for sz in (-1, 1)
        ],
        fur,
    )
    front = np.array([blen / 2 - brad * 0.3, leg + brad * 1.1, 0.0])
    neck_len = sp.neck + brad * 0.8
    ang = sp.neck_angle * c.j(0.15)
    c.add("neck", g.capsule(brad * 0.45, neck_len, c.small).rotated("z", -ang).moved(*front), fur)
    head_c = (
        front
        + np.array([math.sin(math.radians(ang)), math.cos(math.radians(ang)), 0.0]) * neck_len * 0.9
    )
    hr = brad * (0.55 if species not in ("horse", "deer", "cow") else 0.5)
    if species == "cat":
        hr = brad * 0.9
    c.add("head", g.sphere(hr, c.seg).moved(*head_c), fur)
    snout_len = hr * sp.snout
    c.add(
        "snout",
        g.along_x(g.capsule(hr * 0.55, snout_len + hr * 0.5, c.small)).moved(
            x=head_c[0] + hr * 0.2, y=head_c[1] - hr * 0.3, z=head_c[2]
        ),
        fur,
    )
    ear = 0.8 if species != "bear" else 0.4
    c.add(
        "ears",
        [
            g.cone(hr * 0.3, hr * ear, c.small)
            .rotated("x", sz * 15)
            .moved(x=head_c[0] - hr * 0.2, y=head_c[1] + hr * 0.7, z=sz * hr * 0.5)
            for sz in (-1, 1)
        ],
        fur,
    )
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
    tail_len = blen * sp.tail
    base = np.array([-blen / 2, leg + brad, 0.0])
    droop = -0.6 if species == "horse" else c.pick([0.3, -0.2, 0.5])
    tp = [
        tuple(base + np.array([-tail_len * t, droop * tail_len * math.sin(t * 2.0), 0.0]))
        for t in np.linspace(0, 1, 6)
    ]
    c.add("tail", g.tube_path(tp, brad * sp.tail_width, c.small), fur)
    c.anchor("head", float(head_c[0]), float(head_c[1] + hr), 0.0)
    c.anchor("back", 0.0, float(leg + brad * 1.7), 0.0)
    return head_c, hr


def build_wolf(c: Ctx) -> None:
    """Build a wolf or dog: a lean body, pointed ears, long snout and bushy tail."""
    _quadruped(c, "wolf")


def build_horse(c: Ctx) -> None:
    """Build a horse: long legs, a tall neck with a mane, long head and a hanging tail."""
    head, hr = _quadruped(c, "horse")
    mane = [
        g.box(0.05, 0.5, 0.06)
        .rotated("z", -30)
        .moved(x=head[0] - 0.35 + 0.06 * k, y=head[1] - 0.3 - 0.06 * k)
        for k in range(4)
    ]
    c.add("mane", mane, c.mat("hair"))
    if c.r.has("unicorn"):
        c.add(
            "horn",
            g.cone(hr * 0.2, hr * 1.6, c.small)
            .rotated("z", -25)
            .moved(x=head[0] + hr * 0.2, y=head[1] + hr * 0.7),
            c.mat("gold", role="trim"),
        )


def build_bear(c: Ctx) -> None:
    """Build a bear: a heavy body on thick short legs, round ears and a stub tail."""
    _quadruped(c, "bear")


def build_deer(c: Ctx) -> None:
    """Build a deer: slender long legs and branching antlers."""
    head, hr = _quadruped(c, "deer")
    tines = c.count("tine", c.pick([2, 3, 4]), 1, 6)
    antlers = []
    for sz in (-1, 1):
        base = (head[0] - hr * 0.2, head[1] + hr * 0.6, sz * hr * 0.4)
        tip = (base[0] - 0.1, base[1] + 0.45, sz * 0.3)
        antlers.append(g.tube_path([base, (base[0], base[1] + 0.2, sz * 0.15), tip], 0.015, 4))
        for k in range(tines):
            t = (k + 1) / (tines + 1)
            p = (
                base[0] + (tip[0] - base[0]) * t,
                base[1] + (tip[1] - base[1]) * t,
                base[2] + (tip[2] - base[2]) * t,
            )
            antlers.append(g.tube_path([p, (p[0] + 0.08, p[1] + 0.12, p[2])], 0.01, 4))
    c.add("antlers", antlers, c.mat("bone"))


def build_cat(c: Ctx) -> None:
    """Build a cat: a small body, big head with pointed ears and a long curled tail (a mane for lions)."""
    head, hr = _quadruped(c, "cat")
    if c.r.has("lion"):
        c.add(
            "mane",
            g.sphere(hr * 1.5, c.seg).scaled(0.7, 1, 1).moved(x=head[0] - hr * 0.3, y=head[1]),
            c.mat("dark_fur"),
        )
    c.add(
        "whiskers",
        [
            g.box(0.002, 0.002, hr * 1.6).moved(x=head[0] + hr * 1.1, y=head[1] - hr * 0.2 + dy)
            for dy in (-0.005, 0.005)
        ],
        c.mat("white_fur"),
    )


def build_pig(c: Ctx) -> None:
    """Build a pig: a round body on short legs, a flat snout and a curly tail."""
    head, hr = _quadruped(c, "pig")
    c.add(
        "nose",
        g.along_x(g.cylinder(hr * 0.35, 0.03, c.small)).moved(
            x=head[0] + hr * 1.3, y=head[1] - hr * 0.3
        ),
        c.mat("skin", role="fur"),
    )


def build_cow(c: Ctx) -> None:
    """Build a cow: a boxy body, short horns, spots and an udder."""
    head, hr = _quadruped(c, "cow")
    c.add(
        "horns",
        [
            g.cone(hr * 0.12, hr * 0.6, c.small)
            .rotated("x", sz * 70)
            .moved(x=head[0] - hr * 0.1, y=head[1] + hr * 0.6, z=sz * hr * 0.5)
            for sz in (-1, 1)
        ],
        c.mat("bone"),
    )
    spots = [
        g.sphere(0.15, c.small)
        .scaled(1, 0.8, 0.3)
        .moved(x=c.rng.uniform(-0.6, 0.6), y=1.0 + c.rng.uniform(-0.1, 0.15), z=sz * 0.36)
        for sz in (-1, 1)
        for _ in range(2)
    ]
    c.add("spots", spots, c.mat("dark_fur", role="fur"))


def build_bird(c: Ctx) -> None:
    """Build a perching bird: a round body, head with a beak, folded or spread wings and a tail."""
    r = c.r
    s = r.wide * c.j(0.1)
    length = 0.18 * r.long * c.j(0.1)
    feathers = c.mat("feather", "main,paint")
    leg = 0.05
    c.add(
        "body",
        g.sphere(length / 2, c.seg)
        .scaled(1, 0.75, 0.7 * s)
        .rotated("z", 20)
        .moved(y=leg + length * 0.35),
        feathers,
    )
    head = np.array([length * 0.45, leg + length * 0.75, 0.0])
    hr = length * 0.22
    c.add("head", g.sphere(hr, c.seg).moved(*head), feathers)
    beak = c.pick([0.8, 1.4, 2.2]) if not r.has("parrot", "eagle", "hawk") else 1.0
    c.add(
        "beak",
        g.along_x(g.cone(hr * 0.35, hr * beak, c.small)).moved(x=head[0] + hr * 0.8, y=head[1]),
        c.mat("cheese", role="secondary"),
    )
    c.add(
        "eyes",
        [
            g.sphere(hr * 0.15, c.small).moved(
                x=head[0] + hr * 0.6, y=head[1] + hr * 0.25, z=sz * hr * 0.6
            )
            for sz in (-1, 1)
        ],
        c.mat("eye"),
    )
    spread = c.pick([False, True]) or r.has("flying", "soaring", "spread")
    wing = [
        (0.0, 0.0),
        (length * 0.5, length * 0.1),
        (length * 0.9 if spread else length * 0.6, -length * 0.1),
        (length * 0.2, -length * 0.15),
    ]
    if spread:
        wings = [
            g.sheet(wing, 0.006)
            .rotated("x", sz * 90)
            .rotated("y", sz * 90 - 90 if sz > 0 else 0)
            .moved(y=head[1] - hr * 0.3)
            for sz in (-1, 1)
        ]
        wings = [
            g.sheet(wing, 0.006)
            .scaled(1.0, 1.0, 1.0)
            .rotated("x", -90 * sz)
            .rotated("y", 90 * sz)
            .moved(x=length * 0.1, y=leg + length * 0.55, z=sz * length * 0.15)
            for sz in (-1, 1)
        ]
    else:
        wings = [
            g.sheet(wing, 0.01)
            .scaled(-1, 1, 1)
            .rotated("z", -15)
            .moved(x=length * 0.2, y=leg + length * 0.5, z=sz * length * 0.24 * s)
            for sz in (-1, 1)
        ]
    c.add("wings", wings, c.mat("feather", "main,paint"), flat=True)
    tail = [(0.0, 0.02), (-length * 0.45, 0.04), (-length * 0.5, -0.02), (0.0, -0.01)]
    c.add(
        "tail",
        g.sheet(tail, length * 0.12).rotated("z", 25).moved(x=-length * 0.3, y=leg + length * 0.3),
        feathers,
        flat=True,
    )
    c.add(
        "legs",
        [g.cylinder(0.004, leg, 3).moved(z=sz * 0.02) for sz in (-1, 1)],
        c.mat("cheese", role="secondary"),
    )
    c.anchor("head", float(head[0]), float(head[1] + hr), 0.0)


def build_owl(c: Ctx) -> None:
    """Build an owl on a branch: an upright egg body, big round eyes, ear tufts and folded wings."""
    r = c.r
    h = 0.35 * r.long * c.j(0.08)
    w = 0.22 * r.wide * c.j(0.1)
    feathers = c.mat("feather", "main,paint")
    perch_y = 0.0
    c.add(
        "perch",
        g.along_x(g.cylinder(0.03, w * 2.6, c.small)).moved(x=-w * 1.3, y=perch_y),
        c.mat("bark", role="wood"),
    )
    body_y = perch_y + 0.03
    c.add(
        "body",
        g.sphere(w / 2, c.seg).scaled(1, h / w * 0.75, 0.9).moved(y=body_y + h * 0.38),
        feathers,
    )
    head_y = body_y + h * 0.82
    c.add("head", g.sphere(w * 0.46, c.seg).scaled(1.05, 0.85, 0.9).moved(y=head_y), feathers)
    c.add(
        "face",
        g.along_z(g.cylinder(w * 0.36, 0.01, c.seg)).scaled(1.3, 1, 1).moved(y=head_y, z=w * 0.38),
        c.mat("tan_fur", role="feather"),
    )
    eye_r = w * 0.12 * c.pick([1.0, 1.2])
    c.add(
        "eyes",
        [
            g.along_z(g.cylinder(eye_r, 0.012, c.small)).moved(
                x=sx * w * 0.17, y=head_y + w * 0.03, z=w * 0.4
            )
            for sx in (-1, 1)
        ],
        c.mat("cheese", role="eye"),
    )
    c.add(
        "pupils",
        [
            g.sphere(eye_r * 0.5, c.small).moved(
                x=sx * w * 0.17, y=head_y + w * 0.03, z=w * 0.41 + 0.012
            )
            for sx in (-1, 1)
        ],
        c.mat("eye"),
    )
    c.add(
        "beak",
        g.cone(w * 0.05, w * 0.15, 4).scaled(1, -1, 1).moved(y=head_y - w * 0.05, z=w * 0.42),
        c.mat("dark_stone", role="secondary"),
    )
    if c.rng.random() < 0.7 or r.has("horned", "eagle owl"):
        c.add(
            "tufts",
            [
                g.cone(w * 0.08, w * 0.28, 4)
                .rotated("z", -sx * 20)
                .moved(x=sx * w * 0.3, y=head_y + w * 0.3)
                for sx in (-1, 1)
            ],
            feathers,
        )
    c.add(
        "wings",
        [
            g.sphere(w * 0.35, c.small)
            .scaled(0.35, 1.1, 0.8)
            .moved(x=sx * w * 0.46, y=body_y + h * 0.35, z=-w * 0.05)
            for sx in (-1, 1)
        ],
        c.mat("dark_fur", role="feather"),
    )
    c.add(
        "talons",
        [
            g.box(w * 0.12, 0.02, w * 0.12).moved(x=sx * w * 0.15, y=perch_y + 0.035, z=0.02)
            for sx in (-1, 1)
        ],
        c.mat("cheese", role="secondary"),
    )
    c.anchor("head", 0.0, head_y + w * 0.4, 0.0)


def build_fish(c: Ctx) -> None:
    """Build a fish swimming along +X: a fusiform body, tail fin, dorsal fin and eyes."""
    r = c.r
    length = 0.5 * r.long * c.j(0.1)
    depth = length * c.pick([0.25, 0.35, 0.5]) * r.wide
    shark = r.has("shark")
    n = max(6, c.seg)
    prof = (
        [(0.0, 0.0)]
        + [
            (depth / 2 * math.sin(math.pi * t) ** 0.7, length * t)
            for t in np.linspace(0.05, 0.95, n)
        ]
        + [(0.0, length)]
    )
    body = g.along_x(g.lathe(prof, c.seg)).scaled(1, 1, 0.45).moved(x=-length / 2, y=depth)
    c.add("body", body, c.mat("paint" if not shark else "stone", "main,paint", role="scale"))
    tail = [
        (0.0, 0.0),
        (-length * 0.25, depth * 0.6),
        (-length * 0.18, 0.0),
        (-length * 0.25, -depth * 0.6),
    ]
    c.add(
        "tail",
        g.sheet(tail, 0.01).moved(x=-length * 0.42, y=depth),
        c.mat("cheese", "paint", role="scale"),
        flat=True,
    )
    dorsal = [(0.0, 0.0), (length * 0.25, 0.0), (-length * 0.05, depth * (0.9 if shark else 0.5))]
    c.add(
        "fins",
        [
            g.sheet(dorsal, 0.01).moved(x=-length * 0.1, y=depth * 1.4),
            g.sheet([(0, 0), (length * 0.12, 0), (-length * 0.03, depth * 0.35)], 0.008)
            .rotated("x", 120)
            .moved(x=length * 0.1, y=depth * 0.7, z=depth * 0.18),
        ],
        c.mat("cheese", "paint", role="scale"),
        flat=True,
    )
    c.add(
        "eyes",
        [
            g.sphere(depth * 0.08, c.small).moved(
                x=length * 0.35, y=depth * 1.1, z=sz * depth * 0.17
            )
            for sz in (-1, 1)
        ],
        c.mat("eye"),
    )


def build_beetle(c: Ctx) -> None:
    """Build a beetle: a domed shell split in two, a head with horns or mandibles, six legs."""
    r = c.r
    length = 0.12 * r.long * c.j(0.1)
    w = length * 0.6 * r.wide
    shell = c.mat("chitin", "main,paint")
    leg_h = length * 0.25
    c.add(
        "shell",
        [
            g.sphere(length / 2, c.seg)
            .scaled(1, 0.55, 0.5)
            .moved(y=leg_h + length * 0.1, z=sz * w * 0.26)
            for sz in (-1, 1)
        ],
        shell,
    )
    head = (length * 0.48, leg_h + length * 0.08, 0.0)
    c.add(
        "head", g.sphere(length * 0.18, c.small).moved(*head), c.mat("dark_stone", role="primary")
    )
    if c.pick(["horn", "mandibles"]) == "horn" or r.has("rhino", "stag"):
        c.add(
            "horn",
            g.tube_path(
                [head, (head[0] + length * 0.25, head[1] + length * 0.2, 0.0)], length * 0.04, 4
            ),
            c.mat("dark_stone", role="primary"),
        )
    else:
        c.add(
            "mandibles",
            [
                g.cone(length * 0.03, length * 0.2, 4)
                .rotated("z", -90)
                .rotated("y", -sz * 20)
                .moved(x=head[0] + length * 0.1, y=head[1], z=sz * length * 0.06)
                for sz in (-1, 1)
            ],
            c.mat("dark_stone", role="primary"),
        )
    legs = []
    for k in range(c.count("leg", 6, 2, 12) // 2):
        x = length * (0.25 - 0.25 * k)
        for sz in (-1, 1):
            legs.append(
                g.tube_path(
                    [
                        (x, leg_h, sz * w * 0.3),
                        (x, leg_h * 1.2, sz * w * 0.8),
                        (x - length * 0.05, 0.0, sz * w * 1.0),
                    ],
                    length * 0.02,
                    3,
                )
            )
    c.add("legs", legs, c.mat("dark_stone", role="primary"))
    c.add(
        "eyes",
        [
            g.sphere(length * 0.03, 4).moved(
                x=head[0] + length * 0.12, y=head[1] + length * 0.05, z=sz * length * 0.08
            )
            for sz in (-1, 1)
        ],
        c.mat("eye"),
    )


def build_spider(c: Ctx) -> None:
    """Build a spider: a big abdomen, small head, eight jointed legs and a cluster of eyes."""
    r = c.r
    s = 0.3 * r.wide * c.j(0.1)
    leg_h = s * 0.6 * r.long
    body = c.mat("dark_fur", "main,paint")
    c.add(
        "abdomen",
        g.sphere(s * 0.45, c.seg).scaled(1.2, 0.9, 1).moved(x=-s * 0.45, y=leg_h + s * 0.2),
        body,
    )
    c.add("head", g.sphere(s * 0.25, c.seg).moved(x=s * 0.12, y=leg_h), body)
    legs = []
    count = c.count("leg", 8, 2, 12)
    for k in range(count // 2):
        a = math.radians(-60 + 120 * k / max(1, count // 2 - 1))
        for sz in (-1, 1):
            hip = (s * 0.1, leg_h, sz * s * 0.1)
            knee = (
                hip[0] + math.sin(a) * s * 0.6,
                leg_h + s * 0.45,
                sz * (s * 0.1 + math.cos(a) * s * 0.6),
            )
            foot = (hip[0] + math.sin(a) * s * 1.3, 0.0, sz * (s * 0.1 + math.cos(a) * s * 1.3))
            legs.append(g.tube_path([hip, knee, foot], s * 0.035, 4))
    c.add("legs", legs, body)
    c.add(
        "eyes",
        [
            g.sphere(s * 0.04, 4).moved(x=s * 0.33, y=leg_h + s * 0.08 + dy, z=dz)
            for dy, dz in (
                (0, -0.03 * s),
                (0, 0.03 * s),
                (0.05 * s, -0.06 * s),
                (0.05 * s, 0.06 * s),
            )
        ],
        c.mat("magic" if r.has("giant", "cave") else "eye", role="eye"),
    )
    c.anchor("head", s * 0.12, leg_h + s * 0.25, 0.0)


def build_butterfly(c: Ctx) -> None:
    """Build a butterfly on display: a slim body and two pairs of raised patterned wings."""
    r = c.r
    s = 0.1 * r.wide * c.j(0.1)
    stand = 0.05
    c.add(
        "body",
        g.capsule(s * 0.06, s * 0.9, c.small).rotated("z", -90).moved(x=-s * 0.45, y=stand),
        c.mat("dark_fur", role="primary"),
    )
    c.add(
        "antennae",
        [
            g.tube_path(
                [(s * 0.42, stand, 0.0), (s * 0.65, stand + s * 0.25, sz * s * 0.15)], s * 0.01, 3
            )
            for sz in (-1, 1)
        ],
        c.mat("dark_fur", role="primary"),
    )
    open_deg = c.pick([20, 45, 70])
    fore = [(0.0, 0.0), (s * 0.5, s * 0.9), (-s * 0.1, s * 1.0)]
    hind = [(0.0, 0.0), (-s * 0.5, s * 0.7), (-s * 0.35, s * 0.25)]
    wings = []
    for sz in (-1, 1):
        for shape in (fore, hind):
            wings.append(
                g.sheet(shape, 0.003)
                .rotated("x", sz * (90 - open_deg) - (0 if sz > 0 else 0))
                .moved(y=stand)
                .scaled(1, 1, 1)
            )
    c.add("wings", wings, c.mat("petal", "main,paint", role="primary"), flat=True)
    c.add(
        "spots",
        [
            g.sphere(s * 0.08, 4)
            .scaled(1, 1, 0.2)
            .moved(
                x=s * 0.1,
                y=stand + s * 0.55 * math.cos(math.radians(90 - open_deg)),
                z=sz * s * 0.55 * math.sin(math.radians(90 - open_deg)),
            )
            for sz in (-1, 1)
        ],
        c.mat("eye", role="secondary"),
    )
    c.add("stand", g.cylinder(0.003, stand, 3), c.mat("dark_iron", role="secondary"))


def build_dragon(c: Ctx) -> None:
    """Build a dragon: a long scaly body on four legs, horns, a spiked back, wings and a long tail."""
    r = c.r
    blen = 2.4 * r.long * c.j(0.1)
    brad = 0.45 * r.wide * c.j(0.1)
    leg = 0.8 * c.j(0.1)
    scale = c.mat("scale", "main,paint")
    c.add(
        "body",
        g.along_x(g.capsule(brad, blen, c.seg)).moved(x=-blen / 2, y=leg + brad * 0.7),
        scale,
    )
    c.add(
        "legs",
        [
            g.capsule(brad * 0.32, leg + brad * 0.5, c.small).moved(
                x=sx * (blen / 2 - brad * 0.8), z=sz * brad * 0.6
            )
            for sx in (-1, 1)
            for sz in (-1, 1)
        ],
        scale,
    )
    front = np.array([blen / 2 - brad * 0.3, leg + brad * 1.1, 0.0])
    neck_len = 0.9 + brad
    c.add("neck", g.capsule(brad * 0.4, neck_len, c.small).rotated("z", -35).moved(*front), scale)
    head = (
        front
        + np.array([math.sin(math.radians(35)), math.cos(math.radians(35)), 0.0]) * neck_len * 0.95
    )
    hr = brad * 0.55
    c.add(
        "head",
        [
            g.sphere(hr, c.seg).moved(*head),
            g.along_x(g.capsule(hr * 0.5, hr * 2.2, c.small)).moved(
                x=head[0] + hr * 0.2, y=head[1] - hr * 0.25, z=head[2]
            ),
        ],
        scale,
    )
    c.add(
        "horns",
        [
            g.cone(hr * 0.18, hr * 1.3, c.small)
            .rotated("z", 60)
            .moved(x=head[0] - hr * 0.3, y=head[1] + hr * 0.6, z=sz * hr * 0.45)
            for sz in (-1, 1)
        ],
        c.mat("bone"),
    )
    c.add(
        "eyes",
        [
            g.sphere(hr * 0.15, c.small).moved(
                x=head[0] + hr * 0.7, y=head[1] + hr * 0.3, z=sz * hr * 0.45
            )
            for sz in (-1, 1)
        ],
        c.mat("flame", role="eye"),
    )
    tail = [
        (
            -blen / 2 - blen * 0.9 * t,
            leg + brad * (1 - 0.8 * t) + 0.3 * math.sin(t * 3),
            0.15 * math.sin(t * 5) * c.j(),
        )
        for t in np.linspace(0, 1, 8)
    ]
    c.add("tail", g.tube_path(tail, brad * 0.25, c.small), scale)
    c.add(
        "spikes",
        [
            g.cone(brad * 0.12, brad * 0.45, 4).moved(x=x, y=leg + brad * 1.55)
            for x in np.linspace(-blen * 0.45, blen * 0.45, c.count("spike", 6, 0, 16))
        ],
        c.mat("bone"),
    )
    span = blen * c.pick([0.7, 0.9, 1.1])
    if c.count("wing", 2, 0, 4):
        wing = [
            (0.0, 0.0),
            (span * 0.5, 0.1),
            (span * 0.7, span * 0.6),
            (span * 0.3, span * 0.35),
            (0.0, span * 0.5),
        ]
        c.add(
            "wings",
            [
                g.sheet(wing, 0.03)
                .rotated("y", 90)
                .rotated("x", sz * 55)
                .moved(x=blen * 0.05, y=leg + brad * 1.5, z=sz * brad * 0.6)
                for sz in (-1, 1)
            ],
            c.mat("leather", "paint", role="scale"),
            flat=True,
        )
    c.anchor("head", float(head[0]), float(head[1] + hr), 0.0)


def build_robot(c: Ctx) -> None:
    """Build a robot: a boxy torso on piston legs, a head with a glowing visor and an antenna."""
    r = c.r
    h = 1.6 * r.long * c.j(0.1)
    w = 0.6 * r.wide * c.j(0.1)
    metal = c.mat("plating", "main,paint")
    design = c.pick(["biped", "tracks", "round"])
    leg_h = h * 0.4
    if design == "tracks":
        c.add(
            "tracks",
            [
                g.along_x(g.capsule(0.12, w * 1.2, c.small)).moved(
                    x=-w * 0.6, y=0.12, z=sz * w * 0.35
                )
                for sz in (-1, 1)
            ],
            c.mat("rubber"),
        )
        leg_h = 0.25
        c.add("legs", g.cylinder(0.08, leg_h, c.small).moved(y=0.15), c.mat("dark_iron"))
    else:
        c.add(
            "legs",
            [g.cylinder(w * 0.1, leg_h, c.small).moved(x=sx * w * 0.25) for sx in (-1, 1)],
            c.mat("dark_iron"),
        )
        c.add(
            "feet",
            [
                g.box(w * 0.3, 0.06, w * 0.4).moved(x=sx * w * 0.25, y=0.03, z=0.04)
                for sx in (-1, 1)
            ],
            metal,
        )
    torso_h = h * 0.35
    if design == "round":
        c.add(
            "torso",
            g.sphere(w * 0.55, c.seg).scaled(1, torso_h / w, 0.8).moved(y=leg_h + torso_h * 0.5),
            metal,
        )
    else:
        c.add("torso", g.box(w, torso_h, w * 0.6).moved(y=leg_h + torso_h / 2), metal)
    c.add(
        "panel",
        g.box(w * 0.4, torso_h * 0.35, 0.02).moved(y=leg_h + torso_h * 0.55, z=w * 0.31),
        c.mat("neon"),
    )
    arm_y = leg_h + torso_h * 0.85
    c.add(
        "arms",
        [
            g.cylinder(w * 0.08, h * 0.35, c.small)
            .moved(y=-h * 0.35)
            .rotated("z", sx * 10)
            .moved(x=sx * w * 0.62, y=arm_y)
            for sx in (-1, 1)
        ],
        c.mat("dark_iron"),
    )
    c.add(
        "hands",
        [
            g.torus(w * 0.09, w * 0.03, c.small, 4)
            .rotated("x", 90)
            .moved(x=sx * (w * 0.62 + h * 0.35 * math.sin(math.radians(10))), y=arm_y - h * 0.36)
            for sx in (-1, 1)
        ],
        metal,
    )
    head_h = h * 0.18
    head_y = leg_h + torso_h + 0.03
    c.add(
        "head",
        g.box(w * 0.6, head_h, w * 0.5).moved(y=head_y + head_h / 2)
        if design != "round"
        else g.sphere(head_h * 0.7, c.seg).moved(y=head_y + head_h * 0.6),
        metal,
    )
    c.add(
        "eyes",
        [
            g.sphere(head_h * 0.14, c.small).moved(
                x=sx * w * 0.14,
                y=head_y + head_h * 0.55,
                z=w * 0.25 if design != "round" else head_h * 0.62,
            )
            for sx in (-1, 1)
        ],
        c.mat("neon", role="eye"),
    )
    c.add(
        "antenna",
        [
            g.cylinder(0.01, h * 0.12, 4).moved(y=head_y + head_h),
            g.sphere(0.03, c.small).moved(y=head_y + head_h + h * 0.12),
        ],
        c.mat("red_paint", role="glow"),
    )
    c.anchor("hand", w * 0.62 + h * 0.35 * math.sin(math.radians(10)), arm_y - h * 0.36, 0.0)
    c.anchor("head", 0.0, head_y + head_h + h * 0.14, 0.0)


def build_snake(c: Ctx) -> None:
    """Build a coiled snake: a tapered body spiralling up to a raised head with a forked tongue."""
    r = c.r
    rad = 0.05 * r.wide * c.j(0.1)
    coils = c.pick([1.5, 2.0, 2.5]) * r.long
    n = max(16, c.seg * 2)
    pts = []
    for i in range(n):
        t = i / (n - 1)
        a = t * coils * 2 * math.pi
        cr = 0.3 * (1 - t * 0.6)
        pts.append((cr * math.cos(a), rad + t * rad * 2.5 * coils, cr * math.sin(a)))
    pts += [
        (pts[-1][0], pts[-1][1] + 0.15, pts[-1][2]),
        (pts[-1][0] + 0.05, pts[-1][1] + 0.3, pts[-1][2]),
    ]
    body = g.tube_path(pts, rad, c.small)
    c.add("body", body, c.mat("scale", "main,paint"))
    head = np.array(pts[-1]) + np.array([0.04, 0.0, 0.0])
    c.add(
        "head",
        g.sphere(rad * 1.5, c.small).scaled(1.5, 0.8, 1).moved(*head),
        c.mat("scale", "main,paint"),
    )
    c.add(
        "eyes",
        [
            g.sphere(rad * 0.25, 4).moved(
                head[0] + rad * 0.9, head[1] + rad * 0.5, head[2] + sz * rad * 0.7
            )
            for sz in (-1, 1)
        ],
        c.mat("cheese", role="eye"),
    )
    c.add(
        "tongue",
        g.box(rad * 1.5, rad * 0.1, rad * 0.4).moved(
            head[0] + rad * 2.5, head[1] - rad * 0.2, head[2]
        ),
        c.mat("red_paint", role="secondary"),
    )


def build_slime(c: Ctx) -> None:
    """Build a slime monster: a wobbly translucent blob with eyes and a smile."""
    r = c.r
    rad = 0.35 * r.wide * c.j(0.1)
    h = rad * c.pick([0.7, 0.9, 1.1]) * r.long
    blob = g.lathe(
        [
            (0.0, 0.0),
            (rad, 0.0),
            (rad * 1.05, h * 0.25),
            (rad * 0.85, h * 0.7),
            (rad * 0.4, h * 0.95),
            (0.0, h),
        ],
        c.seg,
    )
    c.add("blob", blob, c.mat("slime", "main,paint"))
    c.add(
        "eyes",
        [
            g.sphere(rad * 0.12, c.small).moved(x=sx * rad * 0.3, y=h * 0.62, z=rad * 0.7)
            for sx in (-1, 1)
        ],
        c.mat("eye"),
    )
    c.add("mouth", g.box(rad * 0.35, rad * 0.05, 0.02).moved(y=h * 0.4, z=rad * 0.85), c.mat("eye"))
    c.add("core", g.sphere(rad * 0.2, c.small).moved(y=h * 0.35), c.mat("gem", role="gem"))


def build_frog(c: Ctx) -> None:
    """Build a sitting frog: a squat body, bulging eyes on top and folded hind legs."""
    r = c.r
    s = 0.12 * r.wide * c.j(0.1)
    skin = c.mat("grass", "main,paint", role="skin")
    c.add(
        "body",
        g.sphere(s, c.seg).scaled(1.1, 0.7 * r.long, 1).rotated("z", 15).moved(y=s * 0.7),
        skin,
    )
    c.add("head", g.sphere(s * 0.75, c.seg).scaled(1, 0.6, 1.2).moved(x=s * 0.75, y=s * 0.9), skin)
    c.add(
        "eye_bumps",
        [
            g.sphere(s * 0.25, c.small).moved(x=s * 0.9, y=s * 1.3, z=sz * s * 0.45)
            for sz in (-1, 1)
        ],
        skin,
    )
    c.add(
        "eyes",
        [
            g.sphere(s * 0.13, c.small).moved(x=s * 1.05, y=s * 1.35, z=sz * s * 0.5)
            for sz in (-1, 1)
        ],
        c.mat("eye"),
    )
    c.add(
        "legs",
        [
            g.sphere(s * 0.45, c.small)
            .scaled(1.4, 0.6, 0.7)
            .moved(x=-s * 0.4, y=s * 0.3, z=sz * s * 0.8)
            for sz in (-1, 1)
        ]
        + [
            g.box(s * 0.5, s * 0.08, s * 0.3).moved(
                x=s * (0.5 if k else -0.1), y=0.02, z=sz * s * 0.8
            )
            for k in (0, 1)
            for sz in (-1, 1)
        ],
        skin,
    )
    if c.rng.random() < 0.4 or r.has("lily", "pad"):
        c.add("lily_pad", g.cylinder(s * 2.2, 0.01, c.seg), c.mat("foliage"))


def build_turtle(c: Ctx) -> None:
    """Build a turtle: a domed patterned shell, a head, four flippers and a short tail."""
    r = c.r
    s = 0.3 * r.wide * c.j(0.1)
    skin = c.mat("green_skin", "", role="skin")
    c.add(
        "shell",
        g.sphere(s, c.seg).scaled(1.2, 0.55 * r.long, 1).moved(y=s * 0.25),
        c.mat("shell", "main,paint"),
    )
    c.add(
        "plates",
        [
            g.sphere(s * 0.28, 6)
            .scaled(1, 0.3, 1)
            .moved(x=x, y=s * 0.25 + s * 0.5 * math.sqrt(max(0.0, 1 - (x / (s * 1.2)) ** 2)), z=0.0)
            for x in (-s * 0.5, 0.0, s * 0.5)
        ],
        c.mat("wood", role="secondary"),
    )
    c.add("head", g.sphere(s * 0.25, c.small).moved(x=s * 1.35, y=s * 0.35), skin)
    c.add(
        "eyes",
        [g.sphere(s * 0.05, 4).moved(x=s * 1.5, y=s * 0.42, z=sz * s * 0.12) for sz in (-1, 1)],
        c.mat("eye"),
    )
    c.add(
        "flippers",
        [
            g.sphere(s * 0.3, c.small)
            .scaled(1, 0.25, 0.6)
            .moved(x=sx * s * 0.8, y=s * 0.1, z=sz * s * 0.95)
            for sx in (-1, 1)
            for sz in (-1, 1)
        ],
        skin,
    )


def build_bat(c: Ctx) -> None:
    """Build a bat with spread membrane wings, big ears and a small furry body."""
    r = c.r
    s = 0.15 * r.wide * c.j(0.1)
    fur = c.mat("dark_fur", "main,paint")
    y = s * 1.2
    c.add("body", g.sphere(s * 0.3, c.seg).scaled(0.8, 1.2, 0.8).moved(y=y), fur)
    c.add("head", g.sphere(s * 0.2, c.small).moved(y=y + s * 0.45), fur)
    c.add(
        "ears",
        [g.cone(s * 0.08, s * 0.25, 4).moved(x=sx * s * 0.1, y=y + s * 0.55) for sx in (-1, 1)],
        fur,
    )
    span = s * c.pick([1.6, 2.0, 2.4]) * r.long
    wing = [
        (0.0, 0.0),
        (span * 0.4, s * 0.5),
        (span, s * 0.3),
        (span * 0.8, -s * 0.2),
        (span * 0.55, 0.0),
        (span * 0.3, -s * 0.3),
    ]
    c.add(
        "wings",
        [g.sheet(wing, 0.005).scaled(sx, 1, 1).moved(y=y) for sx in (-1, 1)],
        c.mat("leather", role="skin"),
        flat=True,
    )
    c.add(
        "eyes",
        [g.sphere(s * 0.04, 4).moved(x=sx * s * 0.07, y=y + s * 0.5, z=s * 0.17) for sx in (-1, 1)],
        c.mat("gem", role="eye"),
    )
    c.add(
        "feet",
        [g.cylinder(0.005, s * 0.6, 3).moved(x=sx * s * 0.08, y=y - s * 0.9) for sx in (-1, 1)],
        fur,
    )


FAMILY = Family(
    name="creatures",
    label="creature",
    asset_kind="creature",
    generic="wolf",
    hints=words("creature, animal, beast, monster, critter, pet, wildlife, mount, mob, enemy, fauna"),
    kinds=(
        Kind("wolf", build_wolf, words("wolf, dog, hound, fox, puppy, coyote, jackal, werewolf, direwolf, dire wolf, husky, wolves")),
        Kind("horse", build_horse, words("horse, pony, stallion, mare, donkey, mule, unicorn, steed, zebra, camel")),
        Kind("bear", build_bear, words("bear, grizzly, polar bear, panda, badger, boar")),
        Kind("deer", build_deer, words("deer, stag, elk, moose, reindeer, antelope, doe, gazelle")),
        Kind("cat", build_cat, words("cat, kitten, lion, tiger, panther, leopard, lynx, cheetah, jaguar, kitty")),
        Kind("pig", build_pig, words("pig, hog, piglet, swine, warthog")),
        Kind("cow", build_cow, words("cow, bull, ox, cattle, bison, buffalo, yak, calf, sheep, goat, lamb, ram")),
        Kind("bird", build_bird, words(
            "bird, sparrow, robin, crow, raven, eagle, hawk, falcon, parrot, chicken, hen, rooster, "
            "pigeon, dove, seagull, songbird, finch, canary, duck, phoenix, griffin, vulture")),
        Kind("owl", build_owl, words("owl, owlet, barn owl, eagle owl, snowy owl")),
        Kind("fish", build_fish, words("fish, shark, salmon, trout, goldfish, carp, tuna, koi, piranha, cod, whale, dolphin")),
        Kind("beetle", build_beetle, words("beetle, insect, bug, ant, ladybug, ladybird, scarab, stag beetle, cockroach, bee, wasp")),
        Kind("spider", build_spider, words("spider, tarantula, arachnid, scorpion, crab")),
        Kind("butterfly", build_butterfly, words("butterfly, moth, dragonfly, fairy wings")),
        Kind("dragon", build_dragon, words("dragon, wyvern, drake, wyrm, dragonling, hydra, basilisk"), trait="dragon"),
        Kind("robot", build_robot, words("robot, droid, android, mech, automaton, cyborg, bot, mecha, clockwork"), trait="robot"),
        Kind("snake", build_snake, words("snake, serpent, cobra, viper, python, worm, naga, eel")),
        Kind("slime", build_slime, words("slime, blob, ooze, jelly, gelatinous cube, jellyfish")),
        Kind("frog", build_frog, words("frog, toad, tadpole, salamander, lizard, gecko, newt")),
        Kind("turtle", build_turtle, words("turtle, tortoise, terrapin")),
        Kind("bat", build_bat, words("bat, vampire bat, flying fox")),
    ),
)  # fmt: skip

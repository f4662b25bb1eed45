"""Characters: standing figures in an A-pose, dressed by role (knight, wizard, king, ...)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


@dataclass
class Body:
    """Where a figure's parts ended up, for outfits and held items."""

    k: float
    bw: float
    hip_y: float
    torso_h: float
    shoulder_y: float
    head_y: float
    head_r: float
    hand: np.ndarray


def _figure(
    c: Ctx,
    *,
    height: float = 1.78,
    width: float = 1.0,
    skin: str = "skin",
    top: str | None = None,
    legs: str | None = None,
    robe: str | None = None,
    hair: bool = True,
    eyes: str = "eye",
) -> Body:
    """Add legs (or a robe), torso, arms, hands, neck, head and eyes; return where they are."""
    r = c.r
    height *= r.long * c.j(0.06)
    k = height / 1.78
    bw = r.wide * c.j(0.08) * width
    skin_mat = c.mat(skin, role="skin")
    top_mat = top or c.mat(c.pick(["cloth", "robe", "foliage", "leather"]), "paint", role="cloth")
    hip_y = 0.92 * k
    if robe is None:
        leg_mat = legs or c.mat(c.pick(["leather", "dark_wood", "robe"]), role="cloth")
        c.add(
            "legs",
            [
                g.capsule(0.075 * k * bw, hip_y, c.seg).moved(x=sx * 0.1 * k * bw, y=0.06 * k)
                for sx in (-1, 1)
            ],
            leg_mat,
        )
        c.add(
            "feet",
            [
                g.box(0.11 * k * bw, 0.07 * k, 0.24 * k).moved(
                    x=sx * 0.1 * k * bw, y=0.035 * k, z=0.04 * k
                )
                for sx in (-1, 1)
            ],
            c.mat("leather"),
        )
    else:
        c.add(
            "robe",
            g.lathe([(0.3 * k * bw, 0.0), (0.19 * k * bw, hip_y + 0.1 * k)], c.seg, cap_top=False),
            robe,
        )
    torso_h = 0.55 * k
    prof = [
        (0.0, 0.0),
        (0.16 * k * bw, 0.0),
        (0.15 * k * bw, torso_h * 0.3),
        (0.19 * k * bw, torso_h * 0.75),
        (0.2 * k * bw, torso_h * 0.9),
        (0.12 * k * bw, torso_h),
        (0.0, torso_h),
    ]
    c.add("torso", g.lathe(prof, c.seg).scaled(1, 1, 0.65).moved(y=hip_y), robe or top_mat)
    c.add(
        "belt",
        g.cylinder(0.165 * k * bw, 0.06 * k, c.seg).scaled(1, 1, 0.68).moved(y=hip_y + 0.02 * k),
        c.mat("leather"),
    )
    shoulder_y = hip_y + torso_h * 0.88
    arm_len, arm_r = 0.66 * k, 0.05 * k * bw
    arms, hands = [], []
    for sx in (-1, 1):
        arms.append(
            g.capsule(arm_r, arm_len, c.seg)
            .moved(y=-arm_len + arm_r)
            .rotated("z", sx * 14)
            .moved(x=sx * 0.23 * k * bw, y=shoulder_y)
        )
        ang = math.radians(sx * 14)
        hx = sx * 0.23 * k * bw + math.sin(ang) * (arm_len - arm_r)
        hy = shoulder_y - math.cos(ang) * (arm_len - arm_r)
        hands.append(np.array([hx, hy - arm_r, 0.0]))
    c.add("arms", arms, robe or top_mat)
    c.add("hands", [g.sphere(arm_r * 1.15, c.small).moved(*h) for h in hands], skin_mat)
    neck_y = hip_y + torso_h
    c.add("neck", g.cylinder(0.05 * k, 0.08 * k, c.small).moved(y=neck_y - 0.02 * k), skin_mat)
    head_r = 0.11 * k
    head_y = neck_y + 0.06 * k + head_r * 1.1
    c.add("head", g.sphere(head_r, c.seg).scaled(0.95, 1.15, 1.0).moved(y=head_y), skin_mat)
    c.add(
        "eyes",
        [
            g.sphere(head_r * 0.13, c.small).moved(
                x=sx * head_r * 0.38, y=head_y + head_r * 0.15, z=head_r * 0.88
            )
            for sx in (-1, 1)
        ],
        c.mat(eyes, role="eye"),
    )
    if hair:
        n = max(3, c.small // 2)
        hp = [
            (head_r * 1.05 * math.cos(t), head_r * 1.1 * math.sin(t))
            for t in np.linspace(0, math.pi / 2, n + 1)
        ]
        hp[-1] = (0.0, hp[-1][1])
        c.add(
            "hair",
            g.lathe(hp, c.seg).scaled(1, 1, 1.02).moved(y=head_y + head_r * 0.1, z=-head_r * 0.05),
            c.mat(c.pick(["hair", "hair", "gold", "dark_wood", "rope"]), role="hair"),
        )
    c.anchor("hand", *hands[1])
    c.anchor("head", 0.0, head_y + head_r * 1.1, 0.0)
    return Body(k, bw, hip_y, torso_h, shoulder_y, head_y, head_r, hands[1])


def _beard(c: Ctx, b: Body, length: float, mat: str) -> None:
    c.add(
        "beard",
        g.cone(b.head_r * 0.7, b.head_r * length, c.small)
        .scaled(1, -1, 0.6)
        .moved(y=b.head_y - b.head_r * 0.15, z=b.head_r * 0.6),
        mat,
    )


def _cape(c: Ctx, b: Body, mat: str) -> None:
    c.add(
        "cape",
        g.box(0.34 * b.k * b.bw, b.torso_h * 1.3 + b.hip_y * 0.5, 0.02)
        .rotated("x", 8)
        .moved(y=b.shoulder_y - b.torso_h * 0.6 - b.hip_y * 0.25, z=-0.14 * b.k),
        mat,
    )


def build_villager(c: Ctx) -> None:
    """Build an everyday person: tunic, trousers, hair and, by seed, a hat or an apron."""
    b = _figure(c)
    extra = c.pick(["none", "hat", "apron"])
    if extra == "hat":
        hat = g.merge(
            [
                g.cylinder(b.head_r * 1.8, 0.015, c.seg),
                g.cylinder(b.head_r * 0.95, b.head_r * 0.8, c.seg),
            ]
        )
        c.add("hat", hat.moved(y=b.head_y + b.head_r * 0.55), c.mat("straw", role="cloth"))
    elif extra == "apron":
        c.add(
            "apron",
            g.box(0.26 * b.k * b.bw, 0.6 * b.k, 0.02).moved(y=b.hip_y - 0.1 * b.k, z=0.12 * b.k),
            c.mat("linen", role="cloth"),
        )


def build_knight(c: Ctx) -> None:
    """Build an armoured knight: plate torso and arms, helmet with visor, pauldrons, cape and sword."""
    armour = c.mat("steel", "main")
    b = _figure(c, top=armour, legs=c.mat("iron"), hair=False)
    n = max(3, c.small // 2)
    hr = b.head_r
    prof = [(hr * 1.15, 0.0), (hr * 1.15, hr * 0.6)] + [
        (hr * 1.15 * math.cos(t), hr * 0.6 + hr * 0.85 * math.sin(t))
        for t in np.linspace(0, math.pi / 2, n + 1)[1:]
    ]
    prof[-1] = (0.0, prof[-1][1])
    c.add("helmet", g.lathe(prof, c.seg).moved(y=b.head_y - hr * 0.35), armour)
    c.add(
        "visor",
        g.box(hr * 1.5, hr * 0.12, hr * 0.2).moved(y=b.head_y + hr * 0.15, z=hr * 1.1),
        c.mat("eye"),
    )
    c.add(
        "pauldrons",
        [
            g.sphere(0.1 * b.k * b.bw, c.small)
            .scaled(1, 0.7, 1)
            .moved(x=sx * 0.22 * b.k * b.bw, y=b.shoulder_y + 0.02)
            for sx in (-1, 1)
        ],
        armour,
    )
    if c.rng.random() < 0.5 or c.r.ornate:
        c.add(
            "plume",
            g.sphere(hr * 0.4, c.small)
            .scaled(0.5, 1.2, 1.5)
            .moved(y=b.head_y + hr * 1.2, z=-hr * 0.2),
            c.mat("cloth", "paint"),
        )
    if not c.held():
        hx, hy = b.hand[:2]
        sword = g.merge(
            [
                g.cylinder(0.016, 0.15, c.small).moved(y=-0.07),
                g.box(0.03, 0.02, 0.18).moved(y=0.09),
                g.lathe([(0.025, 0.0), (0.022, 0.6), (0.0, 0.72)], 4)
                .scaled(0.3, 1, 1)
                .moved(y=0.1),
            ]
        )
        c.add(
            "sword",
            sword.rotated("x", 80).moved(x=hx, y=hy),
            c.mat("steel", role="metal"),
            flat=True,
        )
    _cape(c, b, c.mat("cloth", "paint"))
    c.gem_slots.append((0.0, b.shoulder_y - 0.1 * b.k, 0.12 * b.k))
    sr = 0.3 * b.k * c.j(0.1)
    shield = (
        g.cylinder(sr, 0.04, c.seg) if c.rng.random() < 0.5 else g.box(sr * 1.6, 0.04, sr * 2.0)
    )
    c.add(
        "shield",
        shield.rotated("z", 90).moved(x=-0.3 * b.k * b.bw - 0.12, y=b.hip_y + 0.05, z=0.05),
        c.mat("paint", "paint", role="primary"),
    )


def build_wizard(c: Ctx) -> None:
    """Build a wizard: a long robe, pointed hat, white beard and a staff with a glowing orb."""
    robe = c.mat("robe", "main,paint", role="cloth")
    b = _figure(c, robe=robe, hair=False)
    c.add(
        "hat",
        g.merge(
            [
                g.cylinder(b.head_r * 2.0, 0.015, c.seg),
                g.cone(b.head_r * 1.05, b.head_r * c.pick([2.6, 3.2, 3.8]), c.seg),
            ]
        ).moved(y=b.head_y + b.head_r * 0.7),
        robe,
    )
    _beard(c, b, c.pick([1.6, 2.2, 3.0]), c.mat("plaster", role="hair"))
    if not c.held():
        hx, hy = b.hand[:2]
        c.add("staff", g.cylinder(0.018, 1.7 * b.k, c.small).moved(x=hx), c.mat("dark_wood"))
        c.add(
            "orb",
            g.sphere(0.05 * b.k, c.seg).moved(x=hx, y=1.75 * b.k),
            c.mat("crystal", role="glow"),
        )


def build_king(c: Ctx) -> None:
    """Build a king or queen: a fur-trimmed royal robe, a crown and a sceptre."""
    robe = c.mat("cloth", "main,paint", role="cloth")
    b = _figure(c, robe=robe)
    _cape(c, b, robe)
    c.add(
        "collar",
        g.torus(0.15 * b.k * b.bw, 0.04 * b.k, c.seg, 4)
        .scaled(1, 1, 0.7)
        .moved(y=b.shoulder_y + 0.03),
        c.mat("white_fur"),
    )
    rad = b.head_r * 1.0
    crown = [g.cylinder(rad, rad * 0.5, c.seg)] + [
        g.cone(rad * 0.22, rad * 0.5, 4).moved(z=rad * 0.95, y=rad * 0.5).rotated("y", a)
        for a in range(0, 360, 60)
    ]
    c.add("crown", g.merge(crown).moved(y=b.head_y + b.head_r * 0.75), c.mat("gold", role="trim"))
    c.gem_slots += [
        (rad * math.sin(a), b.head_y + b.head_r * 0.75 + rad * 0.25, rad * math.cos(a))
        for a in (0.0, 1.0, -1.0)
    ]
    if not c.held():
        hx, hy = b.hand[:2]
        c.add(
            "sceptre",
            [
                g.cylinder(0.015, 0.5 * b.k, c.small).moved(x=hx, y=hy - 0.2),
                g.sphere(0.04, c.small).moved(x=hx, y=hy + 0.32),
            ],
            c.mat("gold", role="trim"),
        )


def build_dwarf(c: Ctx) -> None:
    """Build a dwarf: short and broad, a long braided beard, a helmet and an axe."""
    b = _figure(c, height=1.3, width=1.35, hair=False)
    _beard(c, b, c.pick([2.2, 2.8]), c.mat(c.pick(["hair", "copper", "dark_wood"]), role="hair"))
    c.add(
        "helmet",
        g.sphere(b.head_r * 1.1, c.seg).scaled(1, 0.75, 1).moved(y=b.head_y + b.head_r * 0.3),
        c.mat("iron", "main"),
    )
    if not c.held():
        hx, hy = b.hand[:2]
        c.add(
            "axe_handle",
            g.cylinder(0.015, 0.7 * b.k, c.small).moved(x=hx, y=hy - 0.25),
            c.mat("wood"),
        )
        c.add(
            "axe_head",
            g.extrude([(0, -0.06), (0.14, -0.1), (0.14, 0.1), (0, 0.06)], 0.02).moved(
                x=hx, y=hy + 0.4
            ),
            c.mat("steel", role="metal"),
            flat=True,
        )


def build_skeleton(c: Ctx) -> None:
    """Build a skeleton: thin bone limbs, a ribcage, a skull with dark sockets."""
    r = c.r
    k = r.long * c.j(0.05)
    bone = c.mat("bone", "main")
    hip_y = 0.92 * k
    c.add(
        "legs",
        [g.cylinder(0.025 * k, hip_y, c.small).moved(x=sx * 0.1 * k) for sx in (-1, 1)],
        bone,
    )
    c.add("pelvis", g.box(0.28 * k, 0.1 * k, 0.12 * k).moved(y=hip_y), bone)
    c.add("spine", g.cylinder(0.02 * k, 0.55 * k, c.small).moved(y=hip_y), bone)
    c.add(
        "ribs",
        [
            g.torus(0.14 * k * (1 - abs(t - 0.5) * 0.4), 0.012 * k, c.seg, 4)
            .scaled(1, 1, 0.7)
            .moved(y=hip_y + 0.22 * k + t * 0.3 * k)
            for t in np.linspace(0, 1, 5)
        ],
        bone,
    )
    shoulder_y = hip_y + 0.5 * k
    arms = [
        g.cylinder(0.02 * k, 0.66 * k, c.small)
        .moved(y=-0.66 * k)
        .rotated("z", sx * 12)
        .moved(x=sx * 0.2 * k, y=shoulder_y)
        for sx in (-1, 1)
    ]
    c.add("arms", arms, bone)
    head_y = shoulder_y + 0.25 * k
    c.add(
        "skull",
        [
            g.sphere(0.11 * k, c.seg).scaled(0.9, 1.0, 1.0).moved(y=head_y),
            g.box(0.12 * k, 0.06 * k, 0.1 * k).moved(y=head_y - 0.1 * k, z=0.02 * k),
        ],
        bone,
    )
    c.add(
        "eyes",
        [
            g.sphere(0.03 * k, c.small).moved(x=sx * 0.04 * k, y=head_y, z=0.085 * k)
            for sx in (-1, 1)
        ],
        c.mat("magic" if r.has("undead", "cursed", "lich") else "eye", role="eye"),
    )
    c.anchor("hand", 0.2 * k + 0.66 * k * math.sin(math.radians(12)), shoulder_y - 0.66 * k, 0.0)
    c.anchor("head", 0.0, head_y + 0.11 * k, 0.0)


def build_ghost(c: Ctx) -> None:
    """Build a ghost: a floating sheet with a wavy hem, arms raised and hollow eyes."""
    r = c.r
    h = 1.7 * r.long * c.j(0.08)
    rad = 0.4 * r.wide * c.j(0.1)
    n = max(8, c.seg)
    wave = c.pick([5, 6, 8])
    prof = [(rad * 1.1, h * 0.1), (rad * 0.9, h * 0.5), (rad * 0.75, h * 0.75)]
    prof += [
        (rad * 0.75 * math.cos(t), h * 0.75 + rad * 0.8 * math.sin(t))
        for t in np.linspace(0, math.pi / 2, max(3, n // 3))[1:]
    ]
    prof[-1] = (0.0, prof[-1][1])
    sheet = g.lathe(prof, n, cap_bottom=True)
    hem = sheet.v[:, 1] < h * 0.12
    ang = np.arctan2(sheet.v[:, 2], sheet.v[:, 0])
    sheet.v[hem, 1] -= (np.sin(ang[hem] * wave) * 0.5 + 0.5) * h * 0.08
    c.add("sheet", sheet.moved(y=h * 0.05), c.mat("spectral", "main"))
    c.add(
        "arms",
        [
            g.capsule(rad * 0.18, h * 0.35, c.small)
            .rotated("z", sx * 60)
            .moved(x=sx * rad * 0.7, y=h * 0.55)
            for sx in (-1, 1)
        ],
        c.mat("spectral", "main"),
    )
    head_y = h * 0.05 + h * 0.75 + rad * 0.35
    c.add(
        "eyes",
        [
            g.sphere(rad * 0.12, c.small)
            .scaled(1, 1.4, 0.5)
            .moved(x=sx * rad * 0.28, y=head_y, z=rad * 0.7)
            for sx in (-1, 1)
        ],
        c.mat("eye"),
    )
    c.add(
        "mouth",
        g.sphere(rad * 0.1, c.small).scaled(1, 1.5, 0.5).moved(y=head_y - rad * 0.35, z=rad * 0.72),
        c.mat("eye"),
    )


def build_archer(c: Ctx) -> None:
    """Build an archer: a hooded ranger in leather with a quiver on the back and a bow."""
    b = _figure(
        c, top=c.mat("foliage", "main,paint", role="cloth"), legs=c.mat("leather"), hair=False
    )
    c.add(
        "hood",
        g.sphere(b.head_r * 1.25, c.seg)
        .scaled(1, 1.15, 1.1)
        .moved(y=b.head_y + b.head_r * 0.15, z=-b.head_r * 0.25),
        c.mat("foliage", "main,paint", role="cloth"),
    )
    c.add(
        "quiver",
        g.cylinder(0.06 * b.k, 0.55 * b.k, c.small)
        .rotated("z", 20)
        .moved(x=-0.05, y=b.hip_y + 0.1, z=-0.16 * b.k),
        c.mat("leather"),
    )
    c.add(
        "arrows",
        [
            g.cylinder(0.006, 0.2 * b.k, 3)
            .rotated("z", 20)
            .moved(x=-0.05 - 0.19 + dx, y=b.hip_y + 0.62 * b.k, z=-0.16 * b.k)
            for dx in (-0.02, 0.0, 0.02)
        ],
        c.mat("sail", role="secondary"),
    )
    if not c.held():
        hx, hy = b.hand[:2]
        pts = [(hx + 0.12 * (1 - t * t), hy + t * 0.65 * b.k, 0.0) for t in np.linspace(-1, 1, 9)]
        c.add("bow", g.tube_path(pts, 0.012, c.small), c.mat("wood"))


def build_astronaut(c: Ctx) -> None:
    """Build an astronaut: a puffy white suit, a round helmet with a gold visor and a backpack."""
    suit = c.mat("hull", "main,paint", role="cloth")
    b = _figure(c, top=suit, legs=suit, width=1.2, hair=False)
    c.add("helmet", g.sphere(b.head_r * 1.5, c.seg).moved(y=b.head_y), c.mat("hull", role="cloth"))
    c.add(
        "visor",
        g.sphere(b.head_r * 1.2, c.seg).scaled(1, 0.8, 0.6).moved(y=b.head_y, z=b.head_r * 0.75),
        c.mat("gold", role="glass"),
    )
    c.add(
        "backpack",
        g.box(0.36 * b.k, 0.5 * b.k, 0.2 * b.k).moved(y=b.hip_y + 0.3 * b.k, z=-0.2 * b.k),
        c.mat("plating", role="secondary"),
    )
    c.add(
        "badge",
        g.box(0.06, 0.04, 0.01).moved(x=0.08, y=b.shoulder_y - 0.1, z=0.12 * b.k),
        c.mat("red_paint", role="secondary"),
    )


FAMILY = Family(
    name="characters",
    label="character",
    asset_kind="character",
    generic="villager",
    hints=words("character, person, people, npc, hero, heroine, humanoid, figure, player, avatar, villain"),
    kinds=(
        Kind("villager", build_villager, words(
            "villager, human, man, woman, peasant, farmer, merchant, citizen, boy, girl, child, "
            "kid, townsperson, blacksmith man, shopkeeper, innkeeper, pirate, ninja, elf, orc, zombie, golem")),
        Kind("knight", build_knight, words("knight, paladin, soldier, warrior, guard, samurai, viking, crusader, templar, gladiator, armored man")),
        Kind("wizard", build_wizard, words("wizard, mage, sorcerer, sorceress, witch, warlock, druid, necromancer, magician, shaman, priest, monk")),
        Kind("king", build_king, words("king, queen, prince, princess, emperor, empress, monarch, lord, lady, noble, royalty")),
        Kind("dwarf", build_dwarf, words("dwarf, dwarves, gnome, halfling, hobbit")),
        Kind("skeleton", build_skeleton, words("skeleton, skeletal, undead, lich, bones"), trait="skeleton"),
        Kind("ghost", build_ghost, words("ghost, spirit, phantom, specter, spectre, wraith, apparition, poltergeist"), trait="ghost"),
        Kind("archer", build_archer, words("archer, ranger, hunter, bowman, huntress, rogue, thief, assassin")),
        Kind("astronaut", build_astronaut, words("astronaut, cosmonaut, spaceman, space marine, pilot")),
    ),
)  # fmt: skip

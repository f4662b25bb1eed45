"""Magic items: potions, staffs, wands, orbs, scrolls, spellbooks, totems, portals, runestones."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_potion(c: Ctx) -> None:
    """Build a potion flask: round, conical or tall glass with coloured liquid and a cork."""
    r = c.r
    rad = 0.06 * r.wide * c.j(0.1)
    neck_r = rad * 0.32
    neck_h = rad * 0.9 * r.long * c.j(0.15)
    n = max(4, c.small)
    shape = (
        c.pick(["round", "round", "conical", "tall"])
        if not r.has("conical", "triangular")
        else "conical"
    )
    if shape == "conical":
        prof = [(0.0, 0.0), (rad * 1.1, 0.0), (rad * 1.1, rad * 0.1), (neck_r, rad * 1.6)]
        body_top = rad * 1.6
        level = rad * c.rng.uniform(0.8, 1.2)
        inner = [
            (0.0, 0.004),
            (rad, 0.004),
            (rad, rad * 0.1),
            (rad * 1.05 - (rad * 1.05 - neck_r) * (level / (rad * 1.6)), level),
        ]
    elif shape == "tall":
        prof = [(0.0, 0.0), (rad * 0.6, 0.0), (rad * 0.6, rad * 2.2), (neck_r, rad * 2.5)]
        body_top = rad * 2.5
        inner = [(0.0, 0.004), (rad * 0.55, 0.004), (rad * 0.55, rad * 1.6)]
    else:
        prof = [(0.0, 0.0)]
        top_t = math.pi - math.asin(neck_r / rad)
        prof += [
            (rad * math.sin(t), rad - rad * math.cos(t)) for t in np.linspace(0.15, top_t, n + 1)
        ]
        body_top = prof[-1][1]
        level = rad * c.rng.uniform(1.1, 1.5)
        inner = [(0.0, 0.004)] + [
            (rad * 0.93 * math.sin(t), rad - rad * 0.93 * math.cos(t))
            for t in np.linspace(0.15, math.acos(max(-1.0, 1 - level / rad)), n + 1)
        ]
    prof += [
        (neck_r, body_top + neck_h),
        (neck_r * 1.3, body_top + neck_h + 0.005),
        (neck_r * 1.3, body_top + neck_h + 0.012),
    ]
    c.add("flask", g.lathe(prof, c.seg, cap_top=False), c.mat("glass", "main"))
    c.add("liquid", g.lathe(inner, c.seg), c.mat("liquid", "paint"))
    cork_y = body_top + neck_h - 0.01
    c.add(
        "cork",
        g.cylinder(neck_r * 0.95, neck_r * 1.8, c.small, top_radius=neck_r * 1.15).moved(y=cork_y),
        c.mat("cork"),
    )


def build_staff(c: Ctx) -> None:
    """Build a wizard staff: a knotted shaft topped by a glowing orb held in prongs."""
    r = c.r
    length = 1.6 * r.long * c.j(0.08)
    n = 7
    wobble = c.pick([0.008, 0.015, 0.03])
    pts = [
        (wobble * math.sin(i * 1.7 + c.rng.random()), length * i / (n - 1), 0.0) for i in range(n)
    ]
    rad = 0.02 * r.wide
    c.add("shaft", g.tube_path(pts, rad, c.small), c.mat("dark_wood", "main"))
    orb_r = 0.055 * c.j(0.15)
    top = pts[-1]
    c.add(
        "orb",
        g.sphere(orb_r, c.seg).moved(x=top[0], y=length + orb_r * 0.8),
        c.mat("crystal", "paint", role="glow"),
    )
    prongs = [
        g.cone(rad * 0.7, orb_r * 2.2, c.small)
        .rotated("z", 22)
        .rotated("y", k * 120 + c.rng.uniform(0, 30))
        .moved(x=top[0], y=length - rad)
        for k in range(c.count("prong", 3, 2, 6))
    ]
    c.add("prongs", prongs, c.mat("gold", role="trim") if r.ornate else c.mat("dark_wood"))
    c.gem_slots.append((top[0], length * 0.8, rad))


def build_wand(c: Ctx) -> None:
    """Build a wand lying on a little stand: a tapered rod with a handle and a glowing tip."""
    r = c.r
    length = 0.35 * r.long * c.j(0.1)
    rod = g.lathe(
        [(0.008, 0.0), (0.009, length * 0.3), (0.006, length * 0.32), (0.003, length)], c.small
    )
    c.add("rod", rod.rotated("z", -80).moved(x=-length / 2, y=0.05), c.mat("dark_wood", "main"))
    c.add(
        "handle",
        g.cylinder(0.011, length * 0.25, c.small).rotated("z", -80).moved(x=-length / 2, y=0.05),
        c.mat(c.pick(["leather", "bone", "gold"]), role="trim"),
    )
    c.add(
        "tip",
        g.sphere(0.012, c.small).moved(x=length / 2 * 0.97, y=0.05 + length * 0.17),
        c.mat("magic", "paint"),
    )
    c.add(
        "stand",
        [g.box(0.02, 0.05, 0.05).moved(x=x, y=0.025) for x in (-length * 0.3, length * 0.25)],
        c.mat("dark_stone", role="secondary"),
    )


def build_orb(c: Ctx) -> None:
    """Build a crystal ball on a clawed or ringed stand."""
    r = c.r
    rad = 0.1 * r.wide * c.j(0.1)
    stand = c.pick(["claws", "ring", "pedestal"])
    metal = c.mat("bronze", "main")
    if stand == "claws":
        c.add(
            "stand",
            [g.cylinder(rad * 0.7, 0.03, c.seg)]
            + g.around(
                g.cone(rad * 0.12, rad * 0.8, c.small).rotated("x", -25).moved(y=0.02),
                4,
                rad * 0.55,
            ),
            metal,
        )
    elif stand == "ring":
        c.add(
            "stand",
            [
                g.cylinder(rad * 0.8, 0.025, c.seg),
                g.torus(rad * 0.6, 0.012, c.seg, 4).moved(y=rad * 0.45),
                g.cylinder(0.015, rad * 0.4, c.small),
            ],
            metal,
        )
    else:
        c.add(
            "stand",
            g.lathe(
                [
                    (rad * 0.8, 0.0),
                    (rad * 0.7, 0.03),
                    (rad * 0.3, rad * 0.3),
                    (rad * 0.55, rad * 0.5),
                    (0.0, rad * 0.5),
                ],
                c.seg,
            ),
            metal,
        )
    c.add("orb", g.sphere(rad, c.seg).moved(y=rad * 1.35), c.mat("crystal", "paint", role="glow"))
    c.add("core", g.sphere(rad * 0.3, c.small).moved(y=rad * 1.35), c.mat("magic"))


def build_scroll(c: Ctx) -> None:
    """Build a scroll: a partly unrolled parchment between two rollers, with a wax seal."""
    r = c.r
    w = 0.3 * r.wide * c.j(0.1)
    opened = c.pick([0.0, 0.2, 0.35]) * r.long
    paper = c.mat("paper", "main")
    if opened:
        c.add("sheet", g.box(opened, 0.004, w * 0.95).moved(y=0.025), paper)
    c.add(
        "rolls",
        [
            g.along_z(g.cylinder(0.025, w * 0.95, c.small)).moved(x=x, y=0.025, z=-w * 0.475)
            for x in ((-opened / 2, opened / 2) if opened else (0.0,))
        ],
        paper,
    )
    c.add(
        "rollers",
        [
            g.along_z(g.cylinder(0.008, w * 1.15, 4)).moved(x=x, y=0.025, z=-w * 0.575)
            for x in ((-opened / 2, opened / 2) if opened else (0.0,))
        ],
        c.mat("dark_wood"),
    )
    c.add(
        "seal",
        g.cylinder(0.018, 0.006, c.small).moved(x=-opened / 2 + 0.02 if opened else 0.0, y=0.05),
        c.mat("red_paint", "paint", role="secondary"),
    )
    if opened:
        c.add(
            "runes",
            [
                g.box(opened * 0.6, 0.001, 0.008).moved(y=0.028, z=z)
                for z in np.linspace(-w * 0.3, w * 0.3, 5)
            ],
            c.mat("eye", role="secondary"),
        )


def build_spellbook(c: Ctx) -> None:
    """Build a spellbook: a thick leather tome, closed with a clasp or open on a stand."""
    r = c.r
    w = 0.22 * r.wide * c.j(0.08)
    d = 0.3 * c.j(0.08)
    t = 0.07 * r.long * c.j(0.15)
    cover = c.mat("leather", "main,paint")
    if c.pick([True, False]) and not r.has("closed"):
        c.add(
            "stand",
            g.extrude([(-w, 0.0), (w, 0.0), (w * 0.8, 0.15), (-w * 0.8, 0.15)], d * 0.8),
            c.mat("dark_wood"),
        )
        c.add(
            "cover",
            [g.box(w, 0.012, d).rotated("z", sx * 8).moved(x=sx * w / 2, y=0.17) for sx in (-1, 1)],
            cover,
        )
        c.add(
            "pages",
            [
                g.box(w * 0.95, t * 0.4, d * 0.95)
                .rotated("z", sx * 8)
                .moved(x=sx * w / 2, y=0.17 + t * 0.2)
                for sx in (-1, 1)
            ],
            c.mat("paper"),
        )
        c.add(
            "glyphs",
            g.sphere(0.03, c.small).scaled(1, 0.2, 1).moved(x=w * 0.5, y=0.2 + t * 0.4),
            c.mat("magic"),
        )
        return
    c.add("cover", g.box(w, t, d).moved(y=t / 2), cover)
    c.add("pages", g.box(w * 0.96, t * 0.8, d * 0.94).moved(x=0.006, y=t / 2), c.mat("paper"))
    c.add(
        "clasp",
        [
            g.box(0.04, t * 0.5, 0.02).moved(x=w / 2, y=t / 2),
            g.along_z(g.cylinder(0.035, 0.006, c.small))
            .moved(y=t + 0.001, z=0.0)
            .rotated("x", -90)
            .moved(y=t),
        ],
        c.mat("gold", role="trim"),
    )
    c.add("sigil", g.gem(0.025, 6).scaled(1, 0.3, 1).moved(y=t + 0.005), c.mat("magic"))


def build_totem(c: Ctx) -> None:
    """Build a carved totem: stacked faces on a pole, with wings or a crowning bird by seed."""
    r = c.r
    h = 2.2 * r.long * c.j(0.1)
    w = 0.3 * r.wide * c.j(0.1)
    wood = c.mat("wood", "main")
    tiers = c.count("face", c.pick([3, 4]), 2, 6)
    th = h / tiers
    c.add("pole", [g.cylinder(w, th * 0.95, c.seg).moved(y=th * k) for k in range(tiers)], wood)
    c.add(
        "faces",
        [
            g.box(w * 1.2, th * 0.12, w * 0.3).moved(y=th * (k + 0.3), z=w * 0.85)
            for k in range(tiers)
        ]
        + [
            g.sphere(w * 0.16, c.small).moved(x=sx * w * 0.4, y=th * (k + 0.65), z=w * 0.88)
            for k in range(tiers)
            for sx in (-1, 1)
        ],
        c.mat("red_paint", "paint", role="secondary"),
    )
    if c.pick([True, False]):
        c.add(
            "wings",
            [
                g.sheet([(0.0, 0.0), (w * 2.5, w * 0.3), (w * 2.2, w * 1.0), (0.0, w * 0.8)], 0.05)
                .scaled(sx, 1, 1)
                .moved(x=sx * w * 0.8, y=h * 0.8)
                for sx in (-1, 1)
            ],
            c.mat("paint", role="secondary"),
            flat=True,
        )
    c.add("top", g.cone(w * 0.9, w * 1.6, c.seg).moved(y=h), wood)


def build_portal(c: Ctx) -> None:
    """Build a magic portal: a stone ring standing on a base, filled with a glowing swirl."""
    r = c.r
    rad = 1.2 * r.wide * c.j(0.08)
    stone = c.mat("stone", "main")
    oval = c.pick([1.0, 1.3])
    c.add("base", g.box(rad * 2.4, 0.3, 0.8).moved(y=0.15), stone)
    blocks = c.count("stone", c.pick([10, 12, 14]), 6, 24)
    ring = [
        g.box(0.35, rad * 0.45, 0.5)
        .moved(y=rad)
        .rotated("z", 360 * k / blocks)
        .scaled(1, oval, 1)
        .moved(y=rad * oval + 0.3)
        for k in range(blocks)
    ]
    c.add("ring", ring, stone, flat=True)
    c.add(
        "swirl",
        g.along_z(g.cylinder(rad * 0.82, 0.05, c.seg))
        .scaled(1, oval, 1)
        .moved(y=rad * oval + 0.3, z=-0.025),
        c.mat("magic", "paint"),
    )
    c.add(
        "runes",
        [
            g.box(0.1, 0.1, 0.02)
            .moved(y=rad * 1.05)
            .rotated("z", 360 * k / blocks + 180 / blocks)
            .scaled(1, oval, 1)
            .moved(y=rad * oval + 0.3, z=0.26)
            for k in range(0, blocks, 2)
        ],
        c.mat("neon"),
    )


def build_runestone(c: Ctx) -> None:
    """Build a standing runestone: a tall rough slab carved with glowing runes."""
    r = c.r
    h = 2.0 * r.long * c.j(0.12)
    w = 0.8 * r.wide * c.j(0.12)
    slab = g.icosphere_rock(0.5, c.detail, c.nrng, 0.15).scaled(w, h, 0.35)
    slab = slab.moved(y=-slab.v[:, 1].min())
    c.add("stone", slab, c.mat("stone", "main"), flat=True)
    runes = c.count("rune", c.pick([3, 4, 5]), 1, 9)
    front = float(slab.v[:, 2].max())
    c.add(
        "runes",
        [
            g.box(w * 0.25, 0.04, 0.02)
            .rotated("z", c.pick([0, 45, 90]))
            .moved(y=h * (0.25 + 0.6 * k / runes), z=front * 0.8)
            for k in range(runes)
        ],
        c.mat("magic", "paint"),
    )


def build_cauldron(c: Ctx) -> None:
    """Build a witch's cauldron on three legs, bubbling with a glowing brew."""
    r = c.r
    rad = 0.35 * r.wide * c.j(0.08)
    iron = c.mat("dark_iron", "main")
    n = max(6, c.small)
    prof = [(0.0, 0.0)] + [
        (rad * math.sin(t), rad - rad * math.cos(t)) for t in np.linspace(0.2, math.pi * 0.62, n)
    ]
    rim_r = prof[-1][0]
    prof += [(rim_r * 1.08, prof[-1][1] + 0.02), (rim_r * 0.95, prof[-1][1] + 0.02)]
    c.add("pot", g.lathe(prof, c.seg, cap_top=False).moved(y=0.12), iron)
    c.add("legs", g.around(g.cylinder(0.025, 0.15, c.small).moved(y=0.0), 3, rad * 0.5), iron)
    top = 0.12 + prof[-3][1]
    c.add(
        "brew",
        g.cylinder(rim_r * 0.95, 0.02, c.seg).moved(y=top - 0.06),
        c.mat("slime", "paint", role="glow"),
    )
    c.add(
        "bubbles",
        [
            g.sphere(0.03 * c.j(0.3), c.small).moved(
                x=rim_r * 0.5 * math.cos(a), y=top - 0.03, z=rim_r * 0.5 * math.sin(a)
            )
            for a in (0.4, 2.0, 3.7, 5.0)
        ],
        c.mat("slime", "paint", role="glow"),
    )


FAMILY = Family(
    name="magic",
    label="magic item",
    asset_kind="prop",
    generic="orb",
    hints=words("artifact, artefact, relic, magic item, enchanted item, arcana, spell, charm item"),
    kinds=(
        Kind("potion", build_potion, words("potion, flask, vial, elixir, phial, tonic, philter, brew, mana potion, health potion")),
        Kind("staff", build_staff, words("staff, quarterstaff, magic staff, stave, sceptre, scepter, crozier"), asset_kind="weapon"),
        Kind("wand", build_wand, words("wand, magic wand, rod"), asset_kind="weapon"),
        Kind("orb", build_orb, words("orb, crystal ball, scrying orb, sphere, globe, seer stone")),
        Kind("scroll", build_scroll, words("scroll, parchment, map, treasure map, spell scroll, letter")),
        Kind("spellbook", build_spellbook, words("spellbook, spell book, book, tome, grimoire, codex, journal, diary")),
        Kind("totem", build_totem, words("totem, totem pole, idol, effigy, fetish")),
        Kind("portal", build_portal, words("portal, gateway portal, stargate, magic portal, rift, wormhole, teleporter")),
        Kind("runestone", build_runestone, words("runestone, rune stone, monolith, obelisk, menhir, standing stone, waystone, megalith")),
        Kind("cauldron", build_cauldron, words("cauldron, witch's cauldron, kettle, pot of brew")),
    ),
)  # fmt: skip

"""Weapons: blades, axes, hammers, polearms, bows and guns, standing upright, tip up."""

from __future__ import annotations

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def _blade(c: Ctx, short: bool) -> None:
    r = c.r
    length = 0.78 * r.long * c.j(0.1) * (1.3 if r.two_handed else 1.0) * (0.4 if short else 1.0)
    width = 0.05 * r.wide * c.j(0.12) * (1.15 if r.two_handed else 1.0) * (1.2 if short else 1)
    thick = 0.009
    grip_len = (0.26 if r.two_handed else 0.15) * c.j(0.08) * (0.75 if short else 1.0)
    pommel_r = 0.026 * c.j(0.1)
    y = pommel_r * 1.6
    if r.has("katana"):
        c.add("pommel", g.cylinder(0.018, 0.02, c.small), c.mat("gold", role="trim"))
    else:
        c.add("pommel", g.sphere(pommel_r, c.small).moved(y=pommel_r), c.mat("gold", role="trim"))
    c.gem_slots.append((0.0, pommel_r, pommel_r))
    c.add("grip", g.cylinder(0.016, grip_len, c.small).moved(y=y), c.mat("leather", "paint"))
    y += grip_len
    guard_w = (0.07 if r.has("katana") else 0.2) * c.j(0.15) * (1.25 if r.ornate else 1.0)
    style = c.pick(["bar", "curved", "winged"]) if not r.has("katana") else "disc"
    guard_mat = c.mat("gold", role="trim") if r.ornate else c.mat("steel", role="trim")
    if style == "disc":
        c.add("guard", g.cylinder(guard_w / 2, 0.012, c.seg).moved(y=y), guard_mat)
        gh = 0.012
    elif style == "bar":
        c.add("guard", g.box(guard_w, 0.025, 0.035).moved(y=y + 0.0125), guard_mat)
        gh = 0.025
    else:
        lift = 0.03 if style == "curved" else -0.03
        pts = [(x * guard_w / 2, y + 0.012 + lift * (x * x), 0.0) for x in np.linspace(-1, 1, 9)]
        c.add("guard", g.tube_path(pts, 0.013, c.small), guard_mat)
        gh = 0.024
    c.gem_slots += [(-guard_w * 0.3, y + gh / 2, 0.02), (guard_w * 0.3, y + gh / 2, 0.02)]
    y += gh
    if r.broken:
        prof = [(width / 2, 0.0), (width * 0.48, length * 0.45), (width * 0.15, length * 0.55)]
    else:
        taper = c.pick([0.78, 0.88, 0.6])
        prof = [(width / 2, 0.0), (width / 2 * 0.9, length * taper), (0.0, length)]
    blade = g.lathe(prof, 4).scaled(1.0, 1.0, thick / width).moved(y=y)
    c.add("blade", blade, c.mat("steel", "main"), flat=True)
    if r.ornate:
        c.add(
            "gem",
            g.sphere(0.012, c.small).scaled(1, 1, 0.6).moved(y=y - gh / 2, z=0.02),
            c.mat("gem"),
        )


def build_sword(c: Ctx) -> None:
    """Build an upright sword: pommel, grip, guard and a diamond-section blade, tip up."""
    _blade(c, short=False)


def build_dagger(c: Ctx) -> None:
    """Build a dagger: a short, broad blade on a short grip."""
    _blade(c, short=True)


def build_axe(c: Ctx) -> None:
    """Build an upright axe: wooden haft, one or two crescent heads at the top."""
    r = c.r
    length = 0.75 * r.long * c.j(0.1) * (1.4 if r.two_handed else 1.0)
    haft_r = 0.019 * r.wide * c.j(0.1)
    c.add("handle", g.cylinder(haft_r, length, c.small), c.mat("wood"))
    c.add("grip", g.cylinder(haft_r * 1.15, 0.14, c.small).moved(y=0.05), c.mat("leather", "paint"))
    s = 1.0 * r.wide * c.j(0.12) * (1.3 if r.two_handed else 1.0)
    top = length - 0.12 * s
    flare = c.j(0.3)
    head = [
        (0.0, -0.035), (0.06, -0.03), (0.15, -0.09 * flare), (0.175, -0.05 * flare),
        (0.185, 0.0), (0.175, 0.05 * flare), (0.15, 0.09 * flare), (0.06, 0.03), (0.0, 0.035),
    ]  # fmt: skip
    pts = [(x * s, yy * s) for x, yy in head]
    heads = [g.extrude(pts, 0.028 * s).moved(x=haft_r * 0.5, y=top)]
    if r.double or r.two_handed or r.has("halberd", "battleaxe"):
        heads.append(g.extrude(pts, 0.028 * s).scaled(-1, 1, 1).moved(x=-haft_r * 0.5, y=top))
    else:
        heads.append(g.box(0.05 * s, 0.06 * s, 0.04 * s).moved(x=-0.03 * s, y=top))
    c.add("head", heads, c.mat("steel", "main"), flat=True)
    c.add(
        "collar",
        g.cylinder(haft_r * 1.3, 0.09 * s, c.small).moved(y=top - 0.045 * s),
        c.mat("dark_iron"),
    )
    c.gem_slots.append((0.0, top, haft_r * 1.3))
    if r.ornate:
        c.add(
            "rings",
            [g.torus(haft_r * 1.2, 0.005, c.small).moved(y=length * t) for t in (0.35, 0.55)],
            c.mat("gold", role="trim"),
        )


def build_hammer(c: Ctx) -> None:
    """Build an upright hammer: haft with a block or drum head across the top."""
    r = c.r
    big = r.two_handed or r.has("maul", "warhammer", "sledgehammer")
    length = 0.7 * r.long * c.j(0.1) * (1.4 if big else 1.0)
    haft_r = 0.02 * c.j(0.08)
    c.add("handle", g.cylinder(haft_r, length, c.small), c.mat("wood"))
    c.add("grip", g.cylinder(haft_r * 1.15, 0.16, c.small).moved(y=0.04), c.mat("leather", "paint"))
    s = r.wide * c.j(0.12) * (1.35 if big else 1.0)
    hw, hh = 0.2 * s, 0.085 * s
    if c.rng.random() < 0.5 or r.round:
        head = g.along_x(g.cylinder(hh / 2, hw, c.seg)).moved(x=-hw / 2, y=length - hh / 2)
    else:
        head = g.box(hw, hh, hh).moved(y=length - hh / 2)
    c.add("head", head, c.mat("iron", "main"))
    c.gem_slots.append((0.0, length - hh / 2, hh / 2))
    if r.ornate or r.has("warhammer"):
        c.add(
            "spike",
            g.along_x(g.cone(hh * 0.35, 0.08 * s, c.small)).moved(x=hw / 2, y=length - hh / 2),
            c.mat("steel"),
        )


def build_mace(c: Ctx) -> None:
    """Build a mace: a short haft with a spiked ball or a flanged head."""
    r = c.r
    length = 0.6 * r.long * c.j(0.1)
    c.add("handle", g.cylinder(0.018, length, c.small), c.mat("dark_wood"))
    c.add("grip", g.cylinder(0.021, 0.15, c.small).moved(y=0.03), c.mat("leather", "paint"))
    s = r.wide * c.j(0.12)
    count = c.count("spike", c.pick([6, 8, 10]), 3, 16)
    if c.pick(["ball", "flanged"]) == "ball" or r.round:
        c.add("head", g.sphere(0.07 * s, c.seg).moved(y=length), c.mat("iron", "main"))
        spikes = [
            g.cone(0.02 * s, 0.06 * s, c.small)
            .moved(y=0.06 * s)
            .rotated("z", 90 if k % 2 else 45)
            .rotated("y", 360 * k / count)
            .moved(y=length)
            for k in range(count)
        ]
        c.add("spikes", spikes, c.mat("steel"), flat=True)
    else:
        c.add(
            "head", g.cylinder(0.035 * s, 0.16 * s, c.small).moved(y=length - 0.05), c.mat("iron")
        )
        flange = [(0.0, 0.0), (0.07 * s, 0.03 * s), (0.07 * s, 0.1 * s), (0.0, 0.15 * s)]
        c.add(
            "flanges",
            [
                g.extrude(flange, 0.012).rotated("y", 360 * k / count).moved(y=length - 0.05)
                for k in range(count)
            ],
            c.mat("steel", "main"),
            flat=True,
        )


def build_spear(c: Ctx) -> None:
    """Build an upright spear: long shaft and a leaf-shaped head (three prongs for a trident)."""
    r = c.r
    length = 1.8 * r.long * c.j(0.08) * (0.55 if r.has("javelin") else 1.0)
    c.add("shaft", g.cylinder(0.016 * r.wide, length, c.small), c.mat("wood"))
    w = 0.045 * r.wide * c.j(0.2)
    hl = 0.24 * c.j(0.2)
    prof = [(0.008, 0.0), (w / 2, hl * 0.3), (w * 0.35, hl * 0.7), (0.0, hl)]
    prongs = c.count("prong", 3 if r.has("trident") else 1, 1, 5)
    if prongs > 1:
        spread = 0.06
        heads = [
            g.lathe(prof, 4)
            .scaled(0.6, 0.8, 0.25)
            .moved(x=(k - (prongs - 1) / 2) * spread, y=length)
            for k in range(prongs)
        ]
        heads.append(g.box(spread * (prongs - 1) + 0.02, 0.02, 0.02).moved(y=length))
    else:
        heads = [g.lathe(prof, 4).scaled(1, 1, 0.25).moved(y=length)]
        if r.has("halberd", "glaive") or c.rng.random() < 0.25:
            blade = [(0.0, 0.0), (0.12, -0.04), (0.14, 0.12), (0.0, 0.1)]
            heads.append(g.extrude(blade, 0.01).moved(y=length - 0.15))
    c.add("head", heads, c.mat("steel", "main"), flat=True)
    c.add("binding", g.cylinder(0.02, 0.06, c.small).moved(y=length - 0.05), c.mat("rope", "paint"))
    c.add("butt", g.cone(0.018, 0.04, c.small).scaled(1, -1, 1).moved(y=0.04), c.mat("iron"))
    if r.ornate:
        c.add("tassel", g.cone(0.03, 0.12, c.small).moved(y=length - 0.16), c.mat("cloth", "paint"))


def build_bow(c: Ctx) -> None:
    """Build a standing bow: curved limbs, grip and a straight string."""
    r = c.r
    h = 1.2 * r.long * c.j(0.08) * (0.7 if r.has("shortbow") else 1.0)
    h *= 1.3 if r.has("longbow") else 1.0
    depth = 0.18 * h * c.j(0.2)
    recurve = r.has("recurve") or r.ornate or c.rng.random() < 0.4
    pts = []
    for t in np.linspace(-1, 1, max(9, c.seg)):
        x = depth * (1 - t * t)
        if recurve:
            x -= 0.04 * h * max(0.0, abs(t) - 0.8) / 0.2
        pts.append((x, t * h / 2 + h / 2, 0.0))
    c.add("limbs", g.tube_path(pts, 0.013 * r.wide, c.small), c.mat("wood", "main"))
    c.add(
        "grip",
        g.cylinder(0.02, 0.12, c.small).moved(x=depth, y=h / 2 - 0.06),
        c.mat("leather", "paint"),
    )
    c.add("string", g.tube_path([pts[0], pts[-1]], 0.002, 4), c.mat("rope"))


def build_crossbow(c: Ctx) -> None:
    """Build a crossbow lying flat: a stock, a bow across the front, string and a bolt."""
    r = c.r
    length = 0.7 * r.long * c.j(0.1)
    c.add("stock", g.box(length, 0.06, 0.05).moved(y=0.08), c.mat("wood", "main"))
    c.add(
        "butt",
        g.extrude([(0, 0), (0.2, 0), (0.2, 0.1), (0.0, 0.06)], 0.05).moved(x=-length / 2 - 0.2),
        c.mat("wood", "main"),
    )
    span = 0.6 * r.wide * c.j(0.15)
    arc = [(length / 2 - 0.06 * (1 - (t * t)), 0.1, t * span / 2) for t in np.linspace(-1, 1, 9)]
    c.add("prod", g.tube_path(arc, 0.012, c.small), c.mat("steel" if c.j() > 1 else "wood"))
    c.add(
        "string",
        g.tube_path([arc[0], (0.0, 0.1, 0.0), arc[-1]], 0.002, 4),
        c.mat("rope"),
    )
    c.add(
        "bolt",
        g.along_x(g.cylinder(0.006, length * 0.8, 4)).moved(x=-length * 0.1, y=0.115),
        c.mat("dark_wood"),
    )
    c.add("trigger", g.box(0.02, 0.06, 0.015).moved(x=-length * 0.2, y=0.03), c.mat("iron"))


def build_blaster(c: Ctx) -> None:
    """Build a sci-fi blaster pistol or rifle lying on its side, barrel along +X."""
    r = c.r
    rifle = r.has("rifle", "carbine", "musket", "shotgun") or c.rng.random() < 0.3
    length = (0.8 if rifle else 0.3) * r.long * c.j(0.1)
    body_h = 0.07 * r.wide * c.j(0.15)
    metal = c.mat("plating", "main")
    c.add("body", g.box(length * 0.55, body_h, 0.04).moved(y=0.1 + body_h / 2), metal)
    c.add(
        "barrel",
        g.along_x(g.cylinder(0.014, length * 0.55, c.small)).moved(
            x=length * 0.05, y=0.1 + body_h * 0.7
        ),
        c.mat("dark_iron"),
    )
    grip = [(0.0, 0.0), (0.05, 0.0), (0.07, 0.1), (0.02, 0.1)]
    c.add("grip", g.extrude(grip, 0.035).moved(x=-length * 0.2, y=0.0), c.mat("rubber", "paint"))
    if rifle:
        c.add(
            "stock",
            g.extrude([(0, 0.03), (0.25, 0.06), (0.25, 0.13), (0, 0.15)], 0.035).moved(
                x=-length * 0.27 - 0.25
            ),
            c.mat("rubber", "paint"),
        )
    c.add(
        "cells",
        [
            g.box(0.02, 0.015, 0.045).moved(x=-length * 0.1 + k * 0.03, y=0.1 + body_h)
            for k in range(3)
        ],
        c.mat("neon"),
    )
    c.add(
        "muzzle",
        g.along_x(g.torus(0.018, 0.006, c.small, 4)).moved(x=length * 0.6, y=0.1 + body_h * 0.7),
        c.mat("neon"),
    )
    c.gem_slots.append((0.0, 0.1 + body_h / 2, 0.02))


FAMILY = Family(
    name="weapons",
    label="weapon",
    asset_kind="weapon",
    generic="sword",
    hints=words("weapon, weapons, armament, arms, melee weapon, sidearm"),
    kinds=(
        Kind("sword", build_sword, words(
            "sword, blade, katana, longsword, long sword, greatsword, broadsword, shortsword, "
            "sabre, saber, scimitar, rapier, claymore, cutlass, zweihander, falchion, gladius, "
            "excalibur, estoc")),
        Kind("dagger", build_dagger, words("dagger, knife, dirk, stiletto, kunai, shiv, athame, kris")),
        Kind("axe", build_axe, words("axe, ax, hatchet, battleaxe, battle axe, tomahawk, halberd, cleaver, bardiche")),
        Kind("hammer", build_hammer, words("hammer, warhammer, war hammer, mallet, maul, sledgehammer, gavel")),
        Kind("mace", build_mace, words("mace, morningstar, morning star, flail, club, cudgel, flanged mace")),
        Kind("spear", build_spear, words(
            "spear, lance, pike, javelin, polearm, glaive, trident, partisan, harpoon, naginata")),
        Kind("bow", build_bow, words("bow, longbow, shortbow, recurve, recurve bow, warbow")),
        Kind("crossbow", build_crossbow, words("crossbow, arbalest, ballista")),
        Kind("blaster", build_blaster, words(
            "blaster, gun, pistol, rifle, laser gun, ray gun, raygun, revolver, musket, carbine, "
            "shotgun, firearm, phaser")),
    ),
)  # fmt: skip

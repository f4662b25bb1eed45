"""Armour: shields, helmets, breastplates, gauntlets and boots."""

from __future__ import annotations

import math

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_shield(c: Ctx) -> None:
    """Build a shield standing upright and facing +Z: face, rim and boss."""
    r = c.r
    size = 0.75 * c.j(0.1) * r.long
    round_shield = (
        r.round
        or r.has("buckler", "round")
        or (not r.has("kite", "heater", "tower") and c.rng.random() < 0.5)
    )
    thick = 0.035
    face = c.mat("wood" if round_shield else "paint", "main,paint")
    trim = c.mat("gold", role="trim") if r.ornate else c.mat("iron", role="trim")
    if round_shield:
        rad = size / 2 * r.wide * (0.6 if r.has("buckler") else 1.0)
        prof = [(rad, 0.0), (rad, thick * 0.6), (rad * 0.85, thick * 1.1), (0.0, thick * 1.3)]
        c.add("face", g.along_z(g.lathe(prof, c.seg)).moved(y=rad), face)
        c.add(
            "rim", g.along_z(g.torus(rad, 0.018, c.seg, c.small)).moved(y=rad, z=thick * 0.3), trim
        )
        c.add(
            "boss",
            g.along_z(g.lathe([(rad * 0.2, 0.0), (rad * 0.18, 0.02), (0.0, 0.07)], c.seg)).moved(
                y=rad, z=thick * 1.1
            ),
            c.mat("steel"),
        )
        c.gem_slots += [
            (rad * 0.6 * math.cos(a), rad + rad * 0.6 * math.sin(a), thick * 1.2)
            for a in np.linspace(0, 2 * math.pi, 6, endpoint=False)
        ]
        return
    w = size * 0.8 * r.wide
    h = size * 1.15
    n = max(3, c.small)
    right = [
        (w / 2 * math.cos(a), h * 0.55 * (1 - math.sin(a)))
        for a in np.linspace(0, math.pi / 2, n + 1)
    ]
    full = [(0.0, 0.0)] + right[::-1][1:] + [(w / 2, h), (-w / 2, h)]
    full += [(-x, y) for x, y in right[:-1]]
    c.add("face", g.extrude(full, thick).moved(z=thick / 2), face)
    bigger = [(x * 1.06, yy * 1.04 - h * 0.02) for x, yy in full]
    c.add("rim", g.extrude(bigger, thick * 0.6).moved(z=0.0), trim)
    c.add(
        "boss",
        g.along_z(g.lathe([(w * 0.12, 0.0), (w * 0.1, 0.015), (0.0, 0.05)], c.seg)).moved(
            y=h * 0.6, z=thick
        ),
        c.mat("steel"),
    )
    ew, eh = w * 0.12, h * 0.3
    if c.rng.random() < 0.5:
        emblem = [g.box(ew, eh * 1.6, 0.01), g.box(eh * 1.1, ew, 0.01).moved(y=eh * 0.25)]
    else:
        emblem = [g.extrude([(0.0, eh), (ew * 1.4, 0.0), (0.0, -eh), (-ew * 1.4, 0.0)], 0.01)]
    c.add(
        "emblem",
        [e.moved(y=h * 0.5, z=thick + 0.005) for e in emblem],
        c.mat("gold", role="trim") if r.ornate else c.mat("plaster", role="secondary"),
    )
    c.gem_slots += [(x, h * 0.85, thick * 1.1) for x in (-w * 0.25, 0.0, w * 0.25)]


def build_helmet(c: Ctx) -> None:
    """Build a helmet resting on the ground: domed shell plus nasal bar or visor."""
    r = c.r
    rad = 0.13 * r.wide * c.j(0.06)
    h = 0.16 * r.long * c.j(0.1)
    great = r.has("great", "greathelm", "bucket", "visor", "closed") or (
        not r.has("viking", "horned") and c.rng.random() < 0.4
    )
    n = max(3, c.small // 2)
    shell_mat = c.mat("steel", "main")
    trim = c.mat("gold", role="trim") if r.ornate else c.mat("iron", role="trim")
    if great:
        prof = [(rad, 0.0), (rad, h)] + [
            (rad * math.cos(t), h + rad * 0.5 * math.sin(t))
            for t in np.linspace(0, math.pi / 2, n + 1)[1:]
        ]
        prof[-1] = (0.0, prof[-1][1])
        c.add("dome", g.lathe(prof, c.seg, cap_bottom=False), shell_mat)
        c.add("visor", g.box(rad * 1.1, 0.022, 0.03).moved(y=h * 0.72, z=rad * 0.9), c.mat("eye"))
        c.add("rim", g.torus(rad * 1.01, 0.01, c.seg, c.small).moved(y=0.008), trim)
        c.add("cross", g.box(0.02, h * 0.7, 0.015).moved(y=h * 0.4, z=rad * 1.0), trim)
        top = h + rad * 0.5
    else:
        prof = [(rad, 0.0), (rad, h * 0.35)] + [
            (rad * math.cos(t), h * 0.35 + h * 0.75 * math.sin(t))
            for t in np.linspace(0, math.pi / 2, n + 2)[1:]
        ]
        prof[-1] = (0.0, prof[-1][1])
        c.add("dome", g.lathe(prof, c.seg, cap_bottom=False), shell_mat)
        c.add("rim", g.torus(rad * 1.02, 0.012, c.seg, c.small).moved(y=0.02), trim)
        c.add("nasal", g.box(0.022, h * 0.5, 0.012).moved(y=-h * 0.05, z=rad * 1.02), c.mat("iron"))
        top = h * 1.1
    c.gem_slots += [(x, h * 0.3, rad * 1.02) for x in (-rad * 0.4, 0.0, rad * 0.4)]
    c.anchor("top", 0.0, top, 0.0)
    if r.has("viking", "horned", "horns") or (r.ornate and not great):
        horns = []
        for side in (-1, 1):
            pts = [
                (side * (rad * 0.9 + 0.09 * t), h * 0.6 + 0.12 * t * t, 0.0)
                for t in np.linspace(0, 1, 6)
            ]
            horn = g.tube_path(pts, 0.022, c.small)
            d = np.abs(horn.v[:, 0]) - rad * 0.9
            k = np.clip(1 - d / 0.11, 0.15, 1)
            axis = np.interp(np.abs(horn.v[:, 0]), [p[0] * side for p in pts], [p[1] for p in pts])
            horn.v[:, 1] = axis + (horn.v[:, 1] - axis) * k
            horn.v[:, 2] *= k
            horns.append(horn)
        c.add("horns", horns, c.mat("bone"))
    elif r.ornate or (great and c.rng.random() < 0.5):
        crest = [(-0.08, 0.0), (0.09, 0.0), (0.06, 0.05), (-0.05, 0.06)]
        c.add(
            "crest",
            g.extrude(crest, 0.02).rotated("y", 90).moved(y=top - 0.01),
            c.mat("cloth", "paint"),
        )


def build_chestplate(c: Ctx) -> None:
    """Build a breastplate on a stand: a shaped torso shell, pauldrons and a belt."""
    r = c.r
    k = c.j(0.06)
    bw = r.wide * c.j(0.08)
    h = 0.55 * r.long * k
    prof = [(0.16 * bw, 0.0), (0.15 * bw, h * 0.3), (0.2 * bw, h * 0.75), (0.21 * bw, h * 0.9)]
    prof += [(0.12 * bw, h), (0.0, h)]
    metal = c.mat("steel", "main")
    stand_h = 0.9
    c.add(
        "stand",
        [g.cylinder(0.02, stand_h, c.small), g.cylinder(0.18, 0.03, c.seg)],
        c.mat("dark_wood"),
    )
    c.add("plate", g.lathe([(0.0, 0.0), *prof], c.seg).scaled(1, 1, 0.65).moved(y=stand_h), metal)
    style = c.pick(["round", "tall", "none"]) if not r.ornate else "tall"
    if style != "none":
        sr = 0.1 * bw * (1.25 if style == "tall" else 1.0)
        c.add(
            "pauldrons",
            [
                g.sphere(sr, c.small)
                .scaled(1, 0.75 if style == "round" else 1.1, 1)
                .moved(x=sx * 0.22 * bw, y=stand_h + h * 0.9)
                for sx in (-1, 1)
            ],
            metal,
        )
    c.add(
        "belt",
        g.cylinder(0.168 * bw, 0.05, c.seg).scaled(1, 1, 0.68).moved(y=stand_h + 0.02),
        c.mat("leather", "paint"),
    )
    c.add(
        "trim",
        g.box(0.03, h * 0.8, 0.02).moved(y=stand_h + h * 0.5, z=0.13 * bw),
        c.mat("gold", role="trim") if r.ornate else c.mat("bronze", role="trim"),
    )
    c.gem_slots += [(0.0, stand_h + h * 0.7, 0.14 * bw), (0.0, stand_h + h * 0.45, 0.14 * bw)]


def build_gauntlet(c: Ctx) -> None:
    """Build an armoured glove standing on its cuff, fingers up."""
    r = c.r
    s = r.wide * c.j(0.08)
    cuff_h = 0.12 * r.long
    metal = c.mat("steel", "main")
    c.add("cuff", g.cylinder(0.055 * s, cuff_h, c.seg, top_radius=0.045 * s), metal)
    c.add("back", g.box(0.09 * s, 0.1, 0.04 * s).moved(y=cuff_h + 0.05), metal)
    fingers = c.count("finger", 4, 1, 6)
    spread = 0.085 * s
    segs = []
    for i in range(fingers):
        x = (i - (fingers - 1) / 2) * spread / max(1, fingers - 1) * 1.0
        length = 0.07 * (1.0 - 0.15 * abs(i - (fingers - 1) / 2))
        segs.append(g.capsule(0.011 * s, length, c.small).moved(x=x, y=cuff_h + 0.1))
    c.add("fingers", segs, metal)
    c.add(
        "thumb",
        g.capsule(0.012 * s, 0.06, c.small).rotated("z", -50).moved(x=0.05 * s, y=cuff_h + 0.04),
        metal,
    )
    c.add(
        "knuckles",
        g.box(0.1 * s, 0.015, 0.05 * s).moved(y=cuff_h + 0.1),
        c.mat("gold", role="trim") if r.ornate else c.mat("dark_iron", role="trim"),
    )
    if c.rng.random() < 0.5:
        c.add(
            "flare", g.cylinder(0.07 * s, 0.02, c.seg).moved(y=0.0), c.mat("dark_iron", role="trim")
        )


def build_boots(c: Ctx) -> None:
    """Build a pair of boots side by side: shaft, foot and sole."""
    r = c.r
    h = 0.3 * r.long * c.j(0.15)
    s = r.wide * c.j(0.08)
    tall = c.pick([0.7, 1.0, 1.3])
    mat = c.mat("leather", "main,paint")
    shafts, feet, soles = [], [], []
    for sx in (-1, 1):
        x = sx * 0.1 * s
        shafts.append(
            g.cylinder(0.05 * s, h * tall, c.seg, top_radius=0.058 * s).moved(x=x, y=0.03)
        )
        feet.append(g.capsule(0.045 * s, 0.24, c.seg).rotated("x", 90).moved(x=x, y=0.075, z=-0.05))
        soles.append(g.box(0.1 * s, 0.03, 0.26).moved(x=x, y=0.015, z=0.065))
    c.add("shafts", shafts, mat)
    c.add("feet", feet, mat)
    c.add("soles", soles, c.mat("dark_wood", role="secondary"))
    if r.ornate or c.rng.random() < 0.4:
        c.add(
            "buckles",
            [
                g.box(0.03, 0.03, 0.01).moved(x=sx * 0.1 * s, y=h * 0.5, z=0.055 * s)
                for sx in (-1, 1)
            ],
            c.mat("gold", role="trim") if r.ornate else c.mat("iron", role="trim"),
        )


FAMILY = Family(
    name="armor",
    label="piece of armour",
    asset_kind="armor",
    generic="helmet",
    hints=words("armor, armour, gear, protection, plate armor, plate armour"),
    kinds=(
        Kind("shield", build_shield, words("shield, buckler, aegis, pavise, kite shield, tower shield, heater")),
        Kind("helmet", build_helmet, words(
            "helmet, helm, casque, headgear, bascinet, greathelm, great helm, sallet, barbute, "
            "morion, war helmet")),
        Kind("chestplate", build_chestplate, words(
            "chestplate, breastplate, cuirass, armor suit, suit of armor, suit of armour, "
            "body armor, body armour, hauberk, plate mail, chainmail, chain mail, mail shirt")),
        Kind("gauntlet", build_gauntlet, words("gauntlet, gauntlets, glove, gloves, vambrace, bracer")),
        Kind("boots", build_boots, words("boots, boot, greaves, sabatons, shoes, sandals")),
    ),
)  # fmt: skip

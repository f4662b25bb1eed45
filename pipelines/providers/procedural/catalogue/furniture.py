"""Furniture: chairs, armchairs, sofas, stools, thrones, tables, benches, beds and shelves."""

from __future__ import annotations

import math

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def _legs(c: Ctx, w: float, d: float, h: float, thick: float, mat: str, default: int = 4) -> None:
    """Add `default` (or the prompt's count of) legs under a w x d top at height h."""
    count = c.count("leg", default, 1, 8)
    turned = c.r.round or c.rng.random() < 0.5
    spots: list[tuple[float, float]]
    if count == 4:
        spots = [(sx * (w / 2 - thick), sz * (d / 2 - thick)) for sx in (-1, 1) for sz in (-1, 1)]
    elif count == 1:
        spots = [(0.0, 0.0)]
    else:
        rad = min(w, d) / 2 - thick
        spots = [
            (rad * math.sin(2 * math.pi * k / count), rad * math.cos(2 * math.pi * k / count))
            for k in range(count)
        ]
    legs = []
    for x, z in spots:
        if turned:
            prof = [
                (thick / 2, 0),
                (thick * 0.35, h * 0.3),
                (thick * 0.6, h * 0.6),
                (thick * 0.45, h),
            ]
            legs.append(g.lathe(prof, c.small).moved(x=x, z=z))
        else:
            legs.append(g.box(thick, h, thick).moved(x=x, y=h / 2, z=z))
    if count == 1:
        legs.append(g.cylinder(min(w, d) * 0.3, 0.03, c.seg))
    c.add("legs", legs, mat)


def build_chair(c: Ctx) -> None:
    """Build a side chair: seat, legs and a slatted or solid backrest."""
    r = c.r
    sw = 0.45 * r.wide * c.j(0.08)
    sd = 0.45 * c.j(0.08)
    sh = 0.45 * c.j(0.06)
    legw = 0.04 * c.j(0.1)
    wood = c.mat("wood", "main,paint")
    _legs(c, sw, sd, sh, legw, wood)
    c.add("seat", g.box(sw, 0.05, sd).moved(y=sh + 0.025), wood)
    bh = 0.5 * r.long * c.j(0.15)
    z = -(sd / 2 - legw)
    back = [
        g.box(legw, bh, legw).moved(x=sx * (sw / 2 - legw), y=sh + 0.05 + bh / 2, z=z)
        for sx in (-1, 1)
    ]
    back.append(g.box(sw, 0.07, legw).moved(y=sh + 0.05 + bh - 0.035, z=z))
    design = c.pick(["slats", "spindles", "panel"])
    if design == "panel":
        back.append(g.box(sw - legw, bh * 0.6, 0.02).moved(y=sh + 0.05 + bh * 0.55, z=z))
    else:
        slats = c.count("slat", c.pick([2, 3, 4]), 1, 8)
        for k in range(slats):
            x = (k - (slats - 1) / 2) * (sw - 2 * legw) / slats
            piece = (
                g.box(0.035, bh * 0.75, 0.02)
                if design == "slats"
                else g.cylinder(0.01, bh * 0.75, c.small).moved(y=-bh * 0.375)
            )
            back.append(piece.moved(x=x, y=sh + 0.05 + bh * 0.4, z=z))
    c.add("backrest", back, wood)
    c.anchor("top", 0.0, sh + 0.05, 0.0)


def build_armchair(c: Ctx) -> None:
    """Build an upholstered armchair: a deep cushioned seat, padded back and thick arms."""
    r = c.r
    w = 0.85 * r.wide * c.j(0.08)
    d = 0.8 * c.j(0.08)
    seat_h = 0.42
    cloth = c.mat("cloth", "main,paint", role="cloth")
    c.add("base", g.box(w, 0.25, d).moved(y=0.1 + 0.125), cloth)
    c.add("cushion", g.box(w * 0.7, 0.12, d * 0.8).moved(y=seat_h - 0.02, z=0.04), cloth)
    bh = 0.5 * r.long * c.j(0.1)
    wing = c.pick([False, True])
    back = g.box(w, bh + 0.25, 0.18).moved(y=0.1 + (bh + 0.25) / 2, z=-d / 2 + 0.09)
    c.add(
        "back",
        back
        if not wing
        else [
            back,
            *[
                g.box(0.1, bh * 0.6, 0.3).moved(
                    x=sx * (w / 2 - 0.05), y=seat_h + bh * 0.55, z=-d / 2 + 0.2
                )
                for sx in (-1, 1)
            ],
        ],
        cloth,
    )
    arm_h = 0.25 * c.j(0.15)
    arms = []
    for sx in (-1, 1):
        arms.append(g.box(0.15, arm_h, d).moved(x=sx * (w / 2 - 0.075), y=0.35 + arm_h / 2))
        if c.seg >= 10:
            arms.append(
                g.along_z(g.cylinder(0.08, d, c.small)).moved(
                    x=sx * (w / 2 - 0.075), y=0.35 + arm_h, z=-d / 2
                )
            )
    c.add("arms", arms, cloth)
    c.add(
        "feet",
        [
            g.cylinder(0.03, 0.1, c.small, top_radius=0.04).moved(
                x=sx * (w / 2 - 0.07), z=sz * (d / 2 - 0.07)
            )
            for sx in (-1, 1)
            for sz in (-1, 1)
        ],
        c.mat("dark_wood"),
    )
    c.anchor("top", 0.0, seat_h + 0.04, 0.04)


def build_sofa(c: Ctx) -> None:
    """Build a sofa: a long base with two or three seat cushions, a back and arms."""
    r = c.r
    seats = c.count("seat", c.pick([2, 3]), 1, 6)
    w = 0.65 * seats * r.wide * c.j(0.06) + 0.3
    d = 0.85 * c.j(0.06)
    cloth = c.mat("cloth", "main,paint")
    c.add("base", g.box(w, 0.25, d).moved(y=0.22), cloth)
    cw = (w - 0.3) / seats
    c.add(
        "cushions",
        [
            g.box(cw * 0.96, 0.12, d * 0.78).moved(x=-w / 2 + 0.15 + cw * (k + 0.5), y=0.4, z=0.05)
            for k in range(seats)
        ],
        cloth,
    )
    bh = 0.45 * r.long * c.j(0.1)
    c.add("back", g.box(w, bh, 0.2).moved(y=0.35 + bh / 2, z=-d / 2 + 0.1), cloth)
    c.add(
        "arms",
        [g.box(0.15, 0.28, d).moved(x=sx * (w / 2 - 0.075), y=0.48) for sx in (-1, 1)],
        cloth,
    )
    c.add(
        "feet",
        [
            g.box(0.05, 0.1, 0.05).moved(x=sx * (w / 2 - 0.08), y=0.05, z=sz * (d / 2 - 0.08))
            for sx in (-1, 1)
            for sz in (-1, 1)
        ],
        c.mat("dark_wood"),
    )
    if c.rng.random() < 0.5:
        c.add(
            "pillow",
            g.sphere(0.16, c.small)
            .scaled(1, 1, 0.4)
            .rotated("x", -15)
            .moved(x=-w / 2 + 0.35, y=0.6, z=-d / 2 + 0.25),
            c.mat("linen", "", role="secondary"),
        )


def build_stool(c: Ctx) -> None:
    """Build a stool: a round or square seat on three or four legs, with a rung."""
    r = c.r
    h = 0.55 * r.long * c.j(0.15)
    rad = 0.17 * r.wide * c.j(0.1)
    wood = c.mat("wood", "main,paint")
    legs = c.count("leg", c.pick([3, 4]), 1, 8)
    if c.r.round or c.rng.random() < 0.6:
        c.add("seat", g.cylinder(rad, 0.04, c.seg).moved(y=h), wood)
    else:
        c.add("seat", g.box(rad * 1.8, 0.04, rad * 1.8).moved(y=h + 0.02), wood)
    parts, rung = [], []
    for k in range(legs):
        a = 2 * math.pi * k / legs
        foot = (math.sin(a) * rad * 1.05, 0.0, math.cos(a) * rad * 1.05)
        top = (math.sin(a) * rad * 0.7, h, math.cos(a) * rad * 0.7)
        parts.append(g.tube_path([foot, top], 0.018, c.small))
    c.add("legs", parts, wood)
    rung_r = rad * 0.92
    rung.append(g.torus(rung_r, 0.01, c.seg, 4).moved(y=h * 0.3))
    c.add("rung", rung, c.mat("dark_wood"))
    c.anchor("top", 0.0, h + 0.04, 0.0)


def build_throne(c: Ctx) -> None:
    """Build a throne: a wide seat on a dais, a very tall back with finials and a cushion."""
    r = c.r
    sw = 0.8 * r.wide * c.j(0.08)
    sd = 0.65 * c.j(0.08)
    sh = 0.5
    main = c.mat("wood", "main")
    c.add(
        "dais",
        g.box(sw * 1.6, 0.15, sd * 1.6).moved(y=0.075, z=0.1),
        c.mat("stone", role="secondary"),
    )
    c.add("seat", g.box(sw, sh - 0.15, sd).moved(y=0.15 + (sh - 0.15) / 2), main)
    bh = 1.2 * r.long * c.j(0.12)
    top = c.pick(["arch", "peak", "flat"])
    back = [g.box(sw, bh, 0.12).moved(y=sh + bh / 2, z=-sd / 2 + 0.06)]
    if top == "arch":
        back.append(g.along_z(g.cylinder(sw / 2, 0.12, c.seg)).moved(y=sh + bh, z=-sd / 2))
    elif top == "peak":
        back.append(
            g.extrude([(-sw / 2, 0), (sw / 2, 0), (0, sw * 0.5)], 0.12).moved(
                y=sh + bh, z=-sd / 2 + 0.06
            )
        )
    c.add("back", back, main)
    c.add(
        "arms",
        [g.box(0.12, 0.3, sd).moved(x=sx * (sw / 2 + 0.06), y=sh + 0.15) for sx in (-1, 1)],
        main,
    )
    trim = c.mat("gold", role="trim")
    c.add(
        "finials",
        [
            g.sphere(0.07, c.small).moved(x=sx * (sw / 2 + 0.06), y=sh + 0.35, z=sd / 2 - 0.06)
            for sx in (-1, 1)
        ]
        + [
            g.cone(0.05, 0.2, c.small).moved(x=sx * (sw / 2 - 0.05), y=sh + bh, z=-sd / 2 + 0.06)
            for sx in (-1, 1)
        ],
        trim,
    )
    c.add("cushion", g.box(sw * 0.85, 0.08, sd * 0.85).moved(y=sh + 0.04), c.mat("cloth", "paint"))
    c.gem_slots += [
        (0.0, sh + bh * 0.8, -sd / 2 + 0.125),
        (-sw * 0.3, sh + bh * 0.6, -sd / 2 + 0.125),
        (sw * 0.3, sh + bh * 0.6, -sd / 2 + 0.125),
    ]


def build_table(c: Ctx) -> None:
    """Build a table: a rectangular or round top on legs, with an apron."""
    r = c.r
    w = 1.4 * r.wide * c.j(0.12) * (0.8 if r.has("desk") else 1.0)
    d = 0.8 * c.j(0.1)
    h = 0.75 * r.long * c.j(0.05)
    top_t = 0.05 * c.j(0.2)
    wood = c.mat("wood", "main,paint")
    round_top = r.round or c.rng.random() < 0.25
    if round_top:
        rad = max(w, d) / 2 * 0.85
        c.add("top", g.cylinder(rad, top_t, c.seg).moved(y=h - top_t), wood)
        w = d = rad * 1.4
    else:
        c.add("top", g.box(w, top_t, d).moved(y=h - top_t / 2), wood)
    legw = 0.06 * c.j(0.1)
    _legs(
        c,
        w - 0.1,
        d - 0.1,
        h - top_t,
        legw,
        c.mat("dark_wood"),
        default=c.pick([4, 4, 1]) if round_top else 4,
    )
    if not round_top:
        apron = [
            g.box(w - 0.16, 0.08, 0.02).moved(y=h - top_t - 0.04, z=sz * (d / 2 - 0.08))
            for sz in (-1, 1)
        ]
        apron += [
            g.box(0.02, 0.08, d - 0.16).moved(x=sx * (w / 2 - 0.08), y=h - top_t - 0.04)
            for sx in (-1, 1)
        ]
        c.add("apron", apron, c.mat("dark_wood"))
    c.anchor("top", 0.0, h, 0.0)


def build_bench(c: Ctx) -> None:
    """Build a long bench: a plank seat on two trestles, sometimes with a backrest."""
    r = c.r
    length = 1.6 * r.long * c.j(0.12)
    d = 0.35 * r.wide * c.j(0.1)
    h = 0.45 * c.j(0.05)
    wood = c.mat("wood", "main,paint")
    planks = c.pick([1, 2, 3])
    c.add(
        "seat",
        [
            g.box(length, 0.04, d / planks * 0.95).moved(y=h, z=(k - (planks - 1) / 2) * d / planks)
            for k in range(planks)
        ],
        wood,
    )
    legs = []
    for sx in (-1, 1):
        x = sx * (length / 2 - 0.15)
        legs.append(
            g.extrude([(-d / 2, 0), (d / 2, 0), (d / 2 - 0.05, h), (-d / 2 + 0.05, h)], 0.05)
            .rotated("y", 90)
            .moved(x=x)
        )
    c.add("legs", legs, c.mat("dark_wood"))
    if c.rng.random() < 0.5:
        c.add(
            "backrest",
            [g.box(length, 0.12, 0.03).moved(y=h + 0.35, z=-d / 2)]
            + [
                g.box(0.05, 0.4, 0.03).moved(x=sx * (length / 2 - 0.15), y=h + 0.2, z=-d / 2)
                for sx in (-1, 1)
            ],
            wood,
        )


def build_bed(c: Ctx) -> None:
    """Build a bed: frame, mattress, pillow, blanket, headboard and footboard."""
    r = c.r
    w = (1.4 if not r.has("single", "cot", "bunk") else 0.9) * r.wide * c.j(0.08)
    length = 2.0 * r.long * c.j(0.05)
    wood = c.mat("wood", "main")
    c.add("frame", g.box(w, 0.25, length).moved(y=0.25), wood)
    c.add(
        "mattress",
        g.box(w * 0.95, 0.18, length * 0.95).moved(y=0.46),
        c.mat("linen", role="secondary"),
    )
    c.add(
        "blanket",
        g.box(w * 0.98, 0.06, length * 0.6).moved(y=0.56, z=length * 0.18),
        c.mat("cloth", "paint"),
    )
    c.add(
        "pillows",
        [
            g.sphere(0.2, c.small).scaled(1, 0.3, 0.6).moved(x=x, y=0.6, z=-length * 0.38)
            for x in ((-w / 4, w / 4) if w > 1 else (0.0,))
        ],
        c.mat("linen", role="secondary"),
    )
    head_h = c.pick([0.7, 0.9, 1.1])
    c.add("headboard", g.box(w + 0.1, head_h, 0.08).moved(y=head_h / 2, z=-length / 2), wood)
    if c.rng.random() < 0.6:
        c.add("footboard", g.box(w + 0.1, 0.55, 0.08).moved(y=0.275, z=length / 2), wood)
    if c.seg >= 10 and c.rng.random() < 0.5:
        c.add(
            "posts",
            [
                g.cylinder(0.04, head_h + 0.3, c.small).moved(x=sx * (w / 2 + 0.05), z=-length / 2)
                for sx in (-1, 1)
            ],
            wood,
        )


def build_bookshelf(c: Ctx) -> None:
    """Build a bookshelf: a tall case with shelves full of coloured books."""
    r = c.r
    w = 0.9 * r.wide * c.j(0.1)
    h = 1.8 * r.long * c.j(0.1)
    d = 0.3
    wood = c.mat("wood", "main")
    shelves = c.count("shelf", c.pick([3, 4, 5]), 1, 10)
    case = [g.box(0.03, h, d).moved(x=sx * (w / 2 - 0.015), y=h / 2) for sx in (-1, 1)]
    case += [g.box(w, 0.03, d).moved(y=y) for y in (0.015, h - 0.015)]
    case.append(g.box(w, h, 0.01).moved(y=h / 2, z=-d / 2))
    gap = (h - 0.06) / shelves
    case += [g.box(w - 0.06, 0.02, d).moved(y=0.03 + gap * k) for k in range(1, shelves)]
    c.add("case", case, wood)
    books: dict[str, list] = {"cloth": [], "leather": [], "paper": []}
    for k in range(shelves):
        x = -w / 2 + 0.04
        while x < w / 2 - 0.08:
            bw = c.rng.uniform(0.025, 0.05)
            bh = gap * c.rng.uniform(0.6, 0.85)
            if c.rng.random() < 0.12:
                x += bw
                continue
            books[c.pick(list(books))].append(
                g.box(bw * 0.95, bh, d * 0.8).moved(x=x + bw / 2, y=0.04 + gap * k + bh / 2, z=0.01)
            )
            x += bw
    for key, shapes in books.items():
        if shapes:
            c.add(
                f"books_{key}",
                shapes,
                c.mat(
                    {"cloth": "cloth", "leather": "leather", "paper": "robe"}[key], role="secondary"
                ),
            )


def build_cabinet(c: Ctx) -> None:
    """Build a cabinet or wardrobe: a box on feet with doors, handles and a cornice."""
    r = c.r
    tall = r.has("wardrobe", "armoire", "closet") or c.rng.random() < 0.4
    w = (1.0 if tall else 0.8) * r.wide * c.j(0.1)
    h = (1.9 if tall else 0.9) * r.long * c.j(0.08)
    d = 0.5
    wood = c.mat("wood", "main,paint")
    c.add("body", g.box(w, h, d).moved(y=h / 2 + 0.08), wood)
    c.add("cornice", g.box(w + 0.06, 0.06, d + 0.06).moved(y=h + 0.11), c.mat("dark_wood"))
    doors = c.count("door", 2, 1, 4)
    dw = w / doors
    c.add(
        "doors",
        [
            g.box(dw * 0.9, h * 0.9, 0.02).moved(
                x=-w / 2 + dw * (k + 0.5), y=h / 2 + 0.08, z=d / 2 + 0.01
            )
            for k in range(doors)
        ],
        c.mat("dark_wood"),
    )
    c.add(
        "handles",
        [
            g.sphere(0.02, c.small).moved(
                x=-w / 2 + dw * (k + 0.5) + (dw * 0.35 if k % 2 == 0 else -dw * 0.35),
                y=h * 0.55 + 0.08,
                z=d / 2 + 0.03,
            )
            for k in range(doors)
        ],
        c.mat("brass", role="trim"),
    )
    c.add(
        "feet",
        [
            g.box(0.06, 0.08, 0.06).moved(x=sx * (w / 2 - 0.05), y=0.04, z=sz * (d / 2 - 0.05))
            for sx in (-1, 1)
            for sz in (-1, 1)
        ],
        c.mat("dark_wood"),
    )
    c.anchor("top", 0.0, h + 0.14, 0.0)


FAMILY = Family(
    name="furniture",
    label="piece of furniture",
    asset_kind="prop",
    generic="table",
    hints=words("furniture, furnishing, seating, decor"),
    kinds=(
        Kind("chair", build_chair, words("chair, side chair, dining chair, kitchen chair, seat, rocking chair, highchair")),
        Kind("armchair", build_armchair, words("armchair, arm chair, easy chair, recliner, lounge chair, wingback, club chair, cozy chair")),
        Kind("sofa", build_sofa, words("sofa, couch, settee, loveseat, divan, chesterfield")),
        Kind("stool", build_stool, words("stool, bar stool, footstool, tabouret")),
        Kind("throne", build_throne, words("throne, royal seat, king's chair")),
        Kind("table", build_table, words("table, desk, workbench, dining table, coffee table, counter, nightstand, altar")),
        Kind("bench", build_bench, words("bench, pew, park bench, settle")),
        Kind("bed", build_bed, words("bed, bunk, cot, four-poster, four poster, mattress, crib")),
        Kind("bookshelf", build_bookshelf, words("bookshelf, bookcase, shelf, shelves, library shelf, shelving")),
        Kind("cabinet", build_cabinet, words("cabinet, cupboard, wardrobe, armoire, dresser, closet, drawers, chest of drawers, sideboard")),
    ),
)  # fmt: skip

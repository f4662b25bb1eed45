"""Signs: signposts, hanging shop signs, banners and flags, gravestones, notice boards."""

from __future__ import annotations

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue.base import Ctx, Family, Kind, words


def build_signpost(c: Ctx) -> None:
    """Build a crossroads signpost: a post with pointed arrow boards at different angles."""
    r = c.r
    h = 2.0 * r.long * c.j(0.08)
    wood = c.mat("wood", "main")
    c.add("post", g.box(0.1, h, 0.1).moved(y=h / 2), wood)
    boards = c.count("sign", c.pick([2, 3, 4]), 1, 6)
    arrows = []
    for k in range(boards):
        length = 0.7 * c.j(0.15)
        arrow = [(0.0, -0.09), (length, -0.09), (length + 0.12, 0.0), (length, 0.09), (0.0, 0.09)]
        side = 1 if k % 2 == 0 else -1
        arrows.append(
            g.extrude(arrow, 0.03)
            .scaled(side, 1, 1)
            .rotated("y", c.rng.uniform(-35, 35))
            .moved(y=h - 0.2 - k * 0.25)
        )
    c.add("boards", arrows, c.mat("light_wood", "paint"), flat=True)
    c.add("cap", g.cone(0.09, 0.1, 4).moved(y=h), wood)


def build_hanging_sign(c: Ctx) -> None:
    """Build a hanging shop sign: a post with an arm and a board hung from two chains."""
    r = c.r
    h = 2.4 * r.long * c.j(0.08)
    w = 0.8 * r.wide * c.j(0.1)
    iron = c.mat("dark_iron", "main")
    c.add("post", g.box(0.1, h, 0.1).moved(y=h / 2), c.mat("dark_wood"))
    c.add(
        "arm",
        [
            g.box(w + 0.3, 0.05, 0.05).moved(x=(w + 0.3) / 2, y=h - 0.1),
            g.tube_path([(0.05, h - 0.5, 0.0), (0.4, h - 0.12, 0.0)], 0.015, 4),
        ],
        iron,
    )
    board_h = w * c.pick([0.5, 0.65, 0.8])
    shape = c.pick(["rect", "round", "shield"])
    if shape == "round":
        board = (
            g.along_z(g.cylinder(board_h / 2, 0.04, c.seg)).moved(z=-0.02).scaled(w / board_h, 1, 1)
        )
    elif shape == "shield":
        board = g.extrude(
            [
                (-w / 2, board_h / 2),
                (w / 2, board_h / 2),
                (w / 2, 0.0),
                (0.0, -board_h / 2),
                (-w / 2, 0.0),
            ],
            0.04,
        )
    else:
        board = g.box(w, board_h, 0.04)
    top = h - 0.35
    c.add("board", board.moved(x=0.15 + w / 2, y=top - board_h / 2), c.mat("wood", "paint"))
    c.add(
        "chains",
        [g.cylinder(0.008, 0.25, 4).moved(x=0.15 + w * t, y=top) for t in (0.15, 0.85)],
        iron,
    )
    c.add(
        "emblem",
        g.along_z(g.cylinder(board_h * 0.2, 0.01, c.small)).moved(
            x=0.15 + w / 2, y=top - board_h / 2, z=0.02
        ),
        c.mat("gold", role="trim"),
    )


def build_banner(c: Ctx) -> None:
    """Build a banner or flag on a pole: a hanging pennant with an emblem and a finial."""
    r = c.r
    h = 2.8 * r.long * c.j(0.08)
    w = 0.8 * r.wide * c.j(0.1)
    c.add("pole", g.cylinder(0.03, h, c.small), c.mat("dark_wood"))
    c.add("finial", g.sphere(0.06, c.small).moved(y=h + 0.04), c.mat("gold", role="trim"))
    hang = c.pick(["banner", "flag", "pennant"]) if not r.has("flag") else "flag"
    cloth = c.mat("cloth", "main,paint")
    if hang == "flag":
        fl = w * 1.3
        pts = [(0.0, 0.0), (fl, 0.0), (fl, w * 0.8), (0.0, w * 0.8)]
        c.add("cloth", g.sheet(pts, 0.01).moved(x=0.03, y=h - w * 0.8 - 0.05), cloth, flat=True)
        c.add(
            "emblem",
            g.along_z(g.cylinder(w * 0.2, 0.02, c.small)).moved(
                x=0.03 + fl / 2, y=h - w * 0.4 - 0.05, z=-0.01
            ),
            c.mat("plaster", role="secondary"),
        )
    elif hang == "pennant":
        c.add(
            "cloth",
            g.sheet([(0.0, 0.0), (w * 1.6, w * 0.25), (0.0, w * 0.5)], 0.01).moved(
                x=0.03, y=h - w * 0.5 - 0.05
            ),
            cloth,
            flat=True,
        )
    else:
        bl = h * 0.5
        c.add(
            "crossbar",
            g.along_x(g.cylinder(0.02, w + 0.1, c.small)).moved(x=-(w + 0.1) / 2, y=h - 0.1),
            c.mat("dark_wood"),
        )
        c.add(
            "cloth",
            g.sheet(
                [(-w / 2, 0.0), (w / 2, 0.0), (w / 2, -bl), (0.0, -bl * 0.85), (-w / 2, -bl)], 0.01
            ).moved(y=h - 0.12, z=0.03),
            cloth,
            flat=True,
        )
        c.add(
            "emblem",
            g.gem(w * 0.15, 4).rotated("x", 90).scaled(1, 1, 0.1).moved(y=h - bl * 0.4, z=0.04),
            c.mat("gold", role="trim"),
        )


def build_gravestone(c: Ctx) -> None:
    """Build a gravestone: a rounded, cross or pointed headstone on a plinth."""
    r = c.r
    h = 0.9 * r.long * c.j(0.1)
    w = 0.55 * r.wide * c.j(0.1)
    stone = c.mat("stone", "main")
    c.add("plinth", g.box(w * 1.3, 0.12, 0.35).moved(y=0.06), c.mat("dark_stone", role="secondary"))
    shape = c.pick(["round", "cross", "pointed"]) if not r.has("cross") else "cross"
    if shape == "cross":
        c.add(
            "stone",
            [
                g.box(0.16, h, 0.14).moved(y=0.12 + h / 2),
                g.box(w * 0.8, 0.16, 0.14).moved(y=0.12 + h * 0.72),
            ],
            stone,
        )
    elif shape == "pointed":
        c.add(
            "stone",
            g.extrude(
                [(-w / 2, 0.0), (w / 2, 0.0), (w / 2, h * 0.75), (0.0, h), (-w / 2, h * 0.75)], 0.14
            ).moved(y=0.12),
            stone,
        )
    else:
        c.add(
            "stone",
            [
                g.box(w, h - w / 2, 0.14).moved(y=0.12 + (h - w / 2) / 2),
                g.along_z(g.cylinder(w / 2, 0.14, c.seg)).moved(y=0.12 + h - w / 2, z=-0.07),
            ],
            stone,
        )
    c.add(
        "inscription",
        [g.box(w * 0.55, 0.025, 0.01).moved(y=0.12 + h * t, z=0.075) for t in (0.35, 0.45, 0.55)],
        c.mat("dark_stone", role="secondary"),
    )


def build_noticeboard(c: Ctx) -> None:
    """Build a notice board: two legs, a framed board with pinned papers and a little roof."""
    r = c.r
    w = 1.4 * r.wide * c.j(0.1)
    h = 1.9 * r.long * c.j(0.08)
    wood = c.mat("wood", "main")
    c.add("legs", [g.box(0.1, h, 0.1).moved(x=sx * w / 2, y=h / 2) for sx in (-1, 1)], wood)
    c.add("board", g.box(w, h * 0.45, 0.05).moved(y=h * 0.65), c.mat("light_wood"))
    c.add(
        "roof",
        g.extrude([(-0.25, 0.0), (0.25, 0.0), (0.0, 0.2)], w + 0.3).rotated("y", 90).moved(y=h),
        c.mat("roof", "paint"),
        flat=True,
    )
    papers = c.count("paper", c.pick([3, 4, 6]), 1, 10)
    c.add(
        "papers",
        [
            g.box(0.18, 0.24, 0.01)
            .rotated("z", c.rng.uniform(-8, 8))
            .moved(
                x=-w / 2 + 0.15 + (w - 0.3) * (k + 0.5) / papers,
                y=h * 0.65 + c.rng.uniform(-0.08, 0.08),
                z=0.03,
            )
            for k in range(papers)
        ],
        c.mat("paper"),
    )


FAMILY = Family(
    name="signs",
    label="sign",
    asset_kind="prop",
    generic="signpost",
    hints=words("sign, signage, marker, placard, waymarker"),
    kinds=(
        Kind("signpost", build_signpost, words("signpost, sign post, fingerpost, road sign, direction sign, guidepost, waypost")),
        Kind("hanging_sign", build_hanging_sign, words("hanging sign, shop sign, tavern sign, inn sign, store sign, signboard, billboard")),
        Kind("banner", build_banner, words("banner, flag, pennant, standard, ensign, heraldic banner, war banner")),
        Kind("gravestone", build_gravestone, words("gravestone, tombstone, headstone, grave, tomb, memorial, cenotaph")),
        Kind("noticeboard", build_noticeboard, words("noticeboard, notice board, bulletin board, quest board, job board, wanted board")),
    ),
)  # fmt: skip

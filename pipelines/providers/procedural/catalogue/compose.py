"""Add what the prompt asks for beyond the kind itself: attachments, combined kinds, moss, gears.

Runs after a kind's builder, on any kind: gems go to the builder's gem slots (or across the
front), another kind ("holding a lantern") is built at its real size and placed at the
builder's anchor (hand, head, top) or beside the object, and features (horns, wings, spikes,
antenna, gears, moss) are placed from the object's bounding box.
"""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np

from pipelines.providers.procedural import geometry as g
from pipelines.providers.procedural.catalogue import FAMILY_OF, KINDS
from pipelines.providers.procedural.catalogue.base import Ctx
from pipelines.providers.procedural.geometry import Part
from pipelines.providers.procedural.materials import LIBRARY
from pipelines.providers.procedural.prompt import Attachment, Reading, singular

HELD = frozenset({"holding", "wielding", "carrying"})


def _plain(kind: str) -> Reading:
    family = FAMILY_OF[kind]
    return Reading(kind=kind, family=family.name, asset_kind=family.asset_kind, words=frozenset())


def compose(c: Ctx) -> None:
    """Add the prompt's attachments and the extra geometry of combined kinds and conditions."""
    if not c.parts:
        return
    lo, hi = c.bounds()
    for a in c.r.attachments:
        if a.kind:
            if singular(a.word) in c.consumed:
                continue
            _attach_kind(c, a, lo, hi)
        elif a.gem:
            _gems(c, a, lo, hi)
        elif a.feature:
            _feature(c, a.feature, lo, hi, a.count)
    for trait in c.r.combine:
        if trait == "robot" and c.r.kind != "robot":
            _feature(c, "antenna", lo, hi, None)
        elif trait == "dragon" and c.r.kind != "dragon":
            _feature(c, "horns", lo, hi, None)
        elif trait == "overgrown":
            _feature(c, "moss", lo, hi, None)
    if "mossy" in c.r.conditions:
        _feature(c, "moss", lo, hi, None)
    if "steampunk" in c.r.styles:
        _feature(c, "gears", lo, hi, None)


def _where(c: Ctx, verb: str, lo: np.ndarray, hi: np.ndarray) -> tuple[str, np.ndarray]:
    center = (lo + hi) / 2
    if verb in HELD and "hand" in c.anchors:
        return "hand", c.anchors["hand"]
    if verb == "wearing" and "head" in c.anchors:
        return "head", c.anchors["head"]
    if verb == "with":
        for name in ("hand", "top"):
            if name in c.anchors:
                return name, c.anchors[name]
        return "top", np.array([center[0], hi[1], center[2]])
    return "side", np.array([hi[0], lo[1], center[2]])


def _attach_kind(c: Ctx, a: Attachment, lo: np.ndarray, hi: np.ndarray) -> None:
    sub = Ctx(_plain(a.kind), random.Random(c.rng.getrandbits(32)), c.seg, c.check, c.detail)
    KINDS[a.kind].build(sub)
    slo, shi = sub.bounds()
    extent = float((shi - slo).max())
    host = float((hi - lo).max())
    s = min(1.0, 0.6 * host / max(extent, 1e-6))
    where, at = _where(c, a.verb, lo, hi)
    count = max(1, min(a.count or 1, 6))
    width = float(shi[0] - slo[0]) * s
    for i in range(count):
        offset = (i - (count - 1) / 2) * width * 1.2
        base = np.array([(slo[0] + shi[0]) / 2, slo[1], (slo[2] + shi[2]) / 2])
        if where == "side":
            move = at + np.array([width / 2 + 0.05 * host + i * width * 1.2, 0.0, 0.0])
        else:
            move = at + np.array([offset, 0.0, 0.0])
        for p in sub.parts:
            shape = g.Shape((p.shape.v - base) * s + move, p.shape.f)
            c.parts.append(Part(f"{a.kind}_{p.name}", shape, p.material, p.flat))
    for name, look in sub.looks.items():
        c.looks.setdefault(name, look)
    c.applied.add(f"{a.verb} {KINDS[a.kind].name.replace('_', ' ')}")


def _front(lo: np.ndarray, hi: np.ndarray, n: int) -> list[tuple[float, float, float]]:
    return [
        (lo[0] + (hi[0] - lo[0]) * (i + 1) / (n + 1), (lo[1] + hi[1]) / 2, hi[2]) for i in range(n)
    ]


def _gems(c: Ctx, a: Attachment, lo: np.ndarray, hi: np.ndarray) -> None:
    slots = list(c.gem_slots)
    n = a.count or max(3, min(len(slots), 8))
    spots = (slots + _front(lo, hi, max(0, n - len(slots))))[:n]
    size = float(np.clip(np.linalg.norm(hi - lo) * 0.03, 0.004, 0.08))
    look = replace(LIBRARY["gem"], color=a.gem)
    name = c.custom(f"gem_{a.word}", look)
    c.add("gems", [g.gem(size).rotated("x", 90).moved(*p) for p in spots], name, flat=True)
    c.applied.add(f"{len(spots)} {a.word}")


def _top_points(c: Ctx, lo: np.ndarray, hi: np.ndarray, n: int) -> list[np.ndarray]:
    allv = np.concatenate([p.shape.v for p in c.parts])
    high = allv[allv[:, 1] > lo[1] + (hi[1] - lo[1]) * 0.8]
    picks = c.nrng.choice(len(high), size=min(n, len(high)), replace=False)
    return [high[i] for i in sorted(picks)]


def _feature(c: Ctx, feature: str, lo: np.ndarray, hi: np.ndarray, count: int | None) -> None:
    size = hi - lo
    h = float(size[1])
    center = (lo + hi) / 2
    top = c.anchors.get("head", np.array([center[0], hi[1], center[2]]))
    if feature == "horns":
        shapes = [
            g.cone(h * 0.05, h * 0.18, c.small)
            .rotated("z", -sx * 25)
            .moved(top[0] + sx * size[0] * 0.15, top[1] - h * 0.03, top[2])
            for sx in (-1, 1)
        ]
        c.add("horns", shapes, c.mat("bone"))
    elif feature == "wings":
        span = max(float(size[0]), h) * 0.6
        wing = [(0.0, 0.0), (span, span * 0.3), (span * 0.8, span * 0.7), (0.0, span * 0.4)]
        shapes = [
            g.sheet(wing, span * 0.02)
            .scaled(sx, 1, 1)
            .moved(center[0] + sx * size[0] * 0.1, lo[1] + h * 0.55, lo[2])
            for sx in (-1, 1)
        ]
        c.add("wings", shapes, c.mat("leather", "paint", role="secondary"), flat=True)
    elif feature == "spikes":
        n = count or 5
        shapes = [
            g.cone(h * 0.03, h * 0.1, 4).moved(x, hi[1] - h * 0.02, center[2])
            for x in np.linspace(lo[0] + size[0] * 0.2, hi[0] - size[0] * 0.2, n)
        ]
        c.add("spikes", shapes, c.mat("iron", role="metal"))
    elif feature == "antenna":
        stalk = max(h * 0.15, 0.02)
        c.add(
            "antenna",
            [
                g.cylinder(stalk * 0.04, stalk, 4).moved(*top),
                g.sphere(stalk * 0.12, c.small).moved(top[0], top[1] + stalk, top[2]),
            ],
            c.mat("neon"),
        )
    elif feature == "gears":
        r = max(float(size.max()) * 0.12, 0.02)
        c.add(
            "gears",
            [
                g.gear(r, r * 0.2, 10)
                .rotated("y", 90)
                .moved(hi[0] + r * 0.1, center[1], center[2]),
                g.gear(r * 0.6, r * 0.2, 8)
                .rotated("y", 90)
                .moved(hi[0] + r * 0.1, center[1] + r * 1.3, center[2] + r * 0.6),
            ],
            c.mat("brass", role="trim"),
        )
    elif feature == "moss":
        r = max(float(np.linalg.norm(size)) * 0.05, 0.01)
        blobs = [
            g.sphere(r, c.small).scaled(1.4, 0.5, 1.2).moved(*p)
            for p in _top_points(c, lo, hi, count or 6)
        ]
        c.add("moss", blobs, c.mat("moss"))
    c.applied.add(feature)

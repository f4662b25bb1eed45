"""The body of a character: capsules along its bones, skinned with smooth weights.

Every piece names its material by role (`skin`, `hair`, `eye`, `cloth`, `leather`, `fur`):
`materials.py` turns the configuration's colours into those materials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.stages.character.mesh import Piece, capsule, merge, segment_weights
from pipelines.stages.character.skeleton import FINGER_JOINTS, FINGERS, Skeleton

# Capsule resolution (sides around, rings along) for each level of detail.
DETAIL = {"draft": (8, 1, 5), "full": (14, 4, 7)}


@dataclass(frozen=True)
class Segment:
    """Where a body capsule runs and how thick it is: what armor is fitted to."""

    material: str
    bone: int
    a: np.ndarray
    b: np.ndarray
    r0: float
    r1: float
    aspect: float


def body_segments(
    skeleton: Skeleton, pieces_detail: str = "draft"
) -> dict[tuple[str, str], Segment]:
    """Return the humanoid's body segments by (material, bone name): what armor is fitted to."""
    found: dict[tuple[str, str], Segment] = {}
    humanoid_body(skeleton, detail=pieces_detail, segments=found)
    return found


def _segment(
    skeleton: Skeleton,
    positions: np.ndarray,
    material: str,
    bone: str,
    end,
    r0: float,
    r1: float,
    *,
    detail: str,
    parent: str | None = None,
    child: str | None = None,
    aspect: float = 1.0,
    small: bool = False,
    start=None,
    segments: dict | None = None,
) -> Piece:
    sides, rings, small_sides = DETAIL[detail]
    j = skeleton.index(bone)
    a = positions[j] if start is None else np.asarray(start)
    b = positions[skeleton.index(end)] if isinstance(end, str) else np.asarray(end)
    if segments is not None:
        segments.setdefault((material, bone), Segment(material, j, a, b, r0, r1, aspect))
    pos, faces, t = capsule(
        a, b, r0, r1, sides=small_sides if small else sides, rings=1 if small else rings,
        aspect=aspect,
    )  # fmt: skip
    joints, weights = segment_weights(
        t,
        j,
        parent=skeleton.index(parent) if parent else None,
        child=skeleton.index(child) if child else None,
    )
    return Piece(material, pos, faces, joints, weights)


def humanoid_body(
    skeleton: Skeleton, *, detail: str = "full", segments: dict | None = None
) -> list[Piece]:
    """Return the humanoid's body pieces, merged per material (skin, hair, eye, cloth, leather)."""
    p, _ = skeleton.world_rest()
    m = skeleton.measures
    s = m["scale"]
    torso, depth, arm, leg, head = m["torso"], m["depth"], m["arm"], m["leg"], m["head"]

    def seg(*args, **kwargs) -> Piece:
        return _segment(skeleton, p, *args, detail=detail, segments=segments, **kwargs)

    def at(name: str, offset=(0.0, 0.0, 0.0)) -> np.ndarray:
        return p[skeleton.index(name)] + np.asarray(offset) * s

    pieces = [
        seg(
            "trousers",
            "hips",
            at("hips", (0, -0.1, 0)),
            torso * 0.92,
            torso * 0.9,
            start=at("hips", (0, 0.06, 0)),
            aspect=depth / torso,
        ),
        seg(
            "shirt",
            "spine",
            "chest",
            torso * 0.88,
            torso * 0.95,
            parent="hips",
            child="chest",
            aspect=depth / torso,
        ),
        seg(
            "shirt",
            "chest",
            "upperChest",
            torso * 0.95,
            torso,
            parent="spine",
            child="upperChest",
            aspect=depth / torso,
        ),
        seg(
            "shirt",
            "upperChest",
            at("neck", (0, -0.05, 0)),
            torso,
            torso * 0.7,
            parent="chest",
            aspect=depth / torso,
        ),
        seg("skin", "neck", "head", arm * 0.9, arm * 0.9, parent="upperChest", child="head"),
        seg(
            "skin",
            "head",
            at("head", (0, 0.16, 0.0)),
            head * 0.92,
            head * 0.95,
            start=at("head", (0, 0.03, 0.0)),
            aspect=1.05,
        ),
        seg(
            "hair",
            "head",
            at("head", (0, 0.17, -0.01)),
            head * 0.97,
            head * 1.0,
            start=at("head", (0, 0.125, -0.02)),
            aspect=1.08,
        ),
    ]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        eye = at("head", (sign * 0.035, 0.07, 0.0))
        eye[2] += head * 1.02
        pieces.append(
            seg("eye", "head", eye + (0, 0, 0.012 * s), 0.011 * s, 0.011 * s, start=eye,
                small=True)
        )  # fmt: skip
        upper, lower, hand = f"{side}UpperArm", f"{side}LowerArm", f"{side}Hand"
        pieces += [
            seg("shirt", upper, lower, arm * 1.1, arm * 0.95, parent=f"{side}Shoulder",
                child=lower, start=at(upper, (-sign * 0.03, 0, 0))),
            seg("skin", lower, hand, arm * 0.9, arm * 0.7, parent=upper, child=hand),
            # The palm: flat (thin along Y, wide along Z), ending at the knuckles.
            seg("skin", hand, at(hand, (sign * 0.09, 0, 0)), 0.02 * s, 0.019 * s,
                parent=lower, aspect=2.3),
        ]  # fmt: skip
        for finger in FINGERS:
            names = [f"{side}{finger}{joint}" for joint in FINGER_JOINTS[finger]]
            radius = m["finger"] * (1.2 if finger == "Thumb" else 1.0)
            for k, name in enumerate(names):
                child = names[k + 1] if k + 1 < len(names) else None
                if child:
                    end = child
                else:
                    j = skeleton.index(name)
                    direction = p[j] - p[skeleton.parents[j]]
                    end = p[j] + direction / np.linalg.norm(direction) * m["finger_tip"]
                parent = skeleton.names[skeleton.parents[skeleton.index(name)]]
                pieces.append(
                    seg("skin", name, end, radius, radius * 0.85, parent=parent, child=child,
                        small=True)
                )  # fmt: skip
        up_leg, low_leg, foot, toes = (
            f"{side}{b}" for b in ("UpperLeg", "LowerLeg", "Foot", "Toes")
        )
        pieces += [
            seg("trousers", up_leg, low_leg, leg * 1.15, leg * 0.8, parent="hips", child=low_leg),
            seg("trousers", low_leg, at(foot, (0, 0.06, 0)), leg * 0.8, leg * 0.6,
                parent=up_leg, child=foot),
            seg("boots", foot, toes, leg * 0.7, leg * 0.55, parent=low_leg, child=toes,
                start=at(foot, (0, 0.01, -0.05))),
            seg("boots", toes, at(toes, (0, 0, 0.07)), leg * 0.55, leg * 0.45, parent=foot),
        ]  # fmt: skip
    return merge(pieces)


def quadruped_body(skeleton: Skeleton, *, detail: str = "full") -> list[Piece]:
    """Return the quadruped's body pieces (fur and eyes), merged per material."""
    p, _ = skeleton.world_rest()
    m = skeleton.measures
    s = m["scale"]

    def seg(*args, **kwargs) -> Piece:
        return _segment(skeleton, p, *args, detail=detail, **kwargs)

    torso, leg, head = m["torso"], m["leg"], m["head"]
    pieces = [
        seg("fur", "hips", "spine", torso, torso, child="spine"),
        seg("fur", "spine", "chest", torso, torso * 1.05, parent="hips", child="chest"),
        seg("fur", "chest", "neck", torso * 1.05, torso * 0.7, parent="spine", child="neck"),
        seg("fur", "neck", "head", torso * 0.55, torso * 0.5, parent="chest", child="head"),
        seg("fur", "head", p[skeleton.index("head")] + np.array([0, -0.02, 0.16]) * s,
            head, head * 0.6),
    ]  # fmt: skip
    for _side, sign in ((1, 1.0), (2, -1.0)):
        eye = p[skeleton.index("head")] + np.array([sign * 0.05, 0.03, 0.05]) * s
        pieces.append(seg("eye", "head", eye + (0, 0, 0.01 * s), 0.012 * s, 0.012 * s,
                          start=eye, small=True))  # fmt: skip
    prev = "hips"
    for n in range(1, 4):
        name = f"tail{n}"
        end = f"tail{n + 1}" if n < 3 else p[skeleton.index(name)] + np.array([0, -0.04, -0.14]) * s
        r = torso * 0.3 * (1 - 0.25 * n)
        pieces.append(seg("fur", name, end, r, r * 0.8, parent=prev,
                          child=f"tail{n + 1}" if n < 3 else None))  # fmt: skip
        prev = name
    for base in ("frontLeft", "frontRight", "hindLeft", "hindRight"):
        holder = "chest" if base.startswith("front") else "hips"
        up, low, foot = (f"{base}{b}" for b in ("UpperLeg", "LowerLeg", "Foot"))
        pieces += [
            seg("fur", up, low, leg * 1.3, leg, parent=holder, child=low),
            seg("fur", low, foot, leg, leg * 0.8, parent=up, child=foot),
            seg("fur", foot, p[skeleton.index(foot)] + np.array([0, -0.02, 0.05]) * s,
                leg * 0.8, leg * 0.7, parent=low),
        ]  # fmt: skip
    return merge(pieces)

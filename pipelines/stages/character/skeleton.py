"""Skeletons: the Forge humanoid (VRM 1.0 bone names, five three-joint fingers per hand) and quadruped.

Both rest in their canonical pose (T-pose for the humanoid) facing +Z with +Y up, the
character's left at +X and the feet on Y = 0, as VRM 1.0 asks. Forge joints have no rest
rotation: each joint's local transform is a translation, so a clip's rotations are
relative to the T-pose. `MIXAMO_NAMES` maps every humanoid bone to Mixamo's name (without
the `mixamorig:` prefix).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipelines.stages.character.transforms import IDENTITY_QUAT, compose, quat_mul, quat_rotate

FINGERS = ("Thumb", "Index", "Middle", "Ring", "Little")
FINGER_JOINTS = {
    "Thumb": ("Metacarpal", "Proximal", "Distal"),
    **{f: ("Proximal", "Intermediate", "Distal") for f in FINGERS[1:]},
}
MIXAMO_FINGER = {"Thumb": "Thumb", "Index": "Index", "Middle": "Middle", "Ring": "Ring",
                 "Little": "Pinky"}  # fmt: skip


def _humanoid_mixamo() -> dict[str, str]:
    names = {
        "hips": "Hips", "spine": "Spine", "chest": "Spine1", "upperChest": "Spine2",
        "neck": "Neck", "head": "Head",
    }  # fmt: skip
    for side, Side in (("left", "Left"), ("right", "Right")):
        names |= {
            f"{side}Shoulder": f"{Side}Shoulder",
            f"{side}UpperArm": f"{Side}Arm",
            f"{side}LowerArm": f"{Side}ForeArm",
            f"{side}Hand": f"{Side}Hand",
            f"{side}UpperLeg": f"{Side}UpLeg",
            f"{side}LowerLeg": f"{Side}Leg",
            f"{side}Foot": f"{Side}Foot",
            f"{side}Toes": f"{Side}ToeBase",
        }
        for finger in FINGERS:
            for n, joint in enumerate(FINGER_JOINTS[finger], start=1):
                names[f"{side}{finger}{joint}"] = f"{Side}Hand{MIXAMO_FINGER[finger]}{n}"
    return names


#: Forge (VRM 1.0 humanoid) bone name -> Mixamo bone name (prefix `mixamorig:`).
MIXAMO_NAMES: dict[str, str] = _humanoid_mixamo()
MIXAMO_PREFIX = "mixamorig:"


@dataclass(frozen=True)
class Proportions:
    """The body's proportions: height in metres; build, head size and limb length as factors."""

    height: float = 1.75
    build: float = 0.5
    head_size: float = 1.0
    limb_length: float = 1.0


@dataclass
class Skeleton:
    """A joint hierarchy at rest: names, parents (before children), local translations and rotations.

    `base_rotation` is the world rotation of whatever holds the root joint (an armature
    node in an imported file); Forge skeletons have none.
    """

    names: tuple[str, ...]
    parents: tuple[int, ...]
    translations: np.ndarray
    rotations: np.ndarray
    kind: str = "humanoid"
    base_rotation: np.ndarray = field(default_factory=lambda: IDENTITY_QUAT.copy())
    base_translation: np.ndarray = field(default_factory=lambda: np.zeros(3))
    base_scale: float = 1.0
    #: Extra measurements a body builder needs (radii, hand size), in metres.
    measures: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, p in enumerate(self.parents):
            if p >= i:
                raise ValueError("parents must come before their children")

    def index(self, name: str) -> int:
        return self.names.index(name)

    def children(self, joint: int) -> list[int]:
        return [i for i, p in enumerate(self.parents) if p == joint]

    def world_rest(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the rest world positions (J, 3) and rotations (J, 4)."""
        return world_pose(self, self.rotations)

    def world_matrices(self) -> np.ndarray:
        """Return the rest world matrices (J, 4, 4), what the inverse bind matrices invert."""
        positions, rotations = self.world_rest()
        return np.stack(
            [compose(p, q, self.base_scale) for p, q in zip(positions, rotations, strict=True)]
        )


def world_pose(
    skeleton: Skeleton, local_rotations: np.ndarray, root_translation: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return world positions and rotations of every joint for the given local rotations."""
    count = len(skeleton.names)
    positions = np.zeros((count, 3))
    rotations = np.zeros((count, 4))
    scale = skeleton.base_scale
    for j, parent in enumerate(skeleton.parents):
        local_t = skeleton.translations[j]
        if j == 0 and root_translation is not None:
            local_t = root_translation
        if parent < 0:
            rotations[j] = quat_mul(skeleton.base_rotation, local_rotations[j])
            positions[j] = skeleton.base_translation + scale * quat_rotate(
                skeleton.base_rotation, local_t
            )
        else:
            rotations[j] = quat_mul(rotations[parent], local_rotations[j])
            positions[j] = positions[parent] + scale * quat_rotate(rotations[parent], local_t)
    return positions, rotations


def _from_world(names, parents, world, kind, measures) -> Skeleton:
    world = np.asarray(world, dtype=float)
    translations = np.array(
        [world[j] - (world[p] if p >= 0 else 0.0) for j, p in enumerate(parents)]
    )
    rotations = np.tile(IDENTITY_QUAT, (len(names), 1))
    return Skeleton(tuple(names), tuple(parents), translations, rotations, kind, measures=measures)


def humanoid_skeleton(proportions: Proportions = Proportions()) -> Skeleton:
    """Return the Forge humanoid skeleton (52 joints) in T-pose for `proportions`."""
    limb = proportions.limb_length
    head = proportions.head_size
    build = proportions.build
    names: list[str] = []
    parents: list[int] = []
    world: list[tuple[float, float, float]] = []

    def add(name: str, parent: str | None, position) -> None:
        names.append(name)
        parents.append(names.index(parent) if parent else -1)
        world.append(tuple(float(c) for c in position))

    # Raw layout for a 1.75 m adult; the whole skeleton is scaled to the height at the end.
    leg = 0.84 * limb
    foot_y = 0.08
    hip_y = foot_y + leg + 0.03
    shoulder_w = 0.16 + 0.05 * build
    add("hips", None, (0, hip_y, 0))
    add("spine", "hips", (0, hip_y + 0.10, 0))
    add("chest", "spine", (0, hip_y + 0.23, 0))
    add("upperChest", "chest", (0, hip_y + 0.35, 0))
    add("neck", "upperChest", (0, hip_y + 0.50, 0))
    add("head", "neck", (0, hip_y + 0.60, 0))
    head_top = hip_y + 0.60 + 0.23 * head
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder_y = hip_y + 0.45
        upper_arm_x = shoulder_w
        lower_arm_x = upper_arm_x + 0.29 * limb
        hand_x = lower_arm_x + 0.26 * limb
        add(f"{side}Shoulder", "upperChest", (sign * 0.04, shoulder_y, 0))
        add(f"{side}UpperArm", f"{side}Shoulder", (sign * upper_arm_x, shoulder_y, 0))
        add(f"{side}LowerArm", f"{side}UpperArm", (sign * lower_arm_x, shoulder_y, 0))
        add(f"{side}Hand", f"{side}LowerArm", (sign * hand_x, shoulder_y, 0))
        hand = f"{side}Hand"
        # The thumb leaves the palm forward (+Z); the others start at the knuckles.
        thumb = [(0.025, -0.012, 0.03), (0.055, -0.015, 0.055), (0.085, -0.015, 0.07)]
        prev = hand
        for joint, (dx, dy, dz) in zip(FINGER_JOINTS["Thumb"], thumb, strict=True):
            add(f"{side}Thumb{joint}", prev, (sign * (hand_x + dx), shoulder_y + dy, dz))
            prev = f"{side}Thumb{joint}"
        for finger, z, length in (
            ("Index", 0.03, 1.0), ("Middle", 0.01, 1.08), ("Ring", -0.01, 1.0),
            ("Little", -0.03, 0.82),
        ):  # fmt: skip
            x = hand_x + 0.095
            prev = hand
            for joint, step in zip(FINGER_JOINTS[finger], (0.0, 0.045, 0.03), strict=True):
                x += step * length
                add(f"{side}{finger}{joint}", prev, (sign * x, shoulder_y, z))
                prev = f"{side}{finger}{joint}"
    for side, sign in (("left", 1.0), ("right", -1.0)):
        x = 0.09 + 0.02 * build
        add(f"{side}UpperLeg", "hips", (sign * x, hip_y - 0.03, 0))
        add(f"{side}LowerLeg", f"{side}UpperLeg", (sign * x, foot_y + leg * 0.5, 0.005))
        add(f"{side}Foot", f"{side}LowerLeg", (sign * x, foot_y, -0.01))
        add(f"{side}Toes", f"{side}Foot", (sign * x, 0.02, 0.12))
    scale = proportions.height / head_top
    measures = {
        "scale": scale,
        "torso": (0.13 + 0.07 * build) * scale,
        "depth": (0.09 + 0.05 * build) * scale,
        "arm": (0.045 + 0.02 * build) * scale,
        "leg": (0.065 + 0.03 * build) * scale,
        "head": 0.115 * head * scale,
        "finger": 0.0095 * scale,
        "finger_tip": 0.022 * scale,
    }
    return _from_world(names, parents, np.array(world) * scale, "humanoid", measures)


def quadruped_skeleton(proportions: Proportions = Proportions(height=0.8)) -> Skeleton:
    """Return the Forge quadruped skeleton: spine, neck, head, four legs and a tail."""
    limb = proportions.limb_length
    names: list[str] = []
    parents: list[int] = []
    world: list[tuple[float, float, float]] = []

    def add(name: str, parent: str | None, position) -> None:
        names.append(name)
        parents.append(names.index(parent) if parent else -1)
        world.append(tuple(float(c) for c in position))

    leg = 0.5 * limb
    body_y = leg + 0.05
    add("hips", None, (0, body_y, -0.3))
    add("spine", "hips", (0, body_y + 0.02, -0.1))
    add("chest", "spine", (0, body_y + 0.03, 0.15))
    add("neck", "chest", (0, body_y + 0.08, 0.3))
    add("head", "neck", (0, body_y + 0.25, 0.42))
    prev = "hips"
    for n in range(1, 4):
        add(f"tail{n}", prev, (0, body_y + 0.02 - 0.03 * n, -0.3 - 0.14 * n))
        prev = f"tail{n}"
    for end, holder, z in (("front", "chest", 0.2), ("hind", "hips", -0.3)):
        for side, sign in (("Left", 1.0), ("Right", -1.0)):
            base = f"{end}{side}"
            add(f"{base}UpperLeg", holder, (sign * 0.1, body_y - 0.05, z))
            add(f"{base}LowerLeg", f"{base}UpperLeg", (sign * 0.1, body_y - 0.05 - leg * 0.5, z))
            add(f"{base}Foot", f"{base}LowerLeg", (sign * 0.1, 0.04, z))
    scale = proportions.height / (body_y + 0.35)
    measures = {"scale": scale, "torso": 0.14 * scale, "leg": 0.04 * scale, "head": 0.09 * scale}
    return _from_world(names, parents, np.array(world) * scale, "quadruped", measures)

"""Procedural animation clips: idle, walk, run, wave, grip and attack.

A clip holds, for one set of key times, the local rotation of every joint it animates
(relative to the skeleton's rest) and the root's translation. Looping clips end on
their first key so they play seamlessly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from pipelines.stages.character.skeleton import FINGER_JOINTS, FINGERS, Skeleton
from pipelines.stages.character.transforms import (
    IDENTITY_QUAT,
    quat_axis_angle,
    quat_mul,
    quat_normalize,
    quat_slerp,
)

HUMANOID_CLIPS = ("idle", "walk", "run", "wave", "grip", "attack")
QUADRUPED_CLIPS = ("idle", "walk", "run")
#: Clips only an armed character (holding a weapon) gets.
ARMED_CLIPS = frozenset({"attack"})
AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}


@dataclass
class Clip:
    """One animation: key times, local rotations (K, 4) by joint, root translations (K, 3)."""

    name: str
    times: np.ndarray
    rotations: dict[str, np.ndarray]
    translations: dict[str, np.ndarray] = field(default_factory=dict)
    loop: bool = True

    @property
    def duration(self) -> float:
        return float(self.times[-1])


def rot(*steps: tuple[str, float]) -> np.ndarray:
    """Return the rotation applying each (axis, degrees) step in turn, about the parent's axes."""
    q = IDENTITY_QUAT.copy()
    for axis, degrees in steps:
        q = quat_mul(quat_axis_angle(AXES[axis], degrees), q)
    return q


def clip_sample(clip: Clip, skeleton: Skeleton, time: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the skeleton's local rotations (J, 4) and root translation at `time` in `clip`."""
    times = clip.times
    time = float(np.clip(time, times[0], times[-1]))
    k = int(np.clip(np.searchsorted(times, time, side="right") - 1, 0, len(times) - 2))
    span = times[k + 1] - times[k]
    f = 0.0 if span <= 0 else (time - times[k]) / span
    local = skeleton.rotations.copy()
    for name, keys in clip.rotations.items():
        if name in skeleton.names:
            local[skeleton.index(name)] = quat_slerp(keys[k], keys[k + 1], f)
    root = skeleton.translations[0].copy()
    root_name = skeleton.names[0]
    if root_name in clip.translations:
        keys = clip.translations[root_name]
        root = keys[k] * (1 - f) + keys[k + 1] * f
    return local, root


def _make(
    name: str,
    skeleton: Skeleton,
    duration: float,
    keys: int,
    pose: Callable[[float], dict[str, np.ndarray]],
    *,
    bob: Callable[[float], float] | None = None,
    loop: bool = True,
) -> Clip:
    times = np.linspace(0.0, duration, keys)
    phases = times / duration
    frames = [pose(float(ph)) for ph in phases]
    joints = sorted({j for frame in frames for j in frame}, key=skeleton.names.index)
    rotations = {
        j: quat_normalize(np.array([frame.get(j, IDENTITY_QUAT) for frame in frames]))
        for j in joints
    }
    # Neighbouring keys take the short way round (slerp would anyway; viewers lerp).
    for keys_ in rotations.values():
        for k in range(1, len(keys_)):
            if np.dot(keys_[k], keys_[k - 1]) < 0:
                keys_[k] = -keys_[k]
    translations = {}
    if bob is not None:
        rest = skeleton.translations[0]
        scale = skeleton.measures.get("scale", 1.0)
        translations[skeleton.names[0]] = np.array(
            [rest + np.array([0.0, bob(float(ph)) * scale, 0.0]) for ph in phases]
        )
    return Clip(name, times, rotations, translations, loop)


def _fingers(side: str, curl: float, thumb: float | None = None) -> dict[str, np.ndarray]:
    """Curl every finger of `side` by `curl` degrees per joint (toward the palm, -Y at rest)."""
    sign = -1.0 if side == "left" else 1.0
    out = {}
    for finger in FINGERS:
        for k, joint in enumerate(FINGER_JOINTS[finger]):
            name = f"{side}{finger}{joint}"
            if finger == "Thumb":
                amount = (curl if thumb is None else thumb) * (0.4, 0.7, 0.7)[k]
                out[name] = rot(("x", amount))
            else:
                out[name] = rot(("z", sign * curl * (1.0, 1.1, 0.8)[k]))
    return out


def _arm(side: str, down: float, swing: float = 0.0, elbow: float = 0.0) -> dict[str, np.ndarray]:
    """Lower `side`'s arm `down` degrees from the T-pose, swing it forward, bend the elbow."""
    sign = 1.0 if side == "left" else -1.0
    return {
        f"{side}UpperArm": rot(("z", -sign * down), ("x", -swing)),
        f"{side}LowerArm": rot(("y", -sign * elbow)),
    }


def _leg(side: str, swing: float, knee: float) -> dict[str, np.ndarray]:
    """Swing `side`'s leg forward by `swing` degrees and bend its knee by `knee`."""
    return {f"{side}UpperLeg": rot(("x", -swing)), f"{side}LowerLeg": rot(("x", knee))}


def _humanoid_pose(name: str) -> tuple[float, int, Callable, Callable | None, bool]:
    tau = 2 * np.pi
    if name == "idle":

        def pose(ph):
            s = np.sin(tau * ph)
            return {
                **_arm("left", 72, 0, 8), **_arm("right", 72, 0, 8),
                "chest": rot(("x", 2.5 * s)), "head": rot(("y", 6 * s)),
                **_fingers("left", 12), **_fingers("right", 12),
            }  # fmt: skip

        return 2.0, 9, pose, None, True
    if name in ("walk", "run"):
        legs, knees, arms, elbows, lean, bob, duration = (
            (25, 35, 18, 15, 0, 0.015, 1.0) if name == "walk" else (42, 75, 35, 80, 10, 0.04, 0.6)
        )

        def pose(ph):
            s = np.sin(tau * ph)
            return {
                **_leg("left", legs * s, knees * max(0.0, -np.sin(tau * ph - 0.6))),
                **_leg("right", -legs * s, knees * max(0.0, np.sin(tau * ph - 0.6))),
                **_arm("left", 75, -arms * s, elbows), **_arm("right", 75, arms * s, elbows),
                "spine": rot(("x", lean)), "chest": rot(("y", 5 * s)),
                **_fingers("left", 20), **_fingers("right", 20),
            }  # fmt: skip

        return duration, 13, pose, (lambda ph: bob * abs(np.cos(tau * ph)) - bob), True
    if name == "wave":

        def pose(ph):
            s = np.sin(tau * ph)
            return {
                **_arm("left", 72, 0, 8),
                "rightUpperArm": rot(("z", -55)),
                "rightLowerArm": rot(("z", -50 + 22 * s)),
                "rightHand": rot(("z", 10 * s)),
                **_fingers("left", 12),
                # The waving hand opens and closes its fingers.
                **_fingers(
                    "right", 35 + 35 * np.sin(2 * tau * ph), thumb=20 + 20 * np.sin(2 * tau * ph)
                ),
            }

        return 1.2, 13, pose, None, True
    if name == "grip":

        def pose(ph):
            close = min(1.0, ph / 0.5)
            return {
                **_arm("left", 72, 0, 8), **_arm("right", 72, 10, 75 * close),
                **_fingers("left", 12), **_fingers("right", 5 + 80 * close, thumb=5 + 50 * close),
            }  # fmt: skip

        return 1.0, 5, pose, None, False
    if name == "attack":

        def pose(ph):
            # Wind up over the head, strike down and forward, recover.
            raise_, strike = np.interp(ph, [0, 0.35, 0.6, 1.0], [20, 150, 10, 20]), 0.0
            return {
                **_arm("left", 72, 0, 20),
                "rightUpperArm": rot(("z", 72), ("x", -raise_)),
                "rightLowerArm": rot(("y", np.interp(ph, [0, 0.35, 0.6, 1], [30, 60, 5, 30]))),
                "chest": rot(("y", np.interp(ph, [0, 0.35, 0.6, 1], [0, 15, -15, 0]) + strike)),
                **_fingers("left", 12),
                **_fingers("right", 80, thumb=55),
            }

        return 0.8, 9, pose, None, True
    raise ValueError(f"no clip {name!r}")


def _quadruped_pose(name: str) -> tuple[float, int, Callable, Callable | None, bool]:
    tau = 2 * np.pi
    if name == "idle":

        def pose(ph):
            s = np.sin(tau * ph)
            return {"head": rot(("y", 8 * s)), "tail1": rot(("y", 20 * s)),
                    "tail2": rot(("y", 15 * s)), "neck": rot(("x", 3 * s))}  # fmt: skip

        return 2.0, 9, pose, None, True
    swing, duration = (22, 1.0) if name == "walk" else (40, 0.5)

    def pose(ph):
        s = np.sin(tau * ph)
        out = {"tail1": rot(("y", 10 * s))}
        for base, phase in (("frontLeft", 1), ("hindRight", 1), ("frontRight", -1),
                            ("hindLeft", -1)):  # fmt: skip
            out[f"{base}UpperLeg"] = rot(("x", -swing * phase * s))
            out[f"{base}LowerLeg"] = rot(("x", swing * max(0.0, phase * np.cos(tau * ph))))
        return out

    return duration, 13, pose, (lambda ph: 0.01 * abs(np.cos(tau * ph)) - 0.01), True


def make_clip(name: str, skeleton: Skeleton) -> Clip:
    """Return the procedural clip `name` for `skeleton` (humanoid or quadruped)."""
    factory = _humanoid_pose if skeleton.kind == "humanoid" else _quadruped_pose
    allowed = HUMANOID_CLIPS if skeleton.kind == "humanoid" else QUADRUPED_CLIPS
    if name not in allowed:
        raise ValueError(f"no {skeleton.kind} clip {name!r}")
    duration, keys, pose, bob, loop = factory(name)
    return _make(name, skeleton, duration, keys, pose, bob=bob, loop=loop)

"""Evaluate a skinned character at a moment of a clip (linear blend skinning, as viewers do)."""

from __future__ import annotations

import numpy as np

from pipelines.stages.character.clips import Clip, clip_sample
from pipelines.stages.character.skeleton import Skeleton, world_pose
from pipelines.stages.character.transforms import compose


def joint_matrices(skeleton: Skeleton, local_rotations, root_translation=None) -> np.ndarray:
    """Return the posed world matrices (J, 4, 4)."""
    positions, rotations = world_pose(skeleton, local_rotations, root_translation)
    return np.stack(
        [compose(p, q, skeleton.base_scale) for p, q in zip(positions, rotations, strict=True)]
    )


def skin_matrices(skeleton: Skeleton, posed: np.ndarray) -> np.ndarray:
    """Return posed × inverse bind for each joint: what moves a bind-pose vertex."""
    return posed @ np.linalg.inv(skeleton.world_matrices())


def skin(positions, joints, weights, matrices: np.ndarray, normals=None):
    """Return skinned positions (and normals when given) by linear blend skinning."""
    blended = np.einsum("nk,nkij->nij", weights, matrices[joints])
    out = np.einsum("nij,nj->ni", blended[:, :3, :3], positions) + blended[:, :3, 3]
    if normals is None:
        return out
    n = np.einsum("nij,nj->ni", blended[:, :3, :3], normals)
    return out, n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def clip_frames(clip: Clip, *, fps: float = 30.0) -> np.ndarray:
    """Return every frame time of `clip` at `fps` plus each key time."""
    frames = np.arange(0.0, clip.duration + 1e-9, 1.0 / fps)
    return np.unique(np.concatenate([frames, clip.times]))


def pose_at(skeleton: Skeleton, clip: Clip, time: float) -> np.ndarray:
    """Return the skin matrices of `skeleton` at `time` in `clip`."""
    local, root = clip_sample(clip, skeleton, time)
    return skin_matrices(skeleton, joint_matrices(skeleton, local, root))

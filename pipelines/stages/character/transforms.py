"""Quaternion and matrix helpers for skeletons (quaternions are `x, y, z, w`, as in glTF)."""

from __future__ import annotations

import math

import numpy as np

IDENTITY_QUAT = np.array([0.0, 0.0, 0.0, 1.0])


def quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the Hamilton product `a * b` (apply `b`, then `a`); broadcasts over leading axes."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ax, ay, az, aw = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    bx, by, bz, bw = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    if a.ndim == 1 and b.ndim == 1:
        return np.array(
            [
                aw * bx + ax * bw + ay * bz - az * by,
                aw * by - ax * bz + ay * bw + az * bx,
                aw * bz + ax * by - ay * bx + az * bw,
                aw * bw - ax * bx - ay * by - az * bz,
            ]
        )
    return np.stack(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ],
        axis=-1,
    )


def quat_inv(q: np.ndarray) -> np.ndarray:
    """Return the inverse of the unit quaternion(s) `q`."""
    q = np.asarray(q, dtype=float)
    return q * np.array([-1.0, -1.0, -1.0, 1.0])


def quat_normalize(q: np.ndarray) -> np.ndarray:
    """Return `q` scaled to unit length, with `w >= 0` so equal rotations compare equal."""
    q = np.asarray(q, dtype=float)
    q = q / np.linalg.norm(q, axis=-1, keepdims=True)
    return np.where(q[..., 3:4] < 0, -q, q)


def quat_axis_angle(axis, degrees: float) -> np.ndarray:
    """Return the rotation of `degrees` about `axis`."""
    x, y, z = (float(c) for c in axis)
    norm = math.sqrt(x * x + y * y + z * z)
    half = math.radians(float(degrees)) / 2
    k = math.sin(half) / norm
    return np.array([x * k, y * k, z * k, math.cos(half)])


def quat_euler(x: float = 0.0, y: float = 0.0, z: float = 0.0) -> np.ndarray:
    """Return the rotation about X, then Y, then Z by the given degrees (extrinsic XYZ)."""
    qx = quat_axis_angle((1, 0, 0), x)
    qy = quat_axis_angle((0, 1, 0), y)
    qz = quat_axis_angle((0, 0, 1), z)
    return quat_mul(qz, quat_mul(qy, qx))


def quat_rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vector(s) `v` by quaternion(s) `q`."""
    q = np.asarray(q, dtype=float)
    v = np.asarray(v, dtype=float)
    u = q[..., :3]
    w = q[..., 3:4]
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """Return the 3x3 rotation matrix of unit quaternion(s) `q`."""
    x, y, z, w = np.moveaxis(np.asarray(q, dtype=float), -1, 0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=-2,
    )


def matrix_to_quat(m: np.ndarray) -> np.ndarray:
    """Return the unit quaternion of the 3x3 rotation matrix `m` (scale removed first)."""
    m = np.asarray(m, dtype=float)
    m = m / np.linalg.norm(m, axis=0, keepdims=True)
    trace = m[0, 0] + m[1, 1] + m[2, 2]
    if trace > 0:
        s = np.sqrt(trace + 1.0) * 2
        q = [(m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, s / 4]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = np.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = [s / 4, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s, (m[2, 1] - m[1, 2]) / s]
    elif m[1, 1] > m[2, 2]:
        s = np.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = [(m[0, 1] + m[1, 0]) / s, s / 4, (m[1, 2] + m[2, 1]) / s, (m[0, 2] - m[2, 0]) / s]
    else:
        s = np.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = [(m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, s / 4, (m[1, 0] - m[0, 1]) / s]
    return quat_normalize(np.array(q))


def quat_between(a, b) -> np.ndarray:
    """Return the shortest-arc rotation turning direction `a` into direction `b`."""
    a = np.asarray(a, dtype=float) / np.linalg.norm(a)
    b = np.asarray(b, dtype=float) / np.linalg.norm(b)
    d = float(np.dot(a, b))
    if d < -0.999999:
        axis = np.cross(a, (1.0, 0.0, 0.0))
        if np.linalg.norm(axis) < 1e-6:
            axis = np.cross(a, (0.0, 1.0, 0.0))
        return quat_axis_angle(axis, 180.0)
    q = np.array([*np.cross(a, b), 1.0 + d])
    return q / np.linalg.norm(q)


def quat_slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Return the spherical interpolation from `a` to `b` at `t` in [0, 1], along the short way."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    dot = np.sum(a * b, axis=-1, keepdims=True)
    b = np.where(dot < 0, -b, b)
    dot = np.abs(dot)
    theta = np.arccos(np.clip(dot, -1.0, 1.0))
    sin = np.sin(theta)
    near = sin < 1e-6
    safe = np.where(near, 1.0, sin)
    wa = np.where(near, 1 - t, np.sin((1 - t) * theta) / safe)
    wb = np.where(near, t, np.sin(t * theta) / safe)
    out = wa * a + wb * b
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def quat_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the angle in degrees between rotations `a` and `b`."""
    dot = np.abs(np.sum(np.asarray(a) * np.asarray(b), axis=-1))
    return np.degrees(2 * np.arccos(np.clip(dot, -1.0, 1.0)))


def compose(translation, rotation, scale: float = 1.0) -> np.ndarray:
    """Return the 4x4 matrix T * R * S."""
    m = np.eye(4)
    m[:3, :3] = quat_to_matrix(rotation) * scale
    m[:3, 3] = translation
    return m

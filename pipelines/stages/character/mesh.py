"""Skinned mesh pieces: capsules along bones with smooth weights, merged per material."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_INFLUENCES = 4
# Over this share of a segment's length at each end, weights blend half-way into the
# neighbouring joint, so two segments meeting at a joint share its weights exactly.
BLEND = 0.2


@dataclass
class Piece:
    """One skinned (or rigid) triangle mesh with one material.

    `joints`/`weights` are (N, 4); a rigid piece has them all on its one joint.
    """

    material: str
    positions: np.ndarray
    indices: np.ndarray
    joints: np.ndarray
    weights: np.ndarray
    normals: np.ndarray | None = None

    def with_normals(self) -> Piece:
        if self.normals is None:
            self.normals = vertex_normals(self.positions, self.indices)
        return self


def vertex_normals(positions: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Return area-weighted unit vertex normals."""
    tri = positions[indices]
    face = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    normals = np.zeros_like(positions)
    for k in range(3):
        np.add.at(normals, indices[:, k], face)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    fallback = np.tile([0.0, 1.0, 0.0], (len(positions), 1))
    return np.where(length > 1e-12, normals / np.maximum(length, 1e-12), fallback)


def _frame(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ref = np.array([0.0, 0.0, 1.0]) if abs(d[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(d, ref)
    u /= np.linalg.norm(u)
    return u, np.cross(d, u)


def capsule(
    a, b, r0: float, r1: float, *, sides: int, rings: int, aspect: float = 1.0, caps: float = 0.9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return positions, triangles and the axial parameter t (0 at `a`, 1 at `b`) of a capsule.

    The cross-section is an ellipse (`aspect` = its second radius over its first); both ends
    are half-ellipsoids `caps` × the radius deep, closed by one pole vertex each.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    length = float(np.linalg.norm(b - a))
    d = (b - a) / length
    u, v = _frame(d)
    e0, e1 = caps * r0, caps * r1
    profile = [(-e0 * np.cos(p), r0 * np.sin(p)) for p in np.radians((35.0, 65.0))]
    profile += [(x, r0 + (r1 - r0) * x / length) for x in np.linspace(0, length, rings + 1)]
    profile += [(length + e1 * np.cos(p), r1 * np.sin(p)) for p in np.radians((65.0, 35.0))]
    theta = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    ring = np.cos(theta)[:, None] * u + aspect * np.sin(theta)[:, None] * v
    positions = [a + d * (-e0)]
    params = [0.0]
    for x, r in profile:
        positions.extend(a + d * x + r * ring)
        params.extend([x / length] * sides)
    positions.append(a + d * (length + e1))
    params.append(1.0)
    count = len(profile)
    faces = []
    last = 1 + count * sides
    for s in range(sides):
        n = (s + 1) % sides
        faces.append((0, 1 + n, 1 + s))
        faces.append((last, 1 + (count - 1) * sides + s, 1 + (count - 1) * sides + n))
        for k in range(count - 1):
            p0, p1 = 1 + k * sides, 1 + (k + 1) * sides
            faces.append((p0 + s, p0 + n, p1 + n))
            faces.append((p0 + s, p1 + n, p1 + s))
    positions = np.array(positions)
    faces = np.array(faces, dtype=np.int64)
    # Winding: outward normals point away from the axis.
    tri = positions[faces[2]]
    normal = np.cross(tri[1] - tri[0], tri[2] - tri[0])
    centre = a + d * np.dot(tri[0] - a, d)
    if np.dot(normal, tri[0] - centre) < 0:
        faces = faces[:, ::-1]
    return positions, faces, np.clip(np.array(params), 0.0, 1.0)


def segment_weights(
    t: np.ndarray, bone: int, *, parent: int | None = None, child: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return (N, 4) joints and weights: `bone`, blended half-way to `parent`/`child` at the ends."""
    n = len(t)
    joints = np.zeros((n, MAX_INFLUENCES), dtype=np.uint16)
    weights = np.zeros((n, MAX_INFLUENCES))
    joints[:, 0] = bone
    w_child = np.zeros(n)
    w_parent = np.zeros(n)
    if child is not None:
        w_child = 0.5 * np.clip((t - (1 - BLEND)) / BLEND, 0.0, 1.0)
        joints[:, 1] = child
    if parent is not None:
        w_parent = 0.5 * np.clip((BLEND - t) / BLEND, 0.0, 1.0)
        joints[:, 2] = parent
    weights[:, 0] = 1.0 - w_child - w_parent
    weights[:, 1] = w_child
    weights[:, 2] = w_parent
    return joints, weights


def rigid(material: str, positions, indices, joint: int) -> Piece:
    """Return a piece bound entirely to `joint`."""
    n = len(positions)
    joints = np.zeros((n, MAX_INFLUENCES), dtype=np.uint16)
    joints[:, 0] = joint
    weights = np.zeros((n, MAX_INFLUENCES))
    weights[:, 0] = 1.0
    return Piece(material, np.asarray(positions, float), np.asarray(indices), joints, weights)


def merge(pieces: list[Piece]) -> list[Piece]:
    """Merge pieces sharing a material into one piece each, keeping first-seen material order."""
    order: list[str] = []
    groups: dict[str, list[Piece]] = {}
    for piece in pieces:
        if piece.material not in groups:
            order.append(piece.material)
            groups[piece.material] = []
        groups[piece.material].append(piece.with_normals())
    merged = []
    for material in order:
        group = groups[material]
        offsets = np.cumsum([0] + [len(p.positions) for p in group[:-1]])
        merged.append(
            Piece(
                material,
                np.concatenate([p.positions for p in group]),
                np.concatenate([p.indices + o for p, o in zip(group, offsets, strict=True)]),
                np.concatenate([p.joints for p in group]),
                np.concatenate([p.weights for p in group]),
                np.concatenate([p.normals for p in group]),
            )
        )
    return merged


def normalize_weights(joints: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return weights summing to 1 in float32, unused slots on joint 0 with weight 0."""
    weights = np.where(weights > 1e-6, weights, 0.0)
    joints = np.where(weights > 0, joints, 0).astype(np.uint16)
    weights = weights.astype(np.float32)
    weights /= weights.sum(axis=1, keepdims=True)
    # Push the float32 rounding residue into the largest weight so each row sums to 1.
    residue = np.float32(1.0) - weights.sum(axis=1, dtype=np.float32)
    top = np.argmax(weights, axis=1)
    weights[np.arange(len(weights)), top] += residue
    return joints, weights


def tube(
    a, b, r0: float, r1: float, *, t0: float, t1: float, sides: int, rings: int,
    aspect: float = 1.0, keep=None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Return an open tube over `t0..t1` of the capsule `a`→`b` (same frame as `capsule`).

    `keep(direction)` may drop the faces whose radial direction it rejects (a half shell).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    length = float(np.linalg.norm(b - a))
    d = (b - a) / length
    u, v = _frame(d)
    theta = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    ring = np.cos(theta)[:, None] * u + aspect * np.sin(theta)[:, None] * v
    positions = []
    for t in np.linspace(t0, t1, rings + 1):
        r = r0 + (r1 - r0) * t
        positions.extend(a + d * (t * length) + r * ring)
    faces = []
    for k in range(rings):
        for s in range(sides):
            n = (s + 1) % sides
            p0, p1 = k * sides, (k + 1) * sides
            if keep is not None and not (keep(ring[s]) and keep(ring[n])):
                continue
            faces.append((p0 + s, p0 + n, p1 + n))
            faces.append((p0 + s, p1 + n, p1 + s))
    positions = np.array(positions)
    faces = np.array(faces, dtype=np.int64)
    tri = positions[faces[0]]
    normal = np.cross(tri[1] - tri[0], tri[2] - tri[0])
    centre = a + d * np.dot(tri[0] - a, d)
    if np.dot(normal, tri[0] - centre) < 0:
        faces = faces[:, ::-1]
    used = np.unique(faces)
    remap = np.full(len(positions), -1)
    remap[used] = np.arange(len(used))
    return positions[used], remap[faces]

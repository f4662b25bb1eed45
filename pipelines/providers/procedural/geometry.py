"""Triangle-mesh primitives, transforms, normals and voxelisation, all in numpy.

Every primitive returns a `Shape` (vertices, triangle indices). Hard edges are encoded by
duplicated vertices, so averaging face normals per vertex gives smooth surfaces where the
shape is smooth and crisp creases where it is not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

F64 = np.float64


@dataclass
class Shape:
    """Hold vertices (N, 3) and triangles (M, 3) of one primitive or a merged group."""

    v: np.ndarray
    f: np.ndarray

    def copy(self) -> Shape:
        """Return a deep copy."""
        return Shape(self.v.copy(), self.f.copy())

    def transformed(self, m: np.ndarray) -> Shape:
        """Return the shape with the 4x4 matrix `m` applied to its vertices."""
        v = self.v @ m[:3, :3].T + m[:3, 3]
        f = self.f
        if np.linalg.det(m[:3, :3]) < 0:
            f = f[:, ::-1]
        return Shape(v, f.copy())

    def moved(self, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> Shape:
        """Return the shape translated by (x, y, z)."""
        return Shape(self.v + np.array([x, y, z], dtype=F64), self.f.copy())

    def scaled(self, sx: float, sy: float | None = None, sz: float | None = None) -> Shape:
        """Return the shape scaled per axis about the origin."""
        sy = sx if sy is None else sy
        sz = sx if sz is None else sz
        return self.transformed(scale(sx, sy, sz))

    def rotated(self, axis: str, degrees: float) -> Shape:
        """Return the shape rotated about a principal axis through the origin."""
        return self.transformed(rotation(axis, degrees))


def merge(shapes: list[Shape]) -> Shape:
    """Concatenate shapes into one."""
    vs, fs, off = [], [], 0
    for s in shapes:
        vs.append(s.v)
        fs.append(s.f + off)
        off += len(s.v)
    return Shape(np.concatenate(vs), np.concatenate(fs).astype(np.int64))


def scale(sx: float, sy: float, sz: float) -> np.ndarray:
    """Return a 4x4 scale matrix."""
    return np.diag([sx, sy, sz, 1.0]).astype(F64)


def rotation(axis: str, degrees: float) -> np.ndarray:
    """Return a 4x4 rotation matrix about the x, y or z axis."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    m = np.eye(4, dtype=F64)
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def box(sx: float, sy: float, sz: float) -> Shape:
    """Return an axis-aligned box of the given size centred on the origin."""
    h = np.array([sx, sy, sz], dtype=F64) / 2
    faces = []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            u, w = [a for a in range(3) if a != axis]
            quad = []
            for du, dw in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                p = np.zeros(3)
                p[axis] = sign * h[axis]
                p[u] = du * h[u]
                p[w] = dw * h[w]
                quad.append(p)
            faces.append(quad)
    v = np.array(faces, dtype=F64).reshape(-1, 3)
    f = []
    for q in range(6):
        b = q * 4
        f += [[b, b + 1, b + 2], [b, b + 2, b + 3]]
    shape = Shape(v, np.array(f, dtype=np.int64))
    return orient_outward(shape)


def orient_outward(shape: Shape, center: np.ndarray | None = None) -> Shape:
    """Flip triangles whose normal points towards `center` (convex shapes only)."""
    c = shape.v.mean(axis=0) if center is None else center
    tri = shape.v[shape.f]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    inward = np.einsum("ij,ij->i", n, tri.mean(axis=1) - c) < 0
    f = shape.f.copy()
    f[inward] = f[inward][:, ::-1]
    return Shape(shape.v, f)


def lathe(
    profile: list[tuple[float, float]],
    segments: int,
    *,
    cap_bottom: bool = True,
    cap_top: bool = True,
    phase: float = 0.0,
) -> Shape:
    """Revolve a (radius, y) profile, listed bottom to top, about the Y axis.

    A profile point with radius 0 becomes a pole; a repeated point makes a crease; open
    ends are closed with flat caps when requested.
    """
    segments = max(3, int(segments))
    ang = phase + np.arange(segments) * (2 * math.pi / segments)
    ca, sa = np.cos(ang), np.sin(ang)
    verts: list[np.ndarray] = []
    faces: list[np.ndarray] = []
    count = 0
    rings: list[tuple[int, bool]] = []  # (start index, is_pole)
    for r, y in profile:
        if r <= 1e-9:
            verts.append(np.array([[0.0, y, 0.0]]))
            rings.append((count, True))
            count += 1
        else:
            verts.append(np.stack([r * ca, np.full(segments, y), r * sa], axis=1))
            rings.append((count, False))
            count += segments
    k = np.arange(segments)
    k1 = (k + 1) % segments
    for i in range(len(profile) - 1):
        (a, pa), (b, pb) = rings[i], rings[i + 1]
        if profile[i] == profile[i + 1] or (pa and pb):
            continue
        if pa:
            faces.append(np.stack([np.full(segments, a), b + k, b + k1], axis=1))
        elif pb:
            faces.append(np.stack([a + k, np.full(segments, b), a + k1], axis=1))
        else:
            faces.append(np.stack([a + k, b + k1, a + k1], axis=1))
            faces.append(np.stack([a + k, b + k, b + k1], axis=1))
    for end, is_top in ((0, False), (len(profile) - 1, True)):
        r, y = profile[end]
        if r <= 1e-9 or not (cap_top if is_top else cap_bottom):
            continue
        ring = np.stack([r * ca, np.full(segments, y), r * sa], axis=1)
        center = count
        verts.append(np.array([[0.0, y, 0.0]]))
        verts.append(ring)
        start = count + 1
        count += 1 + segments
        if is_top:
            faces.append(np.stack([np.full(segments, center), start + k1, start + k], axis=1))
        else:
            faces.append(np.stack([np.full(segments, center), start + k, start + k1], axis=1))
    return Shape(np.concatenate(verts), np.concatenate(faces).astype(np.int64))


def cylinder(radius: float, height: float, segments: int, top_radius: float | None = None) -> Shape:
    """Return a capped cylinder (or frustum) standing on y=0."""
    tr = radius if top_radius is None else top_radius
    return lathe([(radius, 0.0), (tr, height)], segments)


def cone(radius: float, height: float, segments: int) -> Shape:
    """Return a cone standing on y=0 with its apex at y=height."""
    return lathe([(radius, 0.0), (0.0, height)], segments)


def sphere(radius: float, segments: int, rings: int | None = None) -> Shape:
    """Return a UV sphere centred on the origin."""
    rings = max(2, rings or segments // 2)
    prof = []
    for i in range(rings + 1):
        t = math.pi * i / rings
        prof.append((radius * math.sin(t), -radius * math.cos(t)))
    prof[0] = (0.0, -radius)
    prof[-1] = (0.0, radius)
    return lathe(prof, segments)


def capsule(radius: float, length: float, segments: int) -> Shape:
    """Return a capsule along Y from y=0 to y=length (total length, caps included)."""
    body = max(0.0, length - 2 * radius)
    half = max(2, segments // 4)
    prof = [(0.0, 0.0)]
    for i in range(1, half + 1):
        t = (math.pi / 2) * i / half
        prof.append((radius * math.sin(t), radius - radius * math.cos(t)))
    for i in range(0, half):
        t = (math.pi / 2) * i / half
        prof.append((radius * math.cos(t), radius + body + radius * math.sin(t)))
    prof.append((0.0, 2 * radius + body))
    return lathe(prof, segments)


def torus(radius: float, tube: float, segments: int, tube_segments: int | None = None) -> Shape:
    """Return a torus around the Y axis."""
    ts = max(3, tube_segments or segments // 2)
    prof = []
    for i in range(ts + 1):
        t = 2 * math.pi * i / ts - math.pi / 2
        prof.append((radius + tube * math.cos(t), tube * math.sin(t)))
    s = lathe(prof, segments, cap_bottom=False, cap_top=False)
    # Fuse the duplicated start/end ring so the tube closes without a seam.
    n = segments
    last = len(prof) - 1
    f = s.f.copy()
    f[f >= last * n] -= last * n
    return Shape(s.v[: last * n], f)


def along_x(shape: Shape) -> Shape:
    """Lay a Y-axis shape along +X."""
    return shape.rotated("z", -90)


def along_z(shape: Shape) -> Shape:
    """Lay a Y-axis shape along +Z."""
    return shape.rotated("x", 90)


def gem(radius: float, facets: int = 6) -> Shape:
    """Return a cut gem (a faceted double cone, crown up) centred on the origin."""
    return lathe(
        [(0.0, -radius), (radius, 0.0), (radius * 0.6, radius * 0.45), (0.0, radius * 0.45)],
        facets,
    )


def around(shape: Shape, count: int, radius: float, phase: float = 0.0) -> list[Shape]:
    """Return `count` copies of `shape` spaced evenly on a circle of `radius` about Y."""
    return [
        shape.moved(z=radius).rotated("y", phase + 360.0 * k / max(1, count)) for k in range(count)
    ]


def gear(radius: float, thickness: float, teeth: int = 10) -> Shape:
    """Return a flat toothed gear in the XY plane, centred on the origin."""
    pts = []
    for k in range(teeth * 2):
        a = math.pi * k / teeth
        r = radius if k % 2 == 0 else radius * 0.8
        for da in (-0.25, 0.25):
            t = a + da * math.pi / teeth
            pts.append((r * math.cos(t), r * math.sin(t)))
    return extrude(pts, thickness)


def sheet(points: list[tuple[float, float]], thickness: float = 0.01) -> Shape:
    """Return a thin flat panel (wing, fin, sail, leaf) from an outline in the XY plane."""
    return extrude(points, thickness)


def _triangulate(poly: np.ndarray) -> list[tuple[int, int, int]]:
    """Ear-clip a simple counter-clockwise polygon."""
    idx = list(range(len(poly)))
    tris: list[tuple[int, int, int]] = []

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    guard = 0
    while len(idx) > 3 and guard < 10000:
        guard += 1
        for j in range(len(idx)):
            i0, i1, i2 = idx[j - 1], idx[j], idx[(j + 1) % len(idx)]
            a, b, c = poly[i0], poly[i1], poly[i2]
            if cross(a, b, c) <= 1e-12:
                continue
            inside = False
            for k in idx:
                if k in (i0, i1, i2):
                    continue
                p = poly[k]
                if cross(a, b, p) >= 0 and cross(b, c, p) >= 0 and cross(c, a, p) >= 0:
                    inside = True
                    break
            if not inside:
                tris.append((i0, i1, i2))
                idx.pop(j)
                break
        else:
            break
    if len(idx) == 3:
        tris.append((idx[0], idx[1], idx[2]))
    return tris


def extrude(points: list[tuple[float, float]], depth: float) -> Shape:
    """Extrude a simple 2D polygon in the XY plane along Z, centred on z=0."""
    p = np.array(points, dtype=F64)
    area = 0.5 * np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])
    if area < 0:
        p = p[::-1]
    n = len(p)
    tris = np.array(_triangulate(p), dtype=np.int64)
    h = depth / 2
    front = np.column_stack([p, np.full(n, h)])
    back = np.column_stack([p, np.full(n, -h)])
    verts = [front, back]
    faces = [tris, tris[:, ::-1] + n]
    base = 2 * n
    for i in range(n):
        j = (i + 1) % n
        quad = np.array([back[i], back[j], front[j], front[i]])
        verts.append(quad)
        faces.append(np.array([[base, base + 1, base + 2], [base, base + 2, base + 3]]))
        base += 4
    return Shape(np.concatenate(verts), np.concatenate(faces).astype(np.int64))


def tube_path(points: list[tuple[float, float, float]], radius: float, segments: int) -> Shape:
    """Sweep a circle of `radius` along a polyline (for bows, handles and branches)."""
    pts = np.array(points, dtype=F64)
    segments = max(3, segments)
    ang = np.arange(segments) * (2 * math.pi / segments)
    rings = []
    up = np.array([0.0, 0.0, 1.0])
    for i, p in enumerate(pts):
        t = pts[min(i + 1, len(pts) - 1)] - pts[max(i - 1, 0)]
        t /= np.linalg.norm(t)
        ref = up if abs(t @ up) < 0.9 else np.array([1.0, 0.0, 0.0])
        a = np.cross(t, ref)
        a /= np.linalg.norm(a)
        b = np.cross(t, a)
        rings.append(p + radius * (np.outer(np.cos(ang), a) + np.outer(np.sin(ang), b)))
    v = np.concatenate(rings + [pts[:1], pts[-1:]])
    k = np.arange(segments)
    k1 = (k + 1) % segments
    faces = []
    for i in range(len(pts) - 1):
        a, b = i * segments, (i + 1) * segments
        faces.append(np.stack([a + k, b + k, b + k1], axis=1))
        faces.append(np.stack([a + k, b + k1, a + k1], axis=1))
    sides = np.concatenate(faces)
    # The ring winding depends on the frame handedness; make the first side face outwards.
    tri = v[sides[0]]
    n = np.cross(tri[1] - tri[0], tri[2] - tri[0])
    if n @ (tri.mean(axis=0) - pts[0:2].mean(axis=0)) < 0:
        sides = sides[:, ::-1]
    c0, c1 = len(v) - 2, len(v) - 1
    last = (len(pts) - 1) * segments
    caps = []
    for center, start, outward in ((c0, 0, pts[0] - pts[1]), (c1, last, pts[-1] - pts[-2])):
        fan = np.stack([np.full(segments, center), start + k, start + k1], axis=1)
        t = v[fan[0]]
        if np.cross(t[1] - t[0], t[2] - t[0]) @ outward < 0:
            fan = fan[:, ::-1]
        caps.append(fan)
    return Shape(v, np.concatenate([sides, *caps]).astype(np.int64))


def icosphere_rock(radius: float, detail: int, rng: np.random.Generator, rough: float) -> Shape:
    """Return a jagged rock: a subdivided icosahedron with seeded radial noise."""
    t = (1 + 5**0.5) / 2
    v = np.array(
        [
            [-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0],
            [0, -1, t], [0, 1, t], [0, -1, -t], [0, 1, -t],
            [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1],
        ],
        dtype=F64,
    )  # fmt: skip
    f = np.array(
        [
            [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11],
            [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6], [7, 1, 8],
            [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9],
            [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
        ],
        dtype=np.int64,
    )  # fmt: skip
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    for _ in range(detail):
        edges = np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1)
        uniq, inv = np.unique(edges, axis=0, return_inverse=True)
        mids = v[uniq[:, 0]] + v[uniq[:, 1]]
        mids /= np.linalg.norm(mids, axis=1, keepdims=True)
        m = inv.reshape(3, -1).T + len(v)
        v = np.concatenate([v, mids])
        a, b, c = f[:, 0], f[:, 1], f[:, 2]
        ab, bc, ca = m[:, 0], m[:, 1], m[:, 2]
        f = np.concatenate(
            [np.stack(x, axis=1) for x in ((a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca))]
        )
    # Low-frequency lumps from a few random directions keep the rock coherent, not spiky.
    dirs = rng.normal(size=(6, 3))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    amp = rng.uniform(-1, 1, size=6) * rough
    r = 1 + (np.maximum(v @ dirs.T, 0) ** 2 * amp).sum(axis=1)
    r += rng.uniform(-rough * 0.15, rough * 0.15, size=len(v))
    return Shape(v * (radius * r)[:, None], f)


@dataclass
class Part:
    """One named piece of an object: geometry, material key and shading."""

    name: str
    shape: Shape
    material: str
    flat: bool = False
    meta: dict = field(default_factory=dict)


@dataclass
class MeshData:
    """Hold render-ready arrays of one part."""

    name: str
    material: str
    positions: np.ndarray  # float32 (N, 3)
    normals: np.ndarray  # float32 (N, 3)
    uvs: np.ndarray  # float32 (N, 2)
    indices: np.ndarray  # uint32 (M*3,)


def _drop_degenerate(shape: Shape) -> Shape:
    tri = shape.v[shape.f]
    n = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    keep = np.linalg.norm(n, axis=1) > 1e-12
    return Shape(shape.v, shape.f[keep])


def _unit(n: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    length = np.linalg.norm(n, axis=1, keepdims=True)
    bad = length[:, 0] < 1e-12
    out = n / np.where(length < 1e-12, 1.0, length)
    out[bad] = [0.0, 1.0, 0.0] if fallback is None else fallback[bad]
    return out


def _uvs(pos: np.ndarray, nrm: np.ndarray) -> np.ndarray:
    """Project positions on the plane facing each vertex normal (1 repeat per 0.5 m)."""
    axis = np.argmax(np.abs(nrm), axis=1)
    u = np.where(axis == 0, pos[:, 2], pos[:, 0])
    v = np.where(axis == 1, pos[:, 2], pos[:, 1])
    return np.stack([u, -v], axis=1) * 2.0


def finish(part: Part, flat: bool) -> MeshData:
    """Compute normals and UVs for a part, unwelding vertices when shading is flat."""
    shape = _drop_degenerate(part.shape)
    v, f = shape.v, shape.f
    tri = v[f]
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    if flat or part.flat:
        pos = tri.reshape(-1, 3)
        nrm = np.repeat(_unit(fn), 3, axis=0)
        idx = np.arange(len(pos), dtype=np.uint32)
    else:
        used = np.unique(f)
        remap = np.full(len(v), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        pos = v[used]
        f2 = remap[f]
        acc = np.zeros_like(pos)
        for c in range(3):
            np.add.at(acc, f2[:, c], fn)
        nrm = _unit(acc)
        idx = f2.reshape(-1).astype(np.uint32)
    pos32 = pos.astype(np.float32)
    nrm32 = _unit(nrm.astype(np.float32).astype(F64)).astype(np.float32)
    return MeshData(part.name, part.material, pos32, nrm32, _uvs(pos, nrm).astype(np.float32), idx)


def _enclosed(cells: np.ndarray, dims: np.ndarray) -> np.ndarray:
    """Return grid keys of empty cells no path from outside reaches (hollow interiors)."""
    solid = np.zeros(tuple(int(d) for d in dims), dtype=bool)
    solid[cells[:, 0], cells[:, 1], cells[:, 2]] = True
    outside = np.zeros_like(solid)
    outside[0, :, :] = outside[-1, :, :] = True
    outside[:, 0, :] = outside[:, -1, :] = True
    outside[:, :, 0] = outside[:, :, -1] = True
    outside &= ~solid
    while True:
        grown = outside.copy()
        grown[1:] |= outside[:-1]
        grown[:-1] |= outside[1:]
        grown[:, 1:] |= outside[:, :-1]
        grown[:, :-1] |= outside[:, 1:]
        grown[:, :, 1:] |= outside[:, :, :-1]
        grown[:, :, :-1] |= outside[:, :, 1:]
        grown &= ~solid
        if (grown == outside).all():
            break
        outside = grown
    inside = np.argwhere(~solid & ~outside)
    return (inside[:, 0] * dims[1] + inside[:, 1]) * dims[2] + inside[:, 2]


_DIRS = np.array(
    [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=np.int64
)


def voxelize(parts: list[Part], pitch: float) -> list[Part]:
    """Rebuild parts as cubes of size `pitch` on a shared grid.

    Later parts claim shared cells first: builders add details (hoops, bands, eyes) after bodies.
    """
    shapes = [_drop_degenerate(p.shape) for p in parts]
    allv = np.concatenate([s.v for s in shapes])
    lo = np.floor(allv.min(axis=0) / pitch + 1e-9).astype(np.int64) - 1
    dims = np.floor(allv.max(axis=0) / pitch + 1e-9).astype(np.int64) - lo + 2

    def encode(c: np.ndarray) -> np.ndarray:
        return ((c[:, 0] - lo[0]) * dims[1] + (c[:, 1] - lo[1])) * dims[2] + (c[:, 2] - lo[2])

    keys_all, owner_all = [], []
    for pi, shape in enumerate(shapes):
        tri = shape.v[shape.f]
        if not len(tri):
            continue
        edge = np.max(np.linalg.norm(tri - np.roll(tri, 1, axis=1), axis=2), axis=1)
        steps = np.clip(np.ceil(edge / (pitch * 0.75)).astype(np.int64), 1, 256)
        pts = [shape.v]
        for n in np.unique(steps):
            sel = tri[steps == n]
            ii, jj = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
            m = (ii + jj) <= n
            w = np.stack([ii[m] / n, jj[m] / n, 1 - ii[m] / n - jj[m] / n], axis=1)
            pts.append(np.einsum("kc,tcd->tkd", w, sel).reshape(-1, 3))
        cells = np.floor(np.concatenate(pts) / pitch + 1e-9).astype(np.int64)
        keys = np.unique(encode(cells))
        keys_all.append(keys)
        owner_all.append(np.full(len(keys), pi, dtype=np.int64))
    if not keys_all:
        return []
    key = np.concatenate(keys_all)
    owner = np.concatenate(owner_all)
    # Reverse so np.unique's first occurrence is the last part that touched a cell.
    key, owner = key[::-1], owner[::-1]
    _, first = np.unique(key, return_index=True)
    first.sort()
    key, owner = key[first], owner[first]
    cz = key % dims[2]
    cy = (key // dims[2]) % dims[1]
    cx = key // (dims[1] * dims[2])
    cells = np.stack([cx, cy, cz], axis=1) + lo
    occupied = np.sort(np.concatenate([key, _enclosed(cells - lo, dims)]))
    out: list[Part] = []
    corner = {
        0: [(1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)],
        1: [(0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0)],
        2: [(0, 1, 0), (0, 1, 1), (1, 1, 1), (1, 1, 0)],
        3: [(0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)],
        4: [(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)],
        5: [(0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0)],
    }
    for pi, part in enumerate(parts):
        mine = cells[owner == pi]
        if not len(mine):
            continue
        verts, faces, base = [], [], 0
        for d in range(6):
            nb = mine + _DIRS[d]
            nk = ((nb[:, 0] - lo[0]) * dims[1] + (nb[:, 1] - lo[1])) * dims[2] + (nb[:, 2] - lo[2])
            pos = np.searchsorted(occupied, nk)
            pos = np.clip(pos, 0, len(occupied) - 1)
            exposed = mine[occupied[pos] != nk]
            if not len(exposed):
                continue
            q = np.array(corner[d], dtype=F64)
            quad = (exposed[:, None, :] + q[None]) * pitch  # (E, 4, 3)
            verts.append(quad.reshape(-1, 3))
            e = len(exposed)
            b = base + np.arange(e)[:, None] * 4
            faces.append(np.concatenate([b + [0, 1, 2], b + [0, 2, 3]], axis=0))
            base += e * 4
        if verts:
            shape = Shape(np.concatenate(verts), np.concatenate(faces).astype(np.int64))
            out.append(Part(part.name, shape, part.material, flat=True, meta=part.meta))
    return out

"""Armor fitted to a character's body, and the rule that checks the fit through every clip.

Worn pieces are offset shells of the body region they cover, so they follow its shape at
any proportions: hard pieces on one bone (helmet, pauldrons, gauntlets, greaves) attach
rigidly to that bone; the breastplate crosses the spine joints, so it is skinned with the
weights of the body vertices it was grown from. The shield is strapped to the left
forearm and the weapon held in the right hand. A piece from the gallery takes the place
(box) of the generated one for its slot, scaled to it and pushed out of the body.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.stages.character.body import body_segments
from pipelines.stages.character.clips import Clip
from pipelines.stages.character.mesh import Piece, capsule, rigid, tube
from pipelines.stages.character.pose import clip_frames, pose_at, skin
from pipelines.stages.character.skeleton import Skeleton

ARMOR_SLOTS = ("helmet", "breastplate", "pauldrons", "gauntlets", "greaves", "shield", "weapon")
#: Slots whose pieces are held or strapped on rather than worn over the body's surface.
HELD_SLOTS = frozenset({"shield", "weapon"})


@dataclass
class ArmorPiece:
    """One fitted piece: its mesh, the bone it rides (None = skinned) and the region it covers."""

    slot: str
    name: str
    piece: Piece
    bone: int | None
    #: Body vertex indices (into the merged body) this piece was fitted on.
    region: np.ndarray
    clearance: float


@dataclass(frozen=True)
class ArmorMesh:
    """Geometry of a gallery armor or weapon asset, in its own space."""

    positions: np.ndarray
    triangles: np.ndarray


def _body_arrays(body: list[Piece]) -> dict[str, np.ndarray]:
    offsets = np.cumsum([0] + [len(p.positions) for p in body[:-1]])
    material = np.concatenate([[p.material] * len(p.positions) for p in body])
    return {
        "positions": np.concatenate([p.positions for p in body]),
        "normals": np.concatenate([p.with_normals().normals for p in body]),
        "joints": np.concatenate([p.joints for p in body]),
        "weights": np.concatenate([p.weights for p in body]),
        "indices": np.concatenate([p.indices + o for p, o in zip(body, offsets, strict=True)]),
        "material": material,
    }


def _shell(
    b: dict[str, np.ndarray], mask: np.ndarray, offset: float, material: str
) -> tuple[Piece, np.ndarray]:
    """Return the body faces inside `mask`, pushed out `offset` along the normals, and their vertices."""
    faces = b["indices"][mask[b["indices"]].all(axis=1)]
    used = np.unique(faces)
    remap = np.full(len(b["positions"]), -1)
    remap[used] = np.arange(len(used))
    positions = b["positions"][used] + b["normals"][used] * offset
    piece = Piece(material, positions, remap[faces], b["joints"][used], b["weights"][used])
    return piece, used


def _neighbourhood(skeleton: Skeleton, b, joints: set[int]) -> np.ndarray:
    """Return the body triangles on `joints` and the joints next to them (parent, children)."""
    near = set(joints)
    for j in joints:
        near |= set(skeleton.children(j))
        if skeleton.parents[j] >= 0:
            near.add(skeleton.parents[j])
    inside = np.isin(_dominant(b), sorted(near))
    return b["indices"][inside[b["indices"]].any(axis=1)]


def _piece_joints(skeleton: Skeleton, item: ArmorPiece) -> set[int]:
    if item.bone is not None:
        return {item.bone}
    return {int(j) for j in np.unique(item.piece.joints[item.piece.weights > 0])}


def _dominant(b: dict[str, np.ndarray]) -> np.ndarray:
    return b["joints"][np.arange(len(b["joints"])), np.argmax(b["weights"], axis=1)]


def fit_armor(
    skeleton: Skeleton,
    body: list[Piece],
    slots: list[str],
    *,
    gallery: dict[str, ArmorMesh] | None = None,
    segments: dict | None = None,
) -> list[ArmorPiece]:
    """Return the armor pieces for `slots`, fitted to `body` at rest.

    `segments` are the body's capsules (`body_segments`), when the caller has them.
    """
    b = _body_arrays(body)
    rest, _ = skeleton.world_rest()
    s = skeleton.measures["scale"]
    dominant = _dominant(b)
    out: list[ArmorPiece] = []

    segments = segments if segments is not None else body_segments(skeleton)

    def worn(slot: str, name: str, mask: np.ndarray, offset: float, bone: str | None) -> None:
        piece, used = _shell(b, mask, offset, "armor")
        j = skeleton.index(bone) if bone else None
        if j is not None:
            piece = rigid(piece.material, piece.positions, piece.indices, j)
        out.append(ArmorPiece(slot, name, piece, j, used, offset))

    def sleeve(slot, name, material, bone, t0, t1, offset, keep=None, look="armor") -> None:
        """A tube over part of a limb segment, `offset` off its surface, riding its bone."""
        seg = segments[(material, bone)]
        pos, faces = tube(seg.a, seg.b, seg.r0 + offset, seg.r1 + offset, t0=t0, t1=t1,
                          sides=14, rings=3, aspect=(seg.r0 * seg.aspect + offset)
                          / (seg.r0 + offset), keep=keep)  # fmt: skip
        region = np.flatnonzero((b["material"] == material) & (dominant == seg.bone))
        out.append(ArmorPiece(slot, name, rigid(look, pos, faces, seg.bone), seg.bone, region,
                              offset))  # fmt: skip

    for slot in slots:
        if slot == "helmet":
            worn(slot, "helmet", b["material"] == "hair", 0.012 * s, "head")
        elif slot == "breastplate":
            out.append(_cuirass(skeleton, b, segments, dominant, 0.025 * s))
        elif slot == "pauldrons":
            for side in ("left", "right"):
                sleeve(slot, f"{side}Pauldron", "shirt", f"{side}UpperArm", 0.2, 0.55,
                       0.014 * s, keep=lambda d: d[1] > -0.35, look="armor_trim")  # fmt: skip
        elif slot == "gauntlets":
            for side in ("left", "right"):
                sleeve(slot, f"{side}Gauntlet", "skin", f"{side}LowerArm", 0.35, 0.82, 0.01 * s)
        elif slot == "greaves":
            for side in ("left", "right"):
                sleeve(slot, f"{side}Greave", "trousers", f"{side}LowerLeg", 0.2, 0.8, 0.012 * s)
        elif slot == "shield":
            out.append(_shield(skeleton, b, rest, s))
        elif slot == "weapon":
            out.append(_weapon(skeleton, b, rest, s))
        else:
            raise ValueError(f"no armor slot {slot!r}")
    for slot, mesh in (gallery or {}).items():
        out = [_from_gallery(piece, mesh, b) if piece.slot == slot else piece for piece in out]
    for item in out:
        if item.slot in HELD_SLOTS:
            continue
        # Layering: whatever part of a shell lies under another body part moves out of it.
        points, normals = _samples(b["positions"], b["normals"],
                                   _neighbourhood(skeleton, b, _piece_joints(skeleton, item)))  # fmt: skip
        item.piece.positions = push_out(item.piece.positions, points, normals, item.clearance)
        item.piece.normals = None
    return out


def _cuirass(skeleton: Skeleton, b, segments, dominant, offset: float) -> ArmorPiece:
    """A skinned shell around the torso from the waist to the shoulders.

    It crosses the spine joints, so each vertex takes the weights of the nearest torso
    vertex (the body's own smooth weights) and bends with the spine.
    """
    chain = [segments[("shirt", n)] for n in ("spine", "chest", "upperChest")]
    rings = []
    for k, seg in enumerate(chain):
        stop = 0.6 if k == len(chain) - 1 else 1.0
        for t in np.linspace(0.1 if k == 0 else 0.0, stop, 3, endpoint=k == len(chain) - 1):
            centre = seg.a + (seg.b - seg.a) * t
            r = seg.r0 + (seg.r1 - seg.r0) * t
            rings.append((centre, r + offset, (r * seg.aspect + offset) / (r + offset)))
    sides = 18
    theta = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    x = np.array([1.0, 0.0, 0.0])
    z = np.array([0.0, 0.0, -1.0])
    positions = np.concatenate([
        c + r * (np.cos(theta)[:, None] * x + aspect * np.sin(theta)[:, None] * z)
        for c, r, aspect in rings
    ])  # fmt: skip
    faces = []
    for k in range(len(rings) - 1):
        for i in range(sides):
            n = (i + 1) % sides
            p0, p1 = k * sides, (k + 1) * sides
            faces += [(p0 + i, p0 + n, p1 + n), (p0 + i, p1 + n, p1 + i)]
    faces = np.array(faces, dtype=np.int64)
    torso = [skeleton.index(n) for n in ("spine", "chest", "upperChest")]
    region = np.flatnonzero((b["material"] == "shirt") & np.isin(dominant, torso))
    nearest = region[_nearest(positions, b["positions"][region])[0]]
    piece = Piece("armor", positions, faces, b["joints"][nearest], b["weights"][nearest])
    return ArmorPiece("breastplate", "breastplate", piece, None, region, offset)


def _shield(skeleton: Skeleton, b, rest, s) -> ArmorPiece:
    j = skeleton.index("leftLowerArm")
    child = skeleton.children(j)[0]
    mid = (rest[j] + rest[child]) / 2
    arm = skeleton.measures["arm"] * 0.8
    # A round shield on the back of the forearm (+Y in the T-pose), face along +Y.
    centre = mid + np.array([0.0, arm + 0.012 * s, 0.0])
    pos, faces, _ = capsule(centre, centre + [0, 0.02 * s, 0], 0.2 * s, 0.17 * s, sides=20,
                            rings=1, caps=0.15)  # fmt: skip
    region = np.flatnonzero(_dominant(b) == j)
    return ArmorPiece("shield", "shield", rigid("armor_shield", pos, faces, j), j, region, 0.0)


def _weapon(skeleton: Skeleton, b, rest, s) -> ArmorPiece:
    j = skeleton.index("rightHand")
    hand = rest[j]
    # The grip runs along Z under the palm (palm faces -Y), where the fingers close.
    grip = hand + np.array([-0.06 * s, -0.032 * s, 0.0])
    parts = [
        capsule(grip - [0, 0, 0.07 * s], grip + [0, 0, 0.06 * s], 0.014 * s, 0.014 * s,
                sides=8, rings=1),
        capsule(grip + [-0.05 * s, 0, 0.07 * s], grip + [0.05 * s, 0, 0.07 * s],
                0.012 * s, 0.012 * s, sides=8, rings=1),
        capsule(grip + [0, 0, 0.08 * s], grip + [0, 0, 0.75 * s], 0.022 * s, 0.006 * s,
                sides=4, rings=2, aspect=0.25, caps=1.5),
    ]  # fmt: skip
    positions, faces, offset = [], [], 0
    for pos, tri, _ in parts:
        positions.append(pos)
        faces.append(tri + offset)
        offset += len(pos)
    hand_region = np.flatnonzero(np.isin(_dominant(b), [j, *_descendants(skeleton, j)]))
    piece = rigid("armor_weapon", np.concatenate(positions), np.concatenate(faces), j)
    return ArmorPiece("weapon", "weapon", piece, j, hand_region, 0.0)


def _descendants(skeleton: Skeleton, joint: int) -> list[int]:
    out = []
    for i, p in enumerate(skeleton.parents):
        if p == joint or p in out:
            out.append(i)
    return out


def _from_gallery(piece: ArmorPiece, mesh: ArmorMesh, b) -> ArmorPiece:
    """Scale and place a gallery mesh into the box of the generated piece, pushed out of the body."""
    target = piece.piece.positions
    lo, hi = target.min(axis=0), target.max(axis=0)
    src_lo, src_hi = mesh.positions.min(axis=0), mesh.positions.max(axis=0)
    extent = np.maximum(src_hi - src_lo, 1e-6)
    scale = float(np.min((hi - lo) / extent))
    positions = (mesh.positions - (src_lo + src_hi) / 2) * scale + (lo + hi) / 2
    if piece.slot not in HELD_SLOTS:
        positions = push_out(positions, b["positions"][piece.region], b["normals"][piece.region],
                             piece.clearance)  # fmt: skip
    bone = piece.bone
    if bone is None:
        # A skinned slot takes the weights of the nearest body vertex of its region.
        nearest = piece.region[_nearest(positions, b["positions"][piece.region])[0]]
        new = Piece("armor", positions, mesh.triangles, b["joints"][nearest], b["weights"][nearest])
    else:
        new = rigid(piece.piece.material, positions, mesh.triangles, bone)
    return ArmorPiece(piece.slot, f"{piece.name}_gallery", new, bone, piece.region, piece.clearance)


def _nearest(points: np.ndarray, targets: np.ndarray, chunk: int = 2048, margin: float = 0.06):
    """Return, for each point, the index of and the distance to its nearest target.

    Only targets within `margin` of the points' box are searched: a nearest target closer
    than `margin` is exact, a farther one is at least `margin` away either way.
    """
    lo, hi = points.min(axis=0) - margin, points.max(axis=0) + margin
    keep = np.flatnonzero(((targets >= lo) & (targets <= hi)).all(axis=1))
    if len(keep):
        index, dist = _nearest_all(points, targets[keep], chunk)
        return keep[index], dist
    return _nearest_all(points, targets, chunk)


def _nearest_all(points: np.ndarray, targets: np.ndarray, chunk: int = 2048):
    index = np.empty(len(points), dtype=np.int64)
    dist = np.empty(len(points))
    points = points.astype(np.float32)
    targets = targets.astype(np.float32)
    tt = np.einsum("ij,ij->i", targets, targets)
    for start in range(0, len(points), chunk):
        p = points[start : start + chunk]
        d2 = np.einsum("ij,ij->i", p, p)[:, None] - 2 * p @ targets.T + tt[None, :]
        k = np.argmin(d2, axis=1)
        index[start : start + chunk] = k
        dist[start : start + chunk] = np.sqrt(np.maximum(d2[np.arange(len(p)), k], 0.0))
    return index, dist


def push_out(positions, body_positions, body_normals, clearance: float) -> np.ndarray:
    """Move points out along the nearest body normal until they sit `clearance` off the surface."""
    k, _ = _nearest(positions, body_positions)
    signed = np.einsum("ij,ij->i", positions - body_positions[k], body_normals[k])
    push = np.maximum(0.0, clearance - signed)
    return positions + body_normals[k] * push[:, None]


@dataclass(frozen=True)
class FitReport:
    """The worst fit of every piece over every frame of every clip (metres)."""

    #: slot/name -> largest gap from an armor vertex to the body region it covers.
    max_gap: dict[str, float]
    #: slot/name -> most negative signed distance to the nearest body surface (sinking in).
    min_signed: dict[str, float]
    #: slot/name -> smallest distance between a held piece and its body region (contact).
    contact: dict[str, float]
    frames: int


def _samples(positions: np.ndarray, normals: np.ndarray, triangles: np.ndarray):
    """Return points (and unit normals) over `triangles`: corners, edge midpoints and centres."""
    corners = np.unique(triangles)
    edges = np.unique(np.sort(triangles[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1), axis=0)
    p = np.concatenate([positions[corners], positions[edges].mean(axis=1),
                        positions[triangles].mean(axis=1)])  # fmt: skip
    n = np.concatenate([normals[corners], normals[edges].sum(axis=1),
                        normals[triangles].sum(axis=1)])  # fmt: skip
    return p, n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def fit_report(
    skeleton: Skeleton, body: list[Piece], pieces: list[ArmorPiece], clips: list[Clip],
    *, fps: float = 30.0,
) -> FitReport:  # fmt: skip
    """Measure every piece against the posed body surface at rest and every frame of every clip.

    Per piece: the largest gap from one of its vertices to the body region it covers
    (nothing floats), the most negative signed distance to the nearest body surface
    (nothing sinks in) and, for held pieces, the closest approach to the hand or arm.
    """
    b = _body_arrays(body)
    tris = b["indices"]
    gap: dict[str, float] = {}
    signed: dict[str, float] = {}
    contact: dict[str, float] = {}
    frames = 0
    poses = [np.tile(np.eye(4), (len(skeleton.names), 1, 1))]
    for clip in clips:
        poses += [pose_at(skeleton, clip, t) for t in clip_frames(clip, fps=fps)]
    regions = {}
    neighbourhoods = {}
    for item in pieces:
        inside = np.zeros(len(b["positions"]), dtype=bool)
        inside[item.region] = True
        regions[item.name] = tris[inside[tris].all(axis=1)]
        neighbourhoods[item.name] = _neighbourhood(skeleton, b, _piece_joints(skeleton, item))
    for matrices in poses:
        frames += 1
        body_pos, body_nrm = skin(b["positions"], b["joints"], b["weights"], matrices, b["normals"])
        for item in pieces:
            p = item.piece
            pos = skin(p.positions, p.joints, p.weights, matrices)
            key = item.name
            region, _ = _samples(body_pos, body_nrm, regions[key])
            _, dist = _nearest(pos, region)
            if item.slot in HELD_SLOTS:
                contact[key] = max(contact.get(key, 0.0), float(dist.min()))
                continue
            gap[key] = max(gap.get(key, 0.0), float(dist.max()))
            points, normals = _samples(body_pos, body_nrm, neighbourhoods[key])
            k, _ = _nearest(pos, points)
            s = np.einsum("ij,ij->i", pos - points[k], normals[k])
            signed[key] = min(signed.get(key, np.inf), float(s.min()))
    return FitReport(gap, signed, contact, frames)

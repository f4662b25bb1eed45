"""Retargeting: play a clip made for one skeleton on another, and recognise rigged GLBs.

Bones are matched by name (Forge/VRM or Mixamo, any `prefix:`, case and separators
ignored), then each key is carried over as a world-space rotation delta from the rest
pose: `G_tgt(t) = D(t) · A · G_tgt_rest` with `D(t) = G_src(t) · G_src_rest⁻¹`, where `A`
turns the target bone's rest direction into the source's (so an A-pose target plays a
T-pose clip with its arms where the source's are). The hips' translation is scaled by
the ratio of hip heights.
"""

from __future__ import annotations

import re

import numpy as np

from assets.glb_container import GlbInvalidError, glb_read
from pipelines.stages.character.clips import Clip
from pipelines.stages.character.skeleton import (
    MIXAMO_NAMES,
    MIXAMO_PREFIX,
    Skeleton,
    world_pose,
)
from pipelines.stages.character.transforms import (
    IDENTITY_QUAT,
    matrix_to_quat,
    quat_angle,
    quat_axis_angle,
    quat_between,
    quat_inv,
    quat_mul,
    quat_normalize,
    quat_rotate,
    quat_to_matrix,
)

_ALIASES = {
    "hip": "hips", "pelvis": "hips", "spine1": "chest", "spine2": "upperChest",
    "spine3": "upperChest", "leftthigh": "leftUpperLeg", "rightthigh": "rightUpperLeg",
    "leftcalf": "leftLowerLeg", "rightcalf": "rightLowerLeg", "leftshin": "leftLowerLeg",
    "rightshin": "rightLowerLeg", "leftclavicle": "leftShoulder",
    "rightclavicle": "rightShoulder", "lefttoe": "leftToes", "righttoe": "rightToes",
}  # fmt: skip


def _key(name: str) -> str:
    name = name.rsplit(":", 1)[-1]
    name = re.sub(r"^mixamorig\d*", "", name, flags=re.IGNORECASE)
    side = re.search(r"[._ ]([lr])$", name, flags=re.IGNORECASE)
    if side:
        name = ("left" if side.group(1).lower() == "l" else "right") + name[: side.start()]
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _lookup() -> dict[str, str]:
    table = {_key(forge): forge for forge in MIXAMO_NAMES}
    table |= {_key(mixamo): forge for forge, mixamo in MIXAMO_NAMES.items()}
    table |= {_key(alias): forge for alias, forge in _ALIASES.items()}
    for forge in MIXAMO_NAMES:
        # UpLeg/UpperLeg, ForeArm/LowerArm, Arm/UpperArm spelled either way.
        table.setdefault(_key(forge.replace("Upper", "Up")), forge)
    return table


_LOOKUP = _lookup()


def humanoid_name(name: str) -> str | None:
    """Return the Forge humanoid bone a joint name means (Forge, VRM or Mixamo style), if any."""
    return _LOOKUP.get(_key(name))


def bone_mapping(source: Skeleton, target: Skeleton) -> dict[str, str]:
    """Return target joint name -> source joint name, for every bone both skeletons have."""
    by_bone = {}
    for name in source.names:
        bone = humanoid_name(name) if source.kind != "quadruped" else name
        if bone and bone not in by_bone:
            by_bone[bone] = name
    out = {}
    for name in target.names:
        bone = humanoid_name(name) if target.kind != "quadruped" else name
        if bone in by_bone:
            out[name] = by_bone[bone]
    return out


def _direction(skeleton: Skeleton, positions: np.ndarray, joint: int, mapped: set[int]):
    kids = [c for c in skeleton.children(joint) if c in mapped] or skeleton.children(joint)
    if not kids:
        return None
    # The bone points at its first mapped child (the spine's next joint, the middle finger).
    d = positions[kids[0]] - positions[joint]
    n = np.linalg.norm(d)
    return d / n if n > 1e-9 else None


def retarget_clip(
    clip: Clip,
    source: Skeleton,
    target: Skeleton,
    *,
    mapping: dict[str, str] | None = None,
    align_rest: bool = True,
) -> Clip:
    """Return `clip` (for `source`) as a clip for `target`, named like the target's joints."""
    mapping = mapping if mapping is not None else bone_mapping(source, target)
    src_index = {n: i for i, n in enumerate(source.names)}
    t_map = {target.index(t): src_index[s] for t, s in mapping.items()}
    src_rest_pos, src_rest_rot = world_pose(source, source.rotations)
    tgt_rest_pos, tgt_rest_rot = world_pose(target, target.rotations)
    align = {}
    mapped_t = set(t_map)
    for tj, sj in t_map.items():
        a = IDENTITY_QUAT
        if align_rest:
            kids = [c for c in target.children(tj) if c in mapped_t]
            if kids:
                sc = t_map[kids[0]]
                dt = tgt_rest_pos[kids[0]] - tgt_rest_pos[tj]
                ds = src_rest_pos[sc] - src_rest_pos[sj]
                if np.linalg.norm(dt) > 1e-9 and np.linalg.norm(ds) > 1e-9:
                    a = quat_between(dt, ds)
        align[tj] = a
    src_height = max(src_rest_pos[0][1], 1e-6)
    tgt_height = max(tgt_rest_pos[0][1], 1e-6)
    keys = len(clip.times)
    out_rot = {target.names[j]: np.zeros((keys, 4)) for j in t_map}
    out_root = np.zeros((keys, 3))
    root_name = source.names[0]
    for k in range(keys):
        local = source.rotations.copy()
        for name, values in clip.rotations.items():
            if name in src_index:
                local[src_index[name]] = values[k]
        root = clip.translations[root_name][k] if root_name in clip.translations else None
        src_pos, src_rot = world_pose(source, local, root)
        world = np.zeros((len(target.names), 4))
        for j, parent in enumerate(target.parents):
            parent_rot = target.base_rotation if parent < 0 else world[parent]
            if j in t_map:
                sj = t_map[j]
                delta = quat_mul(src_rot[sj], quat_inv(src_rest_rot[sj]))
                world[j] = quat_mul(delta, quat_mul(align[j], tgt_rest_rot[j]))
                out_rot[target.names[j]][k] = quat_normalize(
                    quat_mul(quat_inv(parent_rot), world[j])
                )
            else:
                world[j] = quat_mul(parent_rot, target.rotations[j])
        delta = (src_pos[0] - src_rest_pos[0]) * (tgt_height / src_height)
        local_delta = quat_rotate(quat_inv(target.base_rotation), delta) / target.base_scale
        out_root[k] = target.translations[0] + local_delta
    for values in out_rot.values():
        for k in range(1, keys):
            if np.dot(values[k], values[k - 1]) < 0:
                values[k] = -values[k]
    translations = {target.names[0]: out_root} if root_name in clip.translations else {}
    return Clip(clip.name, clip.times.copy(), out_rot, translations, clip.loop)


def retarget_error(
    clip: Clip, source: Skeleton, retargeted: Clip, target: Skeleton,
    mapping: dict[str, str] | None = None,
) -> float:  # fmt: skip
    """Return the worst angle (degrees) between source and target world bone directions over all keys."""
    mapping = mapping if mapping is not None else bone_mapping(source, target)
    src_index = {n: i for i, n in enumerate(source.names)}
    t_map = {target.index(t): src_index[s] for t, s in mapping.items()}
    worst = 0.0
    for k in range(len(clip.times)):
        poses = []
        for skel, c in ((source, clip), (target, retargeted)):
            local = skel.rotations.copy()
            for name, values in c.rotations.items():
                local[skel.index(name)] = values[k]
            poses.append(world_pose(skel, local)[0])
        src_pos, tgt_pos = poses
        for tj, sj in t_map.items():
            kids = [c for c in target.children(tj) if c in t_map]
            if not kids:
                continue
            dt = tgt_pos[kids[0]] - tgt_pos[tj]
            ds = src_pos[t_map[kids[0]]] - src_pos[sj]
            cos = np.dot(dt, ds) / (np.linalg.norm(dt) * np.linalg.norm(ds))
            worst = max(worst, float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))))
    return worst


def rotation_error(clip: Clip, retargeted: Clip, mapping: dict[str, str]) -> float:
    """Return the worst angle (degrees) between mapped joints' local rotations of two clips."""
    worst = 0.0
    for target, source in mapping.items():
        if source in clip.rotations and target in retargeted.rotations:
            worst = max(worst, float(quat_angle(clip.rotations[source],
                                                retargeted.rotations[target]).max()))  # fmt: skip
    return worst


def mixamo_skeleton(
    skeleton: Skeleton, *, scale: float = 1.0, a_pose: bool = False, prefix: str = MIXAMO_PREFIX
) -> Skeleton:
    """Return a Mixamo-named copy of a Forge humanoid, its bone frames +Y along each bone.

    `a_pose` lowers the arms 45° at rest; `scale` resizes it. Used to check retargeting
    between the naming conventions, rest poses and proportions a user meets.
    """
    positions, _ = skeleton.world_rest()
    positions = positions * scale
    if a_pose:
        for side, sign in (("left", 1.0), ("right", -1.0)):
            pivot = positions[skeleton.index(f"{side}UpperArm")]
            q = quat_axis_angle((0, 0, 1), -45 * sign)
            for j, _name in enumerate(skeleton.names):
                if _in_arm(skeleton, j, skeleton.index(f"{side}UpperArm")):
                    positions[j] = pivot + quat_rotate(q, positions[j] - pivot)
    world_rot = np.zeros((len(skeleton.names), 4))
    for j in range(len(skeleton.names)):
        kids = skeleton.children(j)
        if kids:
            world_rot[j] = quat_between((0, 1, 0), positions[kids[0]] - positions[j])
        else:
            world_rot[j] = world_rot[skeleton.parents[j]]
    translations = np.zeros_like(positions)
    rotations = np.zeros_like(world_rot)
    for j, p in enumerate(skeleton.parents):
        if p < 0:
            translations[j], rotations[j] = positions[j], world_rot[j]
        else:
            inv = quat_inv(world_rot[p])
            translations[j] = quat_rotate(inv, positions[j] - positions[p])
            rotations[j] = quat_normalize(quat_mul(inv, world_rot[j]))
    names = tuple(prefix + MIXAMO_NAMES[n] for n in skeleton.names)
    return Skeleton(names, skeleton.parents, translations, rotations, "humanoid",
                    measures=dict(skeleton.measures))  # fmt: skip


def _in_arm(skeleton: Skeleton, joint: int, upper_arm: int) -> bool:
    while joint >= 0:
        if joint == upper_arm:
            return True
        joint = skeleton.parents[joint]
    return False


class RigError(ValueError):
    """The file has no usable skin (no skins, or joints that do not form a hierarchy)."""


def _node_trs(node: dict) -> tuple[np.ndarray, np.ndarray, float]:
    if "matrix" in node:
        m = np.array(node["matrix"], dtype=float).reshape(4, 4).T
        scale = float(np.mean(np.linalg.norm(m[:3, :3], axis=0)))
        return m[:3, 3], matrix_to_quat(m[:3, :3]), scale
    scale = node.get("scale", [1.0, 1.0, 1.0])
    return (
        np.array(node.get("translation", [0.0, 0.0, 0.0]), dtype=float),
        quat_normalize(np.array(node.get("rotation", [0.0, 0.0, 0.0, 1.0]), dtype=float)),
        float(np.mean(scale)),
    )


def rigged_skeleton(glb: bytes) -> tuple[Skeleton, list[int]]:
    """Return the skeleton of a rigged GLB's first skin and the node index of each joint."""
    try:
        doc, _ = glb_read(glb)
    except (ValueError, UnicodeDecodeError, GlbInvalidError) as exc:
        raise RigError(str(exc)) from exc
    skins = doc.get("skins") or []
    nodes = doc.get("nodes") or []
    if not skins or not skins[0].get("joints"):
        raise RigError("The file has no skin: it is not rigged.")
    joints = [j for j in skins[0]["joints"] if isinstance(j, int) and 0 <= j < len(nodes)]
    parent_of: dict[int, int] = {}
    for i, node in enumerate(nodes):
        for c in node.get("children", []):
            parent_of[c] = i

    def depth(n: int) -> int:
        d = 0
        while n in parent_of and d < len(nodes):
            n = parent_of[n]
            d += 1
        return d

    order = sorted(set(joints), key=lambda n: (depth(n), joints.index(n)))
    position = {n: i for i, n in enumerate(order)}
    parents = []
    for n in order:
        p = parent_of.get(n)
        while p is not None and p not in position:
            p = parent_of.get(p)
        parents.append(position[p] if p is not None else -1)
    if sum(1 for p in parents if p < 0) != 1:
        raise RigError("The skin's joints do not form one hierarchy.")
    trs = [_node_trs(nodes[n]) for n in order]
    # Whatever holds the root joint (an armature node) contributes a base transform.
    base = np.eye(4)
    p = parent_of.get(order[0])
    while p is not None:
        t, q, s = _node_trs(nodes[p])
        m = np.eye(4)
        m[:3, :3] = quat_to_matrix(q) * s
        m[:3, 3] = t
        base = m @ base
        p = parent_of.get(p)
    base_scale = float(np.mean(np.linalg.norm(base[:3, :3], axis=0)))
    skeleton = Skeleton(
        tuple(nodes[n].get("name", f"joint{n}") for n in order),
        tuple(parents),
        np.array([t for t, _, _ in trs]),
        np.array([q for _, q, _ in trs]),
        "humanoid",
        base_rotation=matrix_to_quat(base[:3, :3]),
        base_translation=base[:3, 3],
        base_scale=base_scale,
    )
    return skeleton, order


def rig_report(glb: bytes) -> dict:
    """Return what Forge recognises in a rigged GLB: joints, humanoid bones found, clips."""
    skeleton, _ = rigged_skeleton(glb)
    doc, _ = glb_read(glb)
    found = {n: humanoid_name(n) for n in skeleton.names}
    recognised = sorted({b for b in found.values() if b})
    required = {"hips", "spine", "head", "leftUpperArm", "leftLowerArm", "leftHand",
                "rightUpperArm", "rightLowerArm", "rightHand", "leftUpperLeg", "leftLowerLeg",
                "leftFoot", "rightUpperLeg", "rightLowerLeg", "rightFoot"}  # fmt: skip
    return {
        "joint_count": len(skeleton.names),
        "joint_names": list(skeleton.names),
        "humanoid_bones": recognised,
        "humanoid": required <= set(recognised),
        "clips": [a.get("name", "") for a in doc.get("animations", [])],
    }


def glb_with_clips(glb: bytes, clips: list[Clip]) -> bytes:
    """Return the rigged `glb` with `clips` (named for its joints) added as animations."""
    from pipelines.stages.character.gltf import GltfWriter, add_clips

    skeleton, order = rigged_skeleton(glb)
    doc, binary = glb_read(glb)
    if len(doc.get("buffers", [])) != 1 or "uri" in doc["buffers"][0]:
        raise RigError("Only self-contained GLB files can take clips.")
    taken = {a.get("name") for a in doc.get("animations", [])}
    for clip in clips:
        base, n = clip.name, 2
        while clip.name in taken:
            clip.name = f"{base}_{n}"
            n += 1
        taken.add(clip.name)
    w = GltfWriter(doc, binary)
    add_clips(w, clips, {name: order[i] for i, name in enumerate(skeleton.names)})
    return w.glb()

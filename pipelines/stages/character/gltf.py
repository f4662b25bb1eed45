"""Write a rigged character as GLB (nodes, skin, meshes, clips) with numpy, never trimesh.

Joint nodes come first, parents before children; the skinned meshes sit at the scene
root without a transform (the validator warns otherwise), and rigid armor pieces are
mesh nodes under the joint they ride.
"""

from __future__ import annotations

import numpy as np

from assets.glb_container import glb_pack
from pipelines.providers.procedural.glb import MaterialSpec, material_json
from pipelines.stages.character.armor import ArmorPiece
from pipelines.stages.character.clips import Clip
from pipelines.stages.character.mesh import Piece, normalize_weights
from pipelines.stages.character.skeleton import Skeleton

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT = 5126
UNSIGNED_BYTE = 5121
UNSIGNED_SHORT = 5123
UNSIGNED_INT = 5125
_COMPONENTS = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}


class GltfWriter:
    """Accumulate bufferViews and accessors for one GLB binary chunk."""

    def __init__(self, doc: dict | None = None, binary: bytes = b"") -> None:
        self.doc = doc if doc is not None else {"asset": {"version": "2.0", "generator": "Forge"}}
        self.doc.setdefault("bufferViews", [])
        self.doc.setdefault("accessors", [])
        self.parts = [binary]
        self.length = len(binary)

    def accessor(
        self,
        data: np.ndarray,
        kind: str,
        component: int,
        *,
        target: int | None = None,
        minmax: bool = False,
    ) -> int:
        """Append `data` as a new bufferView + accessor and return the accessor's index."""
        dtype = {FLOAT: np.float32, UNSIGNED_BYTE: np.uint8, UNSIGNED_SHORT: np.uint16,
                 UNSIGNED_INT: np.uint32}[component]  # fmt: skip
        array = np.ascontiguousarray(data, dtype=dtype).reshape(-1, _COMPONENTS[kind])
        raw = array.tobytes()
        pad = (-self.length) % 4
        if pad:
            self.parts.append(b"\x00" * pad)
            self.length += pad
        view = {"buffer": 0, "byteOffset": self.length, "byteLength": len(raw)}
        if target is not None:
            view["target"] = target
        self.parts.append(raw)
        self.length += len(raw)
        self.doc["bufferViews"].append(view)
        accessor = {
            "bufferView": len(self.doc["bufferViews"]) - 1,
            "componentType": component,
            "count": len(array),
            "type": kind,
        }
        if minmax:
            accessor["min"] = [float(v) for v in array.min(axis=0)]
            accessor["max"] = [float(v) for v in array.max(axis=0)]
        self.doc["accessors"].append(accessor)
        return len(self.doc["accessors"]) - 1

    def glb(self) -> bytes:
        """Return the finished GLB."""
        binary = b"".join(self.parts)
        binary += b"\x00" * ((-len(binary)) % 4)
        self.doc["buffers"] = [{"byteLength": len(binary)}]
        return glb_pack(self.doc, binary)


def _primitive(w: GltfWriter, piece: Piece, material: int, *, skinned: bool) -> dict:
    piece = piece.with_normals()
    attributes = {
        "POSITION": w.accessor(piece.positions, "VEC3", FLOAT, target=ARRAY_BUFFER, minmax=True),
        "NORMAL": w.accessor(piece.normals, "VEC3", FLOAT, target=ARRAY_BUFFER),
    }
    if skinned:
        joints, weights = normalize_weights(piece.joints, piece.weights)
        attributes["JOINTS_0"] = w.accessor(joints, "VEC4", UNSIGNED_SHORT, target=ARRAY_BUFFER)
        attributes["WEIGHTS_0"] = w.accessor(weights, "VEC4", FLOAT, target=ARRAY_BUFFER)
    component = UNSIGNED_SHORT if len(piece.positions) < 65536 else UNSIGNED_INT
    indices = w.accessor(piece.indices.reshape(-1), "SCALAR", component,
                         target=ELEMENT_ARRAY_BUFFER)  # fmt: skip
    return {"attributes": attributes, "indices": indices, "material": material}


def add_clips(w: GltfWriter, clips: list[Clip], joint_nodes: dict[str, int]) -> None:
    """Append `clips` as glTF animations on the nodes `joint_nodes` names (unknown joints skipped)."""
    animations = w.doc.setdefault("animations", [])
    for clip in clips:
        times = w.accessor(clip.times, "SCALAR", FLOAT, minmax=True)
        samplers: list[dict] = []
        channels: list[dict] = []
        for path, tracks, kind in (("rotation", clip.rotations, "VEC4"),
                                   ("translation", clip.translations, "VEC3")):  # fmt: skip
            for joint, values in tracks.items():
                if joint not in joint_nodes:
                    continue
                output = w.accessor(values, kind, FLOAT)
                samplers.append({"input": times, "output": output, "interpolation": "LINEAR"})
                channels.append(
                    {"sampler": len(samplers) - 1,
                     "target": {"node": joint_nodes[joint], "path": path}}
                )  # fmt: skip
        if channels:
            animations.append(
                {"name": clip.name, "samplers": samplers, "channels": channels,
                 "extras": {"forge_loop": bool(clip.loop)}}
            )  # fmt: skip
    if not animations:
        del w.doc["animations"]


def character_glb(
    skeleton: Skeleton,
    body: list[Piece],
    armor: list[ArmorPiece],
    clips: list[Clip],
    materials: dict[str, MaterialSpec],
    *,
    extras: dict | None = None,
) -> bytes:
    """Return the GLB of a rigged character with its armor and clips."""
    w = GltfWriter()
    doc = w.doc
    material_index = {name: i for i, name in enumerate(materials)}
    doc["materials"] = []
    for spec in materials.values():
        m = material_json(spec)
        if spec.name.startswith("armor"):
            m["doubleSided"] = True
        doc["materials"].append(m)
    nodes: list[dict] = []
    for j, name in enumerate(skeleton.names):
        node: dict = {"name": name}
        t = skeleton.translations[j]
        if np.any(np.abs(t) > 0):
            node["translation"] = [float(v) for v in t]
        q = skeleton.rotations[j]
        if not np.allclose(q, [0, 0, 0, 1]):
            node["rotation"] = [float(v) for v in q]
        children = skeleton.children(j)
        if children:
            node["children"] = children
        nodes.append(node)
    meshes: list[dict] = []
    ibm = np.linalg.inv(skeleton.world_matrices()).astype(np.float32)
    doc["skins"] = [{
        "name": f"forge_{skeleton.kind}",
        "joints": list(range(len(skeleton.names))),
        "skeleton": 0,
        "inverseBindMatrices": w.accessor(ibm.transpose(0, 2, 1).reshape(-1, 16), "MAT4", FLOAT),
    }]  # fmt: skip
    doc["meshes"] = meshes
    roots = [0]
    meshes.append({"name": "body", "primitives": [
        _primitive(w, p, material_index[p.material], skinned=True) for p in body]})  # fmt: skip
    nodes.append({"name": "body", "mesh": 0, "skin": 0})
    roots.append(len(nodes) - 1)
    skinned = [a for a in armor if a.bone is None]
    if skinned:
        meshes.append({"name": "armor", "primitives": [
            _primitive(w, a.piece, material_index[a.piece.material], skinned=True)
            for a in skinned]})  # fmt: skip
        nodes.append({"name": "armor", "mesh": len(meshes) - 1, "skin": 0})
        roots.append(len(nodes) - 1)
    rest = skeleton.world_matrices()
    for item in armor:
        if item.bone is None:
            continue
        inverse = np.linalg.inv(rest[item.bone])
        local = item.piece.positions @ inverse[:3, :3].T + inverse[:3, 3]
        normals = item.piece.with_normals().normals @ rest[item.bone][:3, :3]
        placed = Piece(item.piece.material, local, item.piece.indices, item.piece.joints,
                       item.piece.weights, normals)  # fmt: skip
        meshes.append({"name": item.name, "primitives": [
            _primitive(w, placed, material_index[placed.material], skinned=False)]})  # fmt: skip
        nodes.append({"name": item.name, "mesh": len(meshes) - 1})
        nodes[item.bone].setdefault("children", []).append(len(nodes) - 1)
    doc["nodes"] = nodes
    doc["scenes"] = [{"name": "character", "nodes": roots}]
    doc["scene"] = 0
    add_clips(w, clips, {name: j for j, name in enumerate(skeleton.names)})
    if extras:
        doc["asset"]["extras"] = extras
    return w.glb()

"""Write and read binary glTF 2.0 (GLB) files byte-for-byte deterministically."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

from pipelines.providers.procedural.geometry import MeshData

GLB_MAGIC = 0x46546C67
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942
ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963
FLOAT = 5126
UNSIGNED_SHORT = 5123
UNSIGNED_INT = 5125


@dataclass(frozen=True)
class MaterialSpec:
    """Describe one PBR metallic-roughness material; colours are linear RGB(A)."""

    name: str
    base_color: tuple[float, float, float, float]
    metallic: float
    roughness: float
    emissive: tuple[float, float, float] | None = None
    role: str | None = None
    share: float | None = None


# Where a material's role is stored (`material.extras[ROLE_KEY]`), and the share of the
# object's surface it covers (`material.extras[SHARE_KEY]`, 0-1).
ROLE_KEY = "forge_role"
SHARE_KEY = "forge_share"


def _r(x: float) -> float:
    """Round for JSON so the text never depends on float noise below 1e-6."""
    return round(float(x), 6)


def material_json(m: MaterialSpec) -> dict:
    """Return the glTF JSON of a material with metallic and roughness always explicit."""
    out: dict = {
        "name": m.name,
        "pbrMetallicRoughness": {
            "baseColorFactor": [_r(c) for c in m.base_color],
            "metallicFactor": _r(m.metallic),
            "roughnessFactor": _r(m.roughness),
        },
    }
    if m.emissive is not None and any(c > 0 for c in m.emissive):
        out["emissiveFactor"] = [_r(c) for c in m.emissive]
    if m.base_color[3] < 0.999:
        out["alphaMode"] = "BLEND"
    if m.role:
        out["extras"] = {ROLE_KEY: m.role}
        if m.share is not None:
            out["extras"][SHARE_KEY] = round(float(m.share), 4)
    return out


class _Bin:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.length = 0
        self.views: list[dict] = []

    def add(self, data: bytes, target: int | None = None) -> int:
        pad = (-self.length) % 4
        if pad:
            self.parts.append(b"\x00" * pad)
            self.length += pad
        view: dict = {"buffer": 0, "byteOffset": self.length, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.parts.append(data)
        self.length += len(data)
        self.views.append(view)
        return len(self.views) - 1

    def bytes(self) -> bytes:
        return b"".join(self.parts)


def pack_glb(doc: dict, binary: bytes) -> bytes:
    """Assemble header, JSON chunk and BIN chunk into a GLB."""
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((-len(text)) % 4)
    blob = binary + b"\x00" * ((-len(binary)) % 4)
    total = 12 + 8 + len(text) + (8 + len(blob) if blob else 0)
    out = [
        struct.pack("<III", GLB_MAGIC, 2, total),
        struct.pack("<II", len(text), CHUNK_JSON),
        text,
    ]
    if blob:
        out += [struct.pack("<II", len(blob), CHUNK_BIN), blob]
    return b"".join(out)


def unpack_glb(data: bytes) -> tuple[dict, bytes]:
    """Split a GLB into its JSON document and BIN chunk (empty if absent)."""
    if len(data) < 20:
        raise ValueError("not a GLB file: too short")
    magic, version, length = struct.unpack_from("<III", data, 0)
    if magic != GLB_MAGIC or version != 2:
        raise ValueError("not a glTF 2.0 binary file")
    offset = 12
    doc: dict | None = None
    binary = b""
    while offset + 8 <= min(length, len(data)):
        size, kind = struct.unpack_from("<II", data, offset)
        chunk = data[offset + 8 : offset + 8 + size]
        if kind == CHUNK_JSON and doc is None:
            doc = json.loads(chunk.decode("utf-8"))
        elif kind == CHUNK_BIN and not binary:
            binary = bytes(chunk)
        offset += 8 + size
    if doc is None:
        raise ValueError("GLB has no JSON chunk")
    return doc, binary


def build_glb(
    *,
    root_name: str,
    meshes: list[MeshData],
    materials: list[MaterialSpec],
    generator: str,
    extras: dict | None = None,
) -> bytes:
    """Return a GLB with one root node named `root_name` and one child node per mesh."""
    mat_index = {m.name: i for i, m in enumerate(materials)}
    buf = _Bin()
    accessors: list[dict] = []
    gl_meshes: list[dict] = []
    nodes: list[dict] = [{"name": root_name, "children": []}]

    def accessor(arr: np.ndarray, kind: str, ctype: int, target: int, minmax: bool) -> int:
        view = buf.add(arr.tobytes(), target)
        acc: dict = {
            "bufferView": view,
            "componentType": ctype,
            "count": int(arr.shape[0]),
            "type": kind,
        }
        if minmax:
            acc["min"] = [float(x) for x in arr.min(axis=0)]
            acc["max"] = [float(x) for x in arr.max(axis=0)]
        accessors.append(acc)
        return len(accessors) - 1

    for mesh in meshes:
        if not len(mesh.indices):
            continue
        pos = np.ascontiguousarray(mesh.positions, dtype="<f4")
        nrm = np.ascontiguousarray(mesh.normals, dtype="<f4")
        uv = np.ascontiguousarray(mesh.uvs, dtype="<f4")
        if len(pos) < 65536:
            idx = np.ascontiguousarray(mesh.indices, dtype="<u2")
            itype = UNSIGNED_SHORT
        else:
            idx = np.ascontiguousarray(mesh.indices, dtype="<u4")
            itype = UNSIGNED_INT
        attrs = {
            "POSITION": accessor(pos, "VEC3", FLOAT, ARRAY_BUFFER, True),
            "NORMAL": accessor(nrm, "VEC3", FLOAT, ARRAY_BUFFER, False),
            "TEXCOORD_0": accessor(uv, "VEC2", FLOAT, ARRAY_BUFFER, False),
        }
        view = buf.add(idx.tobytes(), ELEMENT_ARRAY_BUFFER)
        accessors.append(
            {"bufferView": view, "componentType": itype, "count": int(len(idx)), "type": "SCALAR"}
        )
        gl_meshes.append(
            {
                "name": mesh.name,
                "primitives": [
                    {
                        "attributes": attrs,
                        "indices": len(accessors) - 1,
                        "material": mat_index[mesh.material],
                        "mode": 4,
                    }
                ],
            }
        )
        nodes.append({"name": mesh.name, "mesh": len(gl_meshes) - 1})
        nodes[0]["children"].append(len(nodes) - 1)
    binary = buf.bytes()
    doc: dict = {
        "asset": {"version": "2.0", "generator": generator},
        "scene": 0,
        "scenes": [{"name": root_name, "nodes": [0]}],
        "nodes": nodes,
        "meshes": gl_meshes,
        "materials": [material_json(m) for m in materials],
        "accessors": accessors,
        "bufferViews": buf.views,
        "buffers": [{"byteLength": len(binary)}],
    }
    if extras:
        doc["extras"] = extras
    return pack_glb(doc, binary)


def append_to_bin(binary: bytes, data: bytes) -> tuple[bytes, int]:
    """Append `data` at the next 4-byte boundary of `binary`; return the new blob and offset."""
    pad = (-len(binary)) % 4
    offset = len(binary) + pad
    return binary + b"\x00" * pad + data, offset

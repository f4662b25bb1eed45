"""Stage `optimize`: validate the mesh, weld duplicate vertices, keep to the triangle budget.

Welding merges vertices whose position, normal and texture coordinate are all equal, so
shading and texturing are unchanged. A mesh over the quality's triangle budget is
decimated (quadric decimation through fast-simplification) and gets smooth normals.
The rewritten file is kept only if it is still valid and keeps every material; otherwise
the provider's file is used as it is, and the output says so.
"""

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import structlog
import trimesh

from assets.glb import GlbInfo, glb_inspect
from pipelines.providers.procedural.glb import pack_glb, unpack_glb
from pipelines.stages.decimate import mesh_decimate

log = structlog.get_logger("pipelines.stages.optimize")

# Welding is worth a rewrite only when it removes at least this share of the vertices.
MIN_WELD_GAIN = 0.05
# Rounding of vertex attributes when looking for duplicates (about 1 µm for metres).
WELD_DECIMALS = 6


@dataclass(frozen=True)
class OptimizeResult:
    glb: bytes
    info: GlbInfo
    stats: dict[str, Any] = field(default_factory=dict)


def _weld(geometry: trimesh.Trimesh) -> trimesh.Trimesh:
    normals = geometry.vertex_normals
    uv = getattr(geometry.visual, "uv", None)
    columns = [geometry.vertices, normals] + ([uv] if uv is not None else [])
    key = np.round(np.hstack(columns), WELD_DECIMALS)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    remap = np.empty_like(order)
    remap[order] = np.arange(len(order))
    keep = first[order]
    faces = remap[inverse.reshape(-1)][geometry.faces]
    visual = geometry.visual
    if uv is not None:
        visual = trimesh.visual.TextureVisuals(uv=uv[keep], material=geometry.visual.material)
    return trimesh.Trimesh(
        vertices=geometry.vertices[keep],
        faces=faces,
        vertex_normals=normals[keep],
        visual=visual,
        process=False,
    )


def _decimate(geometry: trimesh.Trimesh, target_faces: int) -> trimesh.Trimesh:
    # trimesh's own quadric decimation drops UVs, which breaks every textured material.
    return mesh_decimate(geometry, max(4, min(target_faces, len(geometry.faces))))


def _material_signature(info_glb: bytes) -> list[tuple]:
    import json
    import struct

    length = struct.unpack_from("<I", info_glb, 12)[0]
    document = json.loads(info_glb[20 : 20 + length])
    signature = []
    for material in document.get("materials", []):
        pbr = material.get("pbrMetallicRoughness", {})
        signature.append(
            (
                material.get("name"),
                material.get("alphaMode", "OPAQUE"),
                "emissiveFactor" in material,
                "baseColorTexture" in pbr,
                "normalTexture" in material,
            )
        )
    return sorted(signature, key=repr)


def _keep_extras(original: bytes, rewritten: bytes) -> bytes:
    """Copy the document's and each material's `extras` (matched by name) into `rewritten`.

    The rewrite through trimesh drops them; they carry what variants need (material roles).
    """
    before, _ = unpack_glb(original)
    after, binary = unpack_glb(rewritten)
    extras = {m.get("name"): m["extras"] for m in before.get("materials", []) if "extras" in m}
    changed = False
    for material in after.get("materials", []):
        if material.get("name") in extras:
            material["extras"] = extras[material["name"]]
            changed = True
    if "extras" in before:
        after["extras"] = before["extras"]
        changed = True
    return pack_glb(after, binary) if changed else rewritten


def optimize(*, glb: bytes, triangle_budget: int) -> OptimizeResult:
    """Validate `glb`, weld it and reduce it to `triangle_budget` triangles; raise GlbInvalidError."""
    before = glb_inspect(glb)
    stats: dict[str, Any] = {
        "vertices_before": before.vertex_count,
        "triangles_before": before.triangle_count,
        "welded": False,
        "decimated": False,
        "rewrite_rejected": "",
    }
    scene = trimesh.load(io.BytesIO(glb), file_type="glb", force="scene", process=False)
    total_faces = sum(len(g.faces) for g in scene.geometry.values()) or 1
    decimate = before.triangle_count > triangle_budget
    changed = False
    for name, geometry in list(scene.geometry.items()):
        if not isinstance(geometry, trimesh.Trimesh) or len(geometry.faces) == 0:
            continue
        new = _weld(geometry)
        if decimate:
            share = len(geometry.faces) / total_faces
            new = _decimate(new, int(triangle_budget * share))
        if len(new.vertices) < len(geometry.vertices) * (1 - MIN_WELD_GAIN) or decimate:
            scene.geometry[name] = new
            changed = True
    if not changed:
        stats.update(vertex_count=before.vertex_count, triangle_count=before.triangle_count)
        return OptimizeResult(glb=glb, info=before, stats=stats)

    rewritten = _keep_extras(glb, scene.export(file_type="glb", include_normals=True))
    try:
        after = glb_inspect(rewritten)
    except Exception as exc:  # a failed rewrite falls back to the valid original
        stats["rewrite_rejected"] = f"invalid: {exc}"
        after = None
    if after is not None and _material_signature(rewritten) != _material_signature(glb):
        stats["rewrite_rejected"] = "materials changed"
        after = None
    if after is not None and decimate and after.triangle_count > triangle_budget:
        stats["rewrite_rejected"] = "still over budget"
        after = None
    if after is None:
        log.warning("optimize_rewrite_rejected", reason=stats["rewrite_rejected"])
        stats.update(vertex_count=before.vertex_count, triangle_count=before.triangle_count)
        return OptimizeResult(glb=glb, info=before, stats=stats)
    stats.update(
        welded=after.vertex_count < before.vertex_count,
        decimated=decimate,
        vertex_count=after.vertex_count,
        triangle_count=after.triangle_count,
    )
    return OptimizeResult(glb=rewritten, info=after, stats=stats)

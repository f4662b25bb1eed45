"""Quality levels of an export: a geometry level (triangle budget) and a texture cap.

Geometry levels take a share of the source's triangles, never more than a ceiling and
never fewer than a floor (a tiny model is not reduced to shreds):

| level  | share | ceiling | floor |
|--------|-------|---------|-------|
| full   | all   |         |       |
| medium | 50 %  | 50,000  | 500   |
| low    | 20 %  | 10,000  | 200   |

Static single-look GLBs are decimated per mesh with `mesh_decimate` (UVs, normals and
materials kept). GLBs with skins, animations, morph targets or material variants go
through gltfpack, because a trimesh round trip drops those silently. Texture caps then
downscale every embedded image larger than the cap, in place.
"""

import io
import math
from dataclasses import dataclass

import numpy as np
import structlog
import trimesh
from PIL import Image

from assets.glb import glb_inspect
from pipelines.stages.decimate import mesh_decimate
from pipelines.stages.export.errors import ExportInputError
from pipelines.stages.export.gltfdoc import (
    append_view,
    gltf_features,
    gltf_load,
    gltf_to_glb,
    repack,
    set_blob,
    view_bytes,
)
from pipelines.stages.export.gltfpack import gltfpack_simplify

log = structlog.get_logger("pipelines.stages.export.quality")

# level -> (share of the source's triangles, ceiling, floor); None keeps every triangle.
GEOMETRY_LEVELS: dict[str, tuple[float, int, int] | None] = {
    "full": None,
    "medium": (0.5, 50_000, 500),
    "low": (0.2, 10_000, 200),
}
# cap -> the longest side, in pixels, of any embedded texture; None keeps them as they are.
TEXTURE_CAPS: dict[str, int | None] = {"original": None, "2k": 2048, "1k": 1024, "512": 512}
JPEG_QUALITY = 90


@dataclass(frozen=True)
class QualityResult:
    """A GLB at one quality level, and what the UI shows about it."""

    glb: bytes
    geometry: str
    textures: str
    triangle_count: int
    vertex_count: int
    file_size: int
    triangles_before: int
    method: str  # "unchanged", "decimate" (static meshes) or "gltfpack" (rigs, variants)


def triangle_budget(level: str, triangles: int) -> int:
    """Return how many triangles geometry `level` allows for a model of `triangles`."""
    if level not in GEOMETRY_LEVELS:
        raise ExportInputError(
            f"Unknown geometry level {level!r}.", details={"choices": list(GEOMETRY_LEVELS)}
        )
    rule = GEOMETRY_LEVELS[level]
    if rule is None:
        return triangles
    share, ceiling, floor = rule
    return min(triangles, max(floor, min(ceiling, math.ceil(triangles * share))))


def quality_apply(
    glb: bytes, *, geometry: str = "full", textures: str = "original"
) -> QualityResult:
    """Return `glb` reduced to geometry level `geometry` and texture cap `textures`."""
    if textures not in TEXTURE_CAPS:
        raise ExportInputError(
            f"Unknown texture cap {textures!r}.", details={"choices": list(TEXTURE_CAPS)}
        )
    before = glb_inspect(glb)
    budget = triangle_budget(geometry, before.triangle_count)
    method = "unchanged"
    out = bytes(glb)
    if budget < before.triangle_count:
        features = gltf_features(gltf_load(out))
        if features:
            out = _gltfpack_to_budget(out, budget, before.triangle_count)
            method = "gltfpack"
        else:
            out = _decimate_static(out, budget, before.triangle_count)
            method = "decimate"
    cap = TEXTURE_CAPS[textures]
    if cap is not None:
        out = textures_cap(out, cap)
    after = glb_inspect(out)
    log.info(
        "export_quality_applied",
        geometry=geometry,
        textures=textures,
        method=method,
        triangles_before=before.triangle_count,
        triangles=after.triangle_count,
        size=after.file_size,
    )
    return QualityResult(
        glb=out,
        geometry=geometry,
        textures=textures,
        triangle_count=after.triangle_count,
        vertex_count=after.vertex_count,
        file_size=after.file_size,
        triangles_before=before.triangle_count,
        method=method,
    )


def _gltfpack_to_budget(glb: bytes, budget: int, total: int) -> bytes:
    """Simplify with gltfpack until the model fits `budget`: its ratio is per mesh and
    small meshes stop above it, so the ratio tightens (from the source each time)."""
    ratio = budget / total
    for _ in range(3):
        out = gltfpack_simplify(glb, ratio)
        drawn = glb_inspect(out).triangle_count
        if drawn <= budget:
            break
        ratio *= budget / drawn * 0.98
    return _drop_repeated_triangles(out)


_INDEX_TYPES = {5121: np.uint8, 5123: np.uint16, 5125: np.uint32}


def _drop_repeated_triangles(glb: bytes) -> bytes:
    """Return `glb` without the triangles simplification folds onto others: a triangle whose
    corners repeat, or one on the same three vertices as an earlier one. They cover nothing
    new, and importers (Blender's, so FBX) drop them, which would make counts disagree.
    A changed index list gets a bufferView of its own (its old one may be shared)."""
    document = gltf_load(glb)
    old = document.binary_blob() or b""
    blob = bytearray(old)
    changed = False
    done: set[int] = set()
    for mesh in document.meshes:
        for primitive in mesh.primitives:
            index = primitive.indices
            if index is None or index in done or primitive.mode not in (None, 4):
                continue
            done.add(index)
            accessor = document.accessors[index]
            kind = _INDEX_TYPES.get(accessor.componentType)
            if accessor.bufferView is None or kind is None:
                continue
            view = view_bytes(document, old, accessor.bufferView)
            start = accessor.byteOffset or 0
            size = np.dtype(kind).itemsize
            data = np.frombuffer(view[start : start + accessor.count * size], dtype=kind)
            faces = data[: len(data) - len(data) % 3].reshape(-1, 3)
            ordered = np.sort(faces, axis=1)
            _, first = np.unique(ordered, axis=0, return_index=True)
            keep = np.zeros(len(faces), dtype=bool)
            keep[first] = True
            keep &= (ordered[:, 0] != ordered[:, 1]) & (ordered[:, 1] != ordered[:, 2])
            if keep.all() or not keep.any():
                continue
            kept = faces[keep]
            accessor.bufferView = append_view(document, blob, kept.astype(kind).tobytes())
            accessor.byteOffset = 0
            accessor.count = int(kept.size)
            if accessor.min is not None or accessor.max is not None:
                accessor.min, accessor.max = [int(kept.min())], [int(kept.max())]
            changed = True
    if not changed:
        return glb
    set_blob(document, bytes(blob))
    return gltf_to_glb(document)


def _decimate_static(glb: bytes, budget: int, total: int) -> bytes:
    scene = trimesh.load(io.BytesIO(glb), file_type="glb", force="scene", process=False)
    meshes = {
        name: mesh
        for name, mesh in scene.geometry.items()
        if isinstance(mesh, trimesh.Trimesh) and len(mesh.faces)
    }
    uses = {name: 0 for name in meshes}
    for node in scene.graph.nodes_geometry:
        name = scene.graph[node][1]
        if name in uses:
            uses[name] += 1
    # Each mesh keeps its share of the budget; small meshes may stop above their target, so
    # a second pass tightens the shares until the whole model fits.
    goal = budget
    for _ in range(3):
        reduced = {
            name: mesh_decimate(mesh, int(goal * len(mesh.faces) / total))
            for name, mesh in meshes.items()
        }
        drawn = sum(len(mesh.faces) * uses[name] for name, mesh in reduced.items())
        if drawn <= budget:
            break
        goal = int(goal * budget / drawn * 0.98)
    scene.geometry.update(reduced)
    return scene.export(file_type="glb", include_normals=True)


def textures_cap(glb: bytes, max_size: int) -> bytes:
    """Return `glb` with every embedded image larger than `max_size` pixels scaled down to it.

    Images keep their format (PNG stays PNG, JPEG stays JPEG); normal maps are renormalised
    after resizing. Images at or under the cap are left byte for byte.
    """
    document = gltf_load(glb)
    blob = document.binary_blob() or b""
    normal_maps = {
        document.textures[m.normalTexture.index].source
        for m in document.materials
        if m.normalTexture is not None and m.normalTexture.index < len(document.textures)
    }
    replace: dict[int, bytes] = {}
    for index, image in enumerate(document.images):
        if image.bufferView is None:
            continue
        data = view_bytes(document, blob, image.bufferView)
        try:
            picture = Image.open(io.BytesIO(data))
            picture.load()
        except Exception as exc:  # Pillow raises many types on a broken image
            raise ExportInputError(f"Texture {index} cannot be decoded.") from exc
        if max(picture.size) <= max_size:
            continue
        scale = max_size / max(picture.size)
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        resized = picture.resize(size, Image.Resampling.LANCZOS)
        if index in normal_maps:
            resized = _renormalise(resized)
        replace[image.bufferView] = _encode(resized, picture.format or "PNG")
    if not replace:
        return bytes(glb)
    repack(document, replace)
    return gltf_to_glb(document)


def _renormalise(picture: Image.Image) -> Image.Image:
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float64) / 127.5 - 1.0
    rgb /= np.linalg.norm(rgb, axis=2, keepdims=True).clip(1e-6)
    return Image.fromarray(np.round((rgb + 1.0) * 127.5).clip(0, 255).astype(np.uint8))


def _encode(picture: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format.upper() in ("JPEG", "JPG"):
        picture.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
    else:
        picture.save(out, format="PNG", compress_level=6)
    return out.getvalue()

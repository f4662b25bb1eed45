"""What an export will weigh, before it runs: triangles exactly, file size estimated.

Triangles follow the quality level's budget (`triangle_budget`). The size splits the source
GLB into textures and geometry: geometry scales with the triangles kept, each texture with
the square of its scale under the cap, and a per-format factor covers the container (text
OBJ is larger than binary GLB; STL keeps geometry only).
"""

import io
import json
import struct
from dataclasses import dataclass

from PIL import Image

from pipelines.stages.export.quality import TEXTURE_CAPS, triangle_budget

# Bytes of the written file per byte of GLB geometry, and whether textures are kept.
FORMAT_FACTORS: dict[str, tuple[float, bool]] = {
    "glb": (1.0, True),
    "gltf": (0.9, True),  # zipped
    "obj": (1.6, True),  # zipped text
    "stl": (1.3, False),
    "ply": (1.0, False),
    "usdz": (1.1, True),
    "fbx": (1.4, True),
}


@dataclass(frozen=True)
class ExportEstimate:
    triangles_before: int
    triangles_after: int
    size_before: int
    size_after: int


def _textures(glb: bytes) -> list[tuple[int, int]]:
    """Return (byte length, longest side) of every embedded image of `glb`."""
    if len(glb) < 20 or glb[:4] != b"glTF":
        return []
    length, kind = struct.unpack_from("<I4s", glb, 12)
    if kind != b"JSON":
        return []
    document = json.loads(glb[20 : 20 + length])
    blob_start = 20 + length + 8
    views = document.get("bufferViews", [])
    found = []
    for image in document.get("images", []):
        view = views[image["bufferView"]] if "bufferView" in image else None
        if view is None:
            continue
        start = blob_start + view.get("byteOffset", 0)
        data = glb[start : start + view["byteLength"]]
        try:
            side = max(Image.open(io.BytesIO(data)).size)  # reads the header only
        except Exception:  # an undecodable image counts at full size
            side = 0
        found.append((view["byteLength"], side))
    return found


def export_estimate_one(
    glb: bytes, *, triangles: int, fmt: str, quality: str, texture_size: str
) -> ExportEstimate:
    """Estimate one asset's export from its GLB bytes and triangle count."""
    after = triangle_budget(quality, triangles)
    textures = _textures(glb)
    texture_bytes = sum(size for size, _ in textures)
    geometry = max(0, len(glb) - texture_bytes)
    factor, keeps_textures = FORMAT_FACTORS[fmt]
    share = after / triangles if triangles else 1.0
    size = geometry * share * factor
    if fmt == "stl":
        size = 84 + 50 * after
    if keeps_textures:
        cap = TEXTURE_CAPS[texture_size]
        for nbytes, side in textures:
            scale = min(1.0, cap / side) if cap and side else 1.0
            size += nbytes * scale * scale
    return ExportEstimate(
        triangles_before=triangles,
        triangles_after=after,
        size_before=len(glb),
        size_after=int(size),
    )

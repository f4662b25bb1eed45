"""Measure the peak memory of the upload path's file work for the largest GLB the limits allow.

Run: `.venv/bin/python benchmarks/glb_upload_memory.py` (about a minute). Each case runs in a
fresh child process, which builds the file, then runs what `asset_upload` does to it
(`glb_inspect` with the upload size limit, then `thumbnail_render` at 512 px); the figure is
the child's peak RSS (`ru_maxrss`) after minus before that work.
"""

import json
import os
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CASES = ["max_triangles_indexed", "max_vertices_non_indexed", "max_texture"]


def _build(case: str) -> bytes:
    import io

    import numpy as np
    from PIL import Image

    from assets.glb import GlbLimits
    from assets.glb_container import glb_pack

    limits = GlbLimits.from_settings()
    rng = np.random.default_rng(1)
    image = b""
    if case == "max_triangles_indexed":
        vertices = limits.vertices
        positions = rng.random((vertices, 3), dtype=np.float32)
        indices = rng.integers(0, vertices, limits.indices, dtype=np.uint32)
    elif case == "max_vertices_non_indexed":
        vertices = limits.vertices - limits.vertices % 3
        positions = rng.random((vertices, 3), dtype=np.float32)
        indices = None
    else:
        positions = rng.random((3, 3), dtype=np.float32)
        indices = None
        side = limits.texture_size
        out = io.BytesIO()
        Image.fromarray(rng.integers(0, 255, (side, side, 3), dtype=np.uint8)).save(
            out, format="PNG", compress_level=1
        )
        image = out.getvalue()
    binary = positions.astype("<f4").tobytes()
    views = [{"buffer": 0, "byteOffset": 0, "byteLength": len(binary)}]
    accessors = [{"bufferView": 0, "componentType": 5126, "count": len(positions), "type": "VEC3"}]
    primitive = {"attributes": {"POSITION": 0}}
    if indices is not None:
        views.append({"buffer": 0, "byteOffset": len(binary), "byteLength": indices.nbytes})
        accessors.append(
            {"bufferView": 1, "componentType": 5125, "count": len(indices), "type": "SCALAR"}
        )
        primitive["indices"] = 1
        binary += indices.astype("<u4").tobytes()
    document = {"asset": {"version": "2.0"}, "meshes": [{"primitives": [primitive]}]}
    if image:
        views.append({"buffer": 0, "byteOffset": len(binary), "byteLength": len(image)})
        binary += image
        document.update(
            images=[{"bufferView": len(views) - 1, "mimeType": "image/png"}],
            textures=[{"source": 0}],
            materials=[{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
        )
        primitive["material"] = 0
    document.update(
        buffers=[{"byteLength": len(binary)}],
        bufferViews=views,
        accessors=accessors,
        nodes=[{"mesh": 0}],
        scenes=[{"nodes": [0]}],
    )
    return glb_pack(document, binary)


def _child(case: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
    django.setup()
    from django.conf import settings

    from assets.glb import glb_inspect
    from assets.thumbnails import thumbnail_render

    data = _build(case)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    info = glb_inspect(data, max_size=settings.FORGE_UPLOAD_MAX_BYTES)
    thumbnail_render(data, size=512)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"case": case, "file_mb": round(len(data) / 2**20, 1),
                      "vertices": info.vertex_count, "triangles": info.triangle_count,
                      "baseline_mb": round(before / 1024), "added_peak_mb": round((peak - before) / 1024)}))  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 2:
        _child(sys.argv[1])
    else:
        for name in CASES:
            subprocess.run([sys.executable, __file__, name], check=True)  # noqa: S603

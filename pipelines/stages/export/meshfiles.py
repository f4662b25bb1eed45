"""STL and PLY: the model's triangles (and for PLY its normals, UVs and colours) in one file."""

import struct

import numpy as np
from PIL import Image

from pipelines.stages.export.scene import PlacedMesh, placed_meshes


def glb_to_stl(glb: bytes) -> bytes:
    """Return the model's triangles, in world space and metres, as a binary STL."""
    meshes = placed_meshes(glb)
    triangles = np.concatenate([m.vertices[m.faces] for m in meshes]).astype(np.float32)
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    normals /= np.linalg.norm(normals, axis=1, keepdims=True).clip(1e-12)
    record = np.dtype([("normal", "<f4", 3), ("corners", "<f4", (3, 3)), ("attribute", "<u2")])
    rows = np.zeros(len(triangles), dtype=record)
    rows["normal"] = normals
    rows["corners"] = triangles
    header = b"Forge STL export (metres, Y up)".ljust(80, b" ")
    return header + struct.pack("<I", len(rows)) + rows.tobytes()


def glb_to_ply(glb: bytes) -> bytes:
    """Return the model as one binary PLY mesh with normals, UVs (s, t) and vertex colours.

    Colours are the material's base colour, times its texture at the vertex where it has
    one, in sRGB.
    """
    meshes = placed_meshes(glb)
    vertex = np.dtype(
        [("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("nx", "<f4"), ("ny", "<f4"), ("nz", "<f4")]
        + [("s", "<f4"), ("t", "<f4"), ("red", "u1"), ("green", "u1"), ("blue", "u1")]
    )
    face = np.dtype([("count", "u1"), ("indices", "<i4", 3)])
    vertices, faces, offset = [], [], 0
    for mesh in meshes:
        rows = np.zeros(len(mesh.vertices), dtype=vertex)
        for axis, name in enumerate("xyz"):
            rows[name] = mesh.vertices[:, axis]
            rows["n" + name] = mesh.normals[:, axis]
        if mesh.uv is not None:
            rows["s"], rows["t"] = mesh.uv[:, 0], mesh.uv[:, 1]
        colors = vertex_colors(mesh)
        rows["red"], rows["green"], rows["blue"] = colors[:, 0], colors[:, 1], colors[:, 2]
        vertices.append(rows)
        tris = np.zeros(len(mesh.faces), dtype=face)
        tris["count"] = 3
        tris["indices"] = mesh.faces + offset
        faces.append(tris)
        offset += len(mesh.vertices)
    vertex_rows, face_rows = np.concatenate(vertices), np.concatenate(faces)
    header = "\n".join(
        [
            "ply",
            "format binary_little_endian 1.0",
            "comment Forge PLY export (metres, Y up)",
            f"element vertex {len(vertex_rows)}",
            *(f"property float {name}" for name in ("x", "y", "z", "nx", "ny", "nz", "s", "t")),
            *(f"property uchar {name}" for name in ("red", "green", "blue")),
            f"element face {len(face_rows)}",
            "property list uchar int vertex_indices",
            "end_header",
            "",
        ]
    )
    return header.encode("ascii") + vertex_rows.tobytes() + face_rows.tobytes()


def vertex_colors(mesh: PlacedMesh) -> np.ndarray:
    """Return (n, 3) uint8 sRGB colours: base colour factor times the texture under each UV."""
    factor = np.ones(4)
    material = mesh.material
    if material is not None and material.baseColorFactor is not None:
        factor = np.asarray(material.baseColorFactor, dtype=np.float64) / 255.0
    linear = np.tile(factor[:3], (len(mesh.vertices), 1))
    texture = getattr(material, "baseColorTexture", None) if material is not None else None
    if isinstance(texture, Image.Image) and mesh.uv is not None:
        pixels = np.asarray(texture.convert("RGB"), dtype=np.float64) / 255.0
        height, width = pixels.shape[:2]
        u = np.clip((mesh.uv[:, 0] % 1.0) * width, 0, width - 1).astype(int)
        v = np.clip((1.0 - mesh.uv[:, 1] % 1.0) * height, 0, height - 1).astype(int)
        linear = linear * _srgb_to_linear(pixels[v, u])
    return np.round(_linear_to_srgb(linear) * 255).clip(0, 255).astype(np.uint8)


def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)

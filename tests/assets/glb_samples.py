"""Build small GLB files with trimesh for tests: boxes, spheres, multi-node scenes, a sword."""

import json
import struct

import numpy as np
import trimesh


def _material(color):
    return trimesh.visual.material.PBRMaterial(
        baseColorFactor=color, metallicFactor=0.0, roughnessFactor=0.6
    )


def colored(mesh: trimesh.Trimesh, color=(200, 200, 200, 255)) -> trimesh.Trimesh:
    """Give `mesh` a single PBR material of sRGB-ish 8-bit `color` and return it."""
    mesh.visual = trimesh.visual.TextureVisuals(material=_material(color))
    return mesh


def scene_glb(*meshes: trimesh.Trimesh, transforms=None) -> bytes:
    """Export `meshes`, each as its own node with an optional 4x4 transform, to GLB bytes."""
    scene = trimesh.Scene()
    for index, mesh in enumerate(meshes):
        transform = transforms[index] if transforms else None
        scene.add_geometry(mesh, node_name=f"part_{index}", geom_name=f"mesh_{index}",
                           transform=transform)  # fmt: skip
    return scene.export(file_type="glb")


def box_glb(size=(1.0, 2.0, 3.0), color=(255, 0, 0, 255)) -> bytes:
    """Return a GLB of one box of extents `size` centred on the origin in `color`."""
    return scene_glb(colored(trimesh.creation.box(extents=size), color))


def sphere_glb(radius=1.0, subdivisions=3, color=(80, 140, 220, 255)) -> bytes:
    """Return a GLB of one icosphere."""
    return scene_glb(colored(trimesh.creation.icosphere(subdivisions, radius), color))


def two_part_glb() -> bytes:
    """Return a GLB of a unit box at the origin and a red box moved to x=+3 by its node."""
    moved = trimesh.transformations.translation_matrix([3.0, 0.0, 0.0])
    return scene_glb(
        colored(trimesh.creation.box(extents=(1, 1, 1)), (200, 200, 200, 255)),
        colored(trimesh.creation.box(extents=(1, 1, 1)), (255, 0, 0, 255)),
        transforms=[np.eye(4), moved],
    )


def occlusion_glb(*, hidden: bool = True) -> bytes:
    """Return a big red box and a small blue box, behind it (hidden) or in front of it.

    The camera looks from the front-right-top (+X, +Y, +Z), so "behind" is towards -X-Z.
    """
    offset = [-0.6, -0.2, -0.6] if hidden else [1.2, 0.2, 1.2]
    return scene_glb(
        colored(trimesh.creation.box(extents=(2, 2, 2)), (255, 0, 0, 255)),
        colored(trimesh.creation.box(extents=(0.4, 0.4, 0.4)), (0, 0, 255, 255)),
        transforms=[np.eye(4), trimesh.transformations.translation_matrix(offset)],
    )


def vertex_color_glb(color=(0, 0, 255, 255)) -> bytes:
    """Return a GLB of a box whose colour comes only from per-vertex COLOR_0."""
    mesh = trimesh.creation.box(extents=(1, 1, 1))
    mesh.visual = trimesh.visual.ColorVisuals(mesh, vertex_colors=np.tile(color, (8, 1)))
    return scene_glb(mesh)


def textured_glb(color=(0, 200, 0)) -> bytes:
    """Return a GLB of a box with a white base colour and an embedded solid-`color` texture."""
    from PIL import Image

    mesh = trimesh.creation.box(extents=(1, 1, 1))
    image = Image.new("RGB", (8, 8), color)
    material = trimesh.visual.material.PBRMaterial(
        baseColorTexture=image, metallicFactor=0.0, roughnessFactor=0.8
    )
    uv = np.zeros((len(mesh.vertices), 2))
    mesh.visual = trimesh.visual.TextureVisuals(uv=uv, material=material)
    return scene_glb(mesh)


def sword_glb() -> bytes:
    """Return a sword standing upright: blade, cross-guard, grip and pommel."""
    blade = colored(trimesh.creation.box(extents=(0.12, 1.6, 0.03)), (200, 205, 215, 255))
    blade.visual.material.metallicFactor = 0.9
    blade.visual.material.roughnessFactor = 0.3
    guard = colored(trimesh.creation.box(extents=(0.5, 0.06, 0.1)), (170, 130, 40, 255))
    grip = colored(trimesh.creation.cylinder(radius=0.035, height=0.35, sections=24),
                   (90, 50, 25, 255))  # fmt: skip
    pommel = colored(trimesh.creation.icosphere(2, 0.06), (170, 130, 40, 255))
    rotate = trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0])
    return scene_glb(
        blade, guard, grip, pommel,
        transforms=[
            trimesh.transformations.translation_matrix([0, 0.83, 0]),
            np.eye(4),
            trimesh.transformations.translation_matrix([0, -0.2, 0]) @ rotate,
            trimesh.transformations.translation_matrix([0, -0.4, 0]),
        ],
    )  # fmt: skip


def sphere_with_triangles(triangles: int, color=(80, 160, 90, 255)) -> bytes:
    """Return a GLB of a UV sphere with about `triangles` triangles."""
    count = max(3, int(round((triangles / 3.75) ** 0.5)))
    mesh = trimesh.creation.uv_sphere(radius=1.0, count=(count, count))
    return scene_glb(colored(mesh, color))


def glb_from_json(document: dict, binary: bytes = b"") -> bytes:
    """Assemble GLB bytes from a glTF JSON `document` and an optional BIN chunk."""
    text = json.dumps(document).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    if binary:
        binary += b"\0" * (-len(binary) % 4)
        body += struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def split_glb(data: bytes) -> tuple[dict, bytes]:
    """Return the JSON document and BIN chunk of GLB `data`."""
    json_length = struct.unpack_from("<I", data, 12)[0]
    document = json.loads(data[20 : 20 + json_length])
    offset = 20 + json_length
    binary = b""
    if offset + 8 <= len(data):
        bin_length = struct.unpack_from("<I", data, offset)[0]
        binary = data[offset + 8 : offset + 8 + bin_length]
    return document, binary


def _triangle_buffer(vertices: int) -> tuple[bytes, dict, dict]:
    """Return a BIN blob of `vertices` float positions, its buffer view and POSITION accessor."""
    positions = np.zeros((vertices, 3), dtype="<f4")
    positions[:, 0] = np.arange(vertices) % 3
    positions[:, 1] = np.arange(vertices) % 2
    binary = positions.tobytes()
    view = {"buffer": 0, "byteOffset": 0, "byteLength": len(binary)}
    accessor = {
        "bufferView": 0,
        "componentType": 5126,
        "count": vertices,
        "type": "VEC3",
        "min": [0, 0, 0],
        "max": [2, 1, 0],
    }
    return binary, view, accessor


def shared_accessor_glb(*, vertices: int, primitives: int) -> bytes:
    """Return a small GLB whose one POSITION accessor is drawn by `primitives` primitives."""
    binary, view, accessor = _triangle_buffer(vertices)
    document = {
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [view],
        "accessors": [accessor],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}] * primitives}],
        "nodes": [{"mesh": 0}],
        "scenes": [{"nodes": [0]}],
    }
    return glb_from_json(document, binary)


def many_nodes_glb(*, nodes: int, chain: bool = False) -> bytes:
    """Return a GLB of `nodes` nodes each placing one triangle, side by side or nested."""
    binary, view, accessor = _triangle_buffer(3)
    if chain:
        node_list = [{"mesh": 0, "children": [i + 1]} for i in range(nodes - 1)] + [{"mesh": 0}]
        roots = [0]
    else:
        node_list = [{"mesh": 0} for _ in range(nodes)]
        roots = list(range(nodes))
    document = {
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [view],
        "accessors": [accessor],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "nodes": node_list,
        "scenes": [{"nodes": roots}],
    }
    return glb_from_json(document, binary)


def textured_triangle_glb(image: bytes) -> bytes:
    """Return a GLB of one triangle whose material's base colour texture is `image`."""
    binary, view, accessor = _triangle_buffer(3)
    image_offset = len(binary)
    binary += image
    document = {
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [view, {"buffer": 0, "byteOffset": image_offset, "byteLength": len(image)}],
        "accessors": [accessor],
        "images": [{"bufferView": 1, "mimeType": "image/png"}],
        "textures": [{"source": 0}],
        "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "material": 0}]}],
        "nodes": [{"mesh": 0}],
        "scenes": [{"nodes": [0]}],
    }
    return glb_from_json(document, binary)


def png_header_only(width: int, height: int) -> bytes:
    """Return the start of a PNG that declares `width`x`height` (its header, no pixel data)."""
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk) & 0xFFFFFFFF)
    )

"""Export inputs: a generated asset, its material variants and a textured 10k-triangle torus."""

import io

import numpy as np
import pytest
import trimesh
from PIL import Image
from pygltflib import GLTF2

from pipelines.providers.base import PresetSpec
from pipelines.providers.local import LocalProvider

PRESETS = [
    PresetSpec("gold", "Gold", "#d4af37", 1.0, 0.25, None, "polished gold"),
    PresetSpec("ebony", "Ebony", "#2b1d14", 0.0, 0.6, None, "dark wood grain"),
    PresetSpec("marble", "Marble", "#e8e4dc", 0.0, 0.35, None, "white marble"),
]
# The torus's base colour: red on the upper half of the tube (u < 0.5), blue below.
RED = (220, 30, 30)
BLUE = (30, 60, 220)
TORUS_RADIUS, TORUS_TUBE = 1.0, 0.35


def _never() -> bool:
    return False


@pytest.fixture(scope="session")
def knight_glb() -> bytes:
    """A generated humanoid (about 17k triangles, 14 meshes), untextured as the provider makes it."""
    return (
        LocalProvider()
        .text_to_3d(
            prompt="a brave knight",
            negative_prompt="",
            kind="prop",
            art_style="realistic",
            quality="high",
            seed=7,
            should_cancel=_never,
        )
        .glb
    )


@pytest.fixture(scope="session")
def variant_glbs(knight_glb) -> list[tuple[str, bytes]]:
    """The knight retextured with each preset: same geometry, one look per file."""
    provider = LocalProvider()
    return [
        (
            preset.name,
            provider.retexture(glb=knight_glb, preset=preset, seed=3, should_cancel=_never).glb,
        )
        for preset in PRESETS
    ]


def torus_mesh(major: int = 100, minor: int = 50) -> trimesh.Trimesh:
    """A torus of 2·major·minor triangles with UVs; its seams are split vertices, as in glTF.

    u runs around the tube (u < 0.5 is its upper half, y > 0), v around the ring.
    """
    u, v = np.meshgrid(np.linspace(0, 1, minor + 1), np.linspace(0, 1, major + 1))
    ring, tube = v * 2 * np.pi, u * 2 * np.pi
    radius, thickness = TORUS_RADIUS, TORUS_TUBE
    reach = radius + thickness * np.cos(tube)
    points = np.stack([reach * np.cos(ring), thickness * np.sin(tube), reach * np.sin(ring)], -1)
    normals = np.stack([np.cos(tube) * np.cos(ring), np.sin(tube), np.cos(tube) * np.sin(ring)], -1)
    index = np.arange((major + 1) * (minor + 1)).reshape(major + 1, minor + 1)
    q00, q01, q10, q11 = index[:-1, :-1], index[:-1, 1:], index[1:, :-1], index[1:, 1:]
    faces = np.concatenate(
        [np.stack([q00, q01, q11], -1).reshape(-1, 3), np.stack([q00, q11, q10], -1).reshape(-1, 3)]
    )
    mesh = trimesh.Trimesh(
        points.reshape(-1, 3), faces, vertex_normals=normals.reshape(-1, 3), process=False
    )
    mesh.visual = trimesh.visual.TextureVisuals(uv=np.stack([u, v], -1).reshape(-1, 2))
    return mesh


def torus_u(points: np.ndarray) -> np.ndarray:
    """The u (around the tube) a point of the torus surface has, from its position."""
    reach = np.linalg.norm(points[:, [0, 2]], axis=1) - TORUS_RADIUS
    return (np.arctan2(points[:, 1], reach) / (2 * np.pi)) % 1.0


def torus_base_color(size: int = 1024) -> Image.Image:
    """Red where u < 0.5 (the upper half of the tube), blue elsewhere."""
    pixels = np.zeros((size, size, 3), np.uint8)
    pixels[:, : size // 2] = RED
    pixels[:, size // 2 :] = BLUE
    return Image.fromarray(pixels)


@pytest.fixture(scope="session")
def torus_glb() -> bytes:
    """A 10,000-triangle torus with a 1024² base-colour PNG and a 1024² metal-rough PNG."""
    mesh = torus_mesh()
    metal_rough = Image.new("RGB", (1024, 1024), (0, 150, 50))  # G roughness, B metallic
    material = trimesh.visual.material.PBRMaterial(
        name="torus",
        baseColorTexture=torus_base_color(),
        metallicRoughnessTexture=metal_rough,
        metallicFactor=0.8,
        roughnessFactor=0.4,
    )
    mesh.visual = trimesh.visual.TextureVisuals(uv=mesh.visual.uv, material=material)
    return trimesh.Scene({"torus": mesh}).export(file_type="glb", include_normals=True)


def png_size(data: bytes) -> tuple[int, int]:
    """Return the pixel size of an encoded image."""
    return Image.open(io.BytesIO(data)).size


@pytest.fixture(scope="session")
def rigged_glb() -> bytes:
    """A textured tube skinned to two joints (`upper`, `lower`) with clips `bend` and `twist`."""
    from pygltflib import (
        ARRAY_BUFFER,
        ELEMENT_ARRAY_BUFFER,
        FLOAT,
        GLTF2,
        MAT4,
        SCALAR,
        UNSIGNED_INT,
        UNSIGNED_SHORT,
        VEC2,
        VEC3,
        VEC4,
        Accessor,
        Animation,
        AnimationChannel,
        AnimationChannelTarget,
        AnimationSampler,
        Asset,
        Attributes,
        Buffer,
        BufferView,
        Material,
        Mesh,
        Node,
        PbrMetallicRoughness,
        Primitive,
        Scene,
        Skin,
        TextureInfo,
    )
    from pygltflib import Image as GltfImage
    from pygltflib import Texture as GltfTexture

    rings, sides = 33, 24  # 1,536 triangles
    angle = np.linspace(0, 2 * np.pi, sides + 1)
    height = np.linspace(0.0, 2.0, rings)
    a, h = np.meshgrid(angle, height)
    positions = np.stack([0.2 * np.cos(a), h, 0.2 * np.sin(a)], -1).reshape(-1, 3)
    normals = np.stack([np.cos(a), np.zeros_like(a), np.sin(a)], -1).reshape(-1, 3)
    uv = np.stack([a / (2 * np.pi), h / 2.0], -1).reshape(-1, 2)
    index = np.arange(rings * (sides + 1)).reshape(rings, sides + 1)
    q00, q01, q10, q11 = index[:-1, :-1], index[:-1, 1:], index[1:, :-1], index[1:, 1:]
    faces = np.concatenate(
        [np.stack([q00, q10, q11], -1).reshape(-1, 3), np.stack([q00, q11, q01], -1).reshape(-1, 3)]
    )
    joints = np.zeros((len(positions), 4), np.uint16)
    weights = np.zeros((len(positions), 4), np.float32)
    upper = positions[:, 1] < 1.0
    joints[:, 0] = np.where(upper, 0, 1)
    weights[:, 0] = 1.0
    ibm = np.stack([np.identity(4), np.identity(4)]).astype(np.float32)
    ibm[1, 1, 3] = -1.0  # inverse of the `lower` joint's rest translation (0, 1, 0)
    times = np.array([0.0, 1.0], np.float32)
    bend = np.array([[0, 0, 0, 1], [0, 0, np.sin(np.pi / 8), np.cos(np.pi / 8)]], np.float32)
    twist = np.array([[0, 0, 0, 1], [0, np.sin(np.pi / 4), 0, np.cos(np.pi / 4)]], np.float32)
    png = io.BytesIO()
    torus_base_color(64).save(png, format="PNG")

    gltf = GLTF2(asset=Asset(version="2.0"))
    blob = bytearray()

    def add(data: bytes, target=None) -> int:
        blob.extend(b"\x00" * (-len(blob) % 4))
        gltf.bufferViews.append(
            BufferView(buffer=0, byteOffset=len(blob), byteLength=len(data), target=target)
        )
        blob.extend(data)
        return len(gltf.bufferViews) - 1

    def accessor(array: np.ndarray, kind: str, component: int, target=None, minmax=False) -> int:
        view = add(array.tobytes(), target)
        extra = (
            {"min": array.min(axis=0).tolist(), "max": array.max(axis=0).tolist()} if minmax else {}
        )
        gltf.accessors.append(
            Accessor(bufferView=view, componentType=component, count=len(array), type=kind, **extra)
        )
        return len(gltf.accessors) - 1

    attributes = Attributes(
        POSITION=accessor(positions.astype(np.float32), VEC3, FLOAT, ARRAY_BUFFER, minmax=True),
        NORMAL=accessor(normals.astype(np.float32), VEC3, FLOAT, ARRAY_BUFFER),
        TEXCOORD_0=accessor(uv.astype(np.float32), VEC2, FLOAT, ARRAY_BUFFER),
        JOINTS_0=accessor(joints, VEC4, UNSIGNED_SHORT, ARRAY_BUFFER),
        WEIGHTS_0=accessor(weights, VEC4, FLOAT, ARRAY_BUFFER),
    )
    indices = accessor(
        faces.astype(np.uint32).reshape(-1), SCALAR, UNSIGNED_INT, ELEMENT_ARRAY_BUFFER
    )
    gltf.images.append(
        GltfImage(bufferView=add(png.getvalue()), mimeType="image/png", name="stripes")
    )
    gltf.textures.append(GltfTexture(source=0))
    gltf.materials.append(
        Material(
            name="skin",
            pbrMetallicRoughness=PbrMetallicRoughness(
                baseColorTexture=TextureInfo(index=0), metallicFactor=0.0, roughnessFactor=0.7
            ),
        )
    )
    gltf.meshes.append(
        Mesh(
            name="tube", primitives=[Primitive(attributes=attributes, indices=indices, material=0)]
        )
    )
    gltf.nodes += [
        Node(name="upper", children=[1]),
        Node(name="lower", translation=[0.0, 1.0, 0.0]),
        Node(name="arm", mesh=0, skin=0),
    ]
    gltf.skins.append(
        Skin(
            name="rig",
            joints=[0, 1],
            skeleton=0,
            inverseBindMatrices=accessor(ibm.transpose(0, 2, 1).reshape(-1, 16), MAT4, FLOAT),
        )
    )
    for name, node, rotation in (("bend", 1, bend), ("twist", 0, twist)):
        gltf.animations.append(
            Animation(
                name=name,
                samplers=[
                    AnimationSampler(
                        input=accessor(times.reshape(-1, 1), SCALAR, FLOAT, minmax=True),
                        output=accessor(rotation, VEC4, FLOAT),
                        interpolation="LINEAR",
                    )
                ],
                channels=[
                    AnimationChannel(
                        sampler=0, target=AnimationChannelTarget(node=node, path="rotation")
                    )
                ],
            )
        )
    gltf.scenes.append(Scene(nodes=[0, 2]))
    gltf.scene = 0
    gltf.buffers.append(Buffer(byteLength=len(blob)))
    gltf.set_binary_blob(bytes(blob))
    return b"".join(gltf.save_to_bytes())


def used_materials(glb: bytes) -> list:
    """Return the glTF materials the primitives of `glb` use, each once, in first-use order.

    Presets recolour only the parts whose role they fit (gold: metal and trim), so tests
    compare an export's materials with its own source rather than with fixed numbers.
    """
    document = GLTF2.load_from_bytes(glb)
    order = []
    for mesh in document.meshes:
        for primitive in mesh.primitives:
            if primitive.material is not None and primitive.material not in order:
                order.append(primitive.material)
    return [document.materials[index] for index in order]

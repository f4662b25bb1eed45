"""Export inputs: a generated asset, its material variants and a textured 10k-triangle torus."""

import io

import numpy as np
import pytest
import trimesh
from PIL import Image

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

"""The local provider's catalogue: every kind valid and deterministic, each family's kinds distinct."""

import hashlib
import io
import itertools
import math

import numpy as np
import pytest
import trimesh
from PIL import Image, ImageDraw

from assets.models import AssetArtStyle
from pipelines.providers.local import QUALITIES, LocalProvider
from pipelines.providers.procedural.catalogue import FAMILIES, KINDS
from tests.gltf_validator import validate_many

# Prompts that exercise the composer: attachments, combinations, conditions and styles.
COMPOSED = [
    "a steampunk robot owl",
    "a golden crown with rubies",
    "a knight holding a lantern",
    "a table with three legs and a candle",
    "a castle with six towers",
    "a mossy rusty iron sword with three sapphires",
    "a zombie villager wearing a crown",
    "a ghost ship with horns",
    "a sci-fi crate with an antenna",
    "a huge dragon with wings and spikes",
    "a spaceship",
    "a blorptastic zazzle",
]


def generate(prompt: str, **overrides):
    args = {
        "prompt": prompt,
        "negative_prompt": "",
        "kind": "",
        "art_style": "realistic",
        "quality": "draft",
        "seed": 7,
        "should_cancel": lambda: False,
    }
    args.update(overrides)
    return LocalProvider().text_to_3d(**args)


def prompt_for(kind: str) -> str:
    return f"a {kind.replace('_', ' ')}"


def test_every_kind_style_and_quality_is_valid_and_byte_identical_for_the_same_seed():
    files = {}
    for i, kind in enumerate(KINDS):
        for style in AssetArtStyle.values:
            for quality in QUALITIES:
                first = generate(prompt_for(kind), art_style=style, quality=quality, seed=i)
                again = generate(prompt_for(kind), art_style=style, quality=quality, seed=i)
                assert first.object_kind == kind
                assert hashlib.sha256(first.glb).digest() == hashlib.sha256(again.glb).digest(), (
                    kind,
                    style,
                    quality,
                )
                files[f"{kind} {style} {quality}"] = first.glb
    for i, prompt in enumerate(COMPOSED):
        for style in ("realistic", "low_poly", "voxel"):
            files[f"{prompt} {style}"] = generate(prompt, art_style=style, seed=i).glb
    reports = validate_many(files)
    assert len(reports) == len(files)
    bad = {
        name: report["issues"]["messages"][:3]
        for name, report in reports.items()
        if report["issues"]["numErrors"] or report["issues"]["numWarnings"]
    }
    assert bad == {}
    assert all(report["info"]["totalTriangleCount"] > 0 for report in reports.values())


def test_seeds_give_several_shape_variations_per_kind():
    few = []
    for kind in KINDS:
        shapes = {
            hashlib.sha256(generate(prompt_for(kind), seed=seed).glb).digest() for seed in range(4)
        }
        if len(shapes) < 3:
            few.append(kind)
    assert few == []


def silhouette(glb: bytes, size: int = 64) -> np.ndarray:
    """Return the object's filled outline from the thumbnail's 3/4 view, framed to its bounds."""
    scene = trimesh.load(io.BytesIO(glb), file_type="glb", force="scene")
    triangles = []
    for node in scene.graph.nodes_geometry:
        transform, name = scene.graph[node]
        mesh = scene.geometry[name]
        triangles.append(trimesh.transform_points(mesh.vertices, transform)[mesh.faces])
    tri = np.concatenate(triangles)
    azimuth, elevation = math.radians(40), math.radians(25)
    right = np.array([math.cos(azimuth), 0.0, -math.sin(azimuth)])
    forward = np.array(
        [
            math.sin(azimuth) * math.cos(elevation),
            math.sin(elevation),
            math.cos(azimuth) * math.cos(elevation),
        ]
    )
    up = np.cross(forward, right)
    x, y = tri @ right, tri @ up
    scale = (size - 2) / max(np.ptp(x), np.ptp(y))
    px = (x - (x.min() + x.max()) / 2) * scale + size / 2
    py = size / 2 - (y - (y.min() + y.max()) / 2) * scale
    image = Image.new("1", (size, size), 0)
    draw = ImageDraw.Draw(image)
    for xs, ys in zip(px, py, strict=True):
        draw.polygon(list(zip(xs, ys, strict=True)), fill=1)
    return np.array(image, dtype=bool)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_each_kind_of_a_family_has_its_own_silhouette(family):
    masks = {
        kind.name: silhouette(generate(prompt_for(kind.name), seed=1).glb) for kind in family.kinds
    }
    alike = []
    for a, b in itertools.combinations(masks, 2):
        iou = (masks[a] & masks[b]).sum() / (masks[a] | masks[b]).sum()
        if iou >= 0.9:
            alike.append((a, b, round(float(iou), 3)))
    assert alike == []

"""Material roles: every part says what it is, and variants recolour only the parts a preset fits."""

import io

import numpy as np
import pytest
from PIL import Image

from assets.thumbnails import thumbnail_render
from pipelines.providers.base import PresetSpec
from pipelines.providers.local import LocalProvider
from pipelines.providers.procedural.catalogue import KINDS
from pipelines.providers.procedural.glb import pack_glb, unpack_glb
from pipelines.providers.procedural.materials import ROLES
from pipelines.stages.optimize import optimize

GOLD = PresetSpec(
    "gold", "Polished gold", "#d4af37", 1.0, 0.25, None, "polished gold, fine scratches"
)
EBONY = PresetSpec("ebony", "Ebony", "#2b211c", 0.0, 0.45, None, "dark polished ebony")
PLASMA = PresetSpec("plasma", "Plasma", "#22d3ee", 0.0, 0.2, "#22d3ee", "glowing cyan energy")
PROTECTED = ("skin", "eye", "glow")


def generate(prompt: str, **overrides) -> bytes:
    args = {
        "prompt": prompt,
        "negative_prompt": "",
        "kind": "",
        "art_style": "realistic",
        "quality": "draft",
        "seed": 3,
        "should_cancel": lambda: False,
    }
    args.update(overrides)
    return LocalProvider().text_to_3d(**args).glb


def variant(glb: bytes, preset: PresetSpec) -> bytes:
    return (
        LocalProvider().retexture(glb=glb, preset=preset, seed=1, should_cancel=lambda: False).glb
    )


def materials(glb: bytes) -> dict[str, dict]:
    return {m["name"]: m for m in unpack_glb(glb)[0]["materials"]}


def role(material: dict) -> str:
    return material["extras"]["forge_role"]


def changed(before: bytes, after: bytes) -> dict[str, str]:
    old, new = materials(before), materials(after)
    return {name: role(m) for name, m in old.items() if new[name] != m}


def test_every_material_of_every_kind_carries_a_known_role():
    for kind in KINDS:
        for style in ("realistic", "voxel"):
            for material in materials(
                generate(f"a {kind.replace('_', ' ')}", art_style=style)
            ).values():
                assert role(material) in ROLES, (kind, material["name"])


def test_a_gold_knight_gets_gold_armour_but_keeps_its_face_and_eyes():
    knight = generate("a brave knight")
    recoloured = changed(knight, variant(knight, GOLD))
    assert set(recoloured.values()) == {"metal"}
    assert {"steel", "iron"} <= set(recoloured)
    for material in materials(knight).values():
        if role(material) in PROTECTED:
            assert material["name"] not in recoloured


@pytest.mark.parametrize(
    ("prompt", "preset", "fits"),
    [
        ("a treasure chest", EBONY, {"wood"}),
        ("a wooden chair", EBONY, {"wood"}),
        ("a treasure chest", GOLD, {"metal", "trim"}),
        ("a street lamp", GOLD, {"metal"}),
        ("a wizard", PLASMA, {"cloth", "leather", "hair", "wood"}),
    ],
)
def test_a_preset_recolours_the_roles_it_fits(prompt, preset, fits):
    glb = generate(prompt)
    recoloured = changed(glb, variant(glb, preset))
    assert recoloured
    assert set(recoloured.values()) <= fits
    assert not set(recoloured.values()) & set(PROTECTED)


PROMPTS = [
    "a brave knight",
    "a grey wolf",
    "a robot owl",
    "a steampunk robot owl",
    "a wizard",
    "a golden crown with rubies",
    "a dragon",
]
# A brass owl's gold variant is still brass-gold: the one pair that cannot look different.
CASES = [
    (prompt, preset)
    for prompt in PROMPTS
    for preset in (GOLD, EBONY, PLASMA)
    if (prompt, preset.slug) != ("a steampunk robot owl", "gold")
]


@pytest.mark.parametrize(("prompt", "preset"), CASES)
def test_variants_never_touch_skin_eyes_or_glow_and_still_look_different(prompt, preset):
    glb = generate(prompt)
    out = variant(glb, preset)
    before, after = materials(glb), materials(out)
    for name, material in before.items():
        if role(material) in PROTECTED:
            assert after[name] == material, name
    original = np.asarray(
        Image.open(io.BytesIO(thumbnail_render(glb, size=96))).convert("RGB"), float
    )
    recoloured = np.asarray(
        Image.open(io.BytesIO(thumbnail_render(out, size=96))).convert("RGB"), float
    )
    moved = np.abs(original - recoloured).sum(axis=2) > 30
    assert moved.mean() > 0.02


def test_a_glb_without_roles_is_recoloured_everywhere():
    doc, binary = unpack_glb(generate("a brave knight"))
    for material in doc["materials"]:
        material.pop("extras")
    bare = pack_glb(doc, binary)
    assert len(
        changed_names := [
            m
            for m in materials(variant(bare, GOLD)).values()
            if m["pbrMetallicRoughness"]["metallicFactor"] == 1.0
        ]
    ) == len(doc["materials"]), changed_names


def test_roles_survive_the_optimize_rewrite():
    glb = generate("a steampunk robot owl", art_style="low_poly", quality="high")
    result = optimize(glb=glb, triangle_budget=400)
    assert result.stats["decimated"] is True
    assert {n: role(m) for n, m in materials(result.glb).items()} == {
        n: role(m) for n, m in materials(glb).items()
    }
    assert unpack_glb(result.glb)[0]["extras"]["forge"]["object"] == "owl"

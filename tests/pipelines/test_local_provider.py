"""The local provider: recognisable procedural objects as valid, deterministic GLBs."""

import io
import json
import struct

import pytest
import trimesh

from assets.models import AssetArtStyle
from forge.exceptions import ValidationFailedError
from pipelines.providers import provider_get
from pipelines.providers.base import (
    MeshResult,
    PresetSpec,
    Provider,
    ProviderCanceled,
    RetextureResult,
)
from pipelines.providers.local import LocalProvider
from pipelines.providers.procedural.materials import hex_to_linear
from tests.gltf_validator import validate_glb

# A typical prompt per kind and the node names a viewer will show for it.
TYPICAL = {
    "sword": ("a steel longsword", {"blade", "guard", "grip", "pommel"}),
    "axe": ("a battle axe", {"head", "handle", "grip"}),
    "hammer": ("a blacksmith hammer", {"head", "handle"}),
    "spear": ("a hunting spear", {"shaft", "head"}),
    "bow": ("an elven longbow", {"limbs", "grip", "string"}),
    "staff": ("a wizard's staff", {"shaft", "orb"}),
    "shield": ("a knight's shield", {"face", "rim", "boss"}),
    "helmet": ("a viking helmet", {"dome", "rim", "horns"}),
    "chest": ("a treasure chest", {"body", "lid", "bands", "lock"}),
    "barrel": ("an oak barrel", {"staves", "hoops", "lid"}),
    "crate": ("a wooden crate", {"panels", "frame", "braces"}),
    "chair": ("a kitchen chair", {"seat", "legs", "backrest"}),
    "table": ("a dining table", {"top", "legs"}),
    "tree": ("an old oak tree", {"trunk", "foliage"}),
    "pine": ("a pine tree", {"trunk", "foliage"}),
    "rock": ("a mossy boulder", {"rock"}),
    "house": ("a cottage", {"walls", "roof", "door", "windows"}),
    "tower": ("a watchtower", {"body", "windows", "door"}),
    "potion": ("a healing potion", {"flask", "liquid", "cork"}),
    "bottle": ("a wine bottle", {"bottle", "label", "cork"}),
    "lamp": ("a desk lamp", {"base", "stem", "shade", "bulb"}),
    "lantern": ("an iron lantern", {"frame", "glass", "flame", "handle"}),
    "knight": ("a brave knight", {"head", "torso", "arms", "legs", "helmet", "sword", "shield"}),
    "wolf": ("a grey wolf", {"body", "legs", "head", "tail"}),
    "armchair": ("a cozy armchair", {"base", "cushion", "back", "arms"}),
    "spaceship": ("a spaceship", {"fuselage", "wings", "cockpit", "engines"}),
    "dragon": ("a dragon", {"body", "wings", "horns", "tail"}),
    "owl": ("an owl", {"body", "head", "eyes", "beak"}),
    "crown": ("a golden crown", {"band", "points"}),
    "mushroom": ("a toadstool", {"stem", "cap", "spots"}),
    "crystal": ("a glowing crystal", {"crystals", "base"}),
    "cart": ("a farm cart", {"bed", "wheels", "axle"}),
    "car": ("a sports car", {"body", "wheels", "windows"}),
    "boat": ("a small sailboat", {"hull", "mast", "sail"}),
    "totem": ("a carved tribal totem", {"pole", "faces", "top"}),
}
STYLES = ("low_poly", "realistic", "voxel")
QUALITIES = ("draft", "high")


def never() -> bool:
    return False


def generate(prompt: str, **overrides) -> MeshResult:
    args = {
        "prompt": prompt,
        "negative_prompt": "",
        "kind": "prop",
        "art_style": "realistic",
        "quality": "draft",
        "seed": 7,
        "should_cancel": never,
    }
    args.update(overrides)
    return LocalProvider().text_to_3d(**args)


def gltf_json(glb: bytes) -> dict:
    magic, version, length = struct.unpack_from("<III", glb, 0)
    assert (magic, version, length) == (0x46546C67, 2, len(glb))
    size, kind = struct.unpack_from("<II", glb, 12)
    assert kind == 0x4E4F534A
    return json.loads(glb[20 : 20 + size])


def load_scene(glb: bytes) -> trimesh.Scene:
    return trimesh.load(io.BytesIO(glb), file_type="glb", force="scene")


def triangles(glb: bytes) -> int:
    doc = gltf_json(glb)
    return sum(
        doc["accessors"][p["indices"]]["count"] // 3 for m in doc["meshes"] for p in m["primitives"]
    )


def vertices(glb: bytes) -> int:
    doc = gltf_json(glb)
    return sum(
        doc["accessors"][p["attributes"]["POSITION"]]["count"]
        for m in doc["meshes"]
        for p in m["primitives"]
    )


PRESET = PresetSpec(
    slug="rusty-iron",
    name="Rusty iron",
    base_color="#8a4b2a",
    metallic=0.8,
    roughness=0.7,
    emissive=None,
    texture_prompt="rusty iron plates",
)


def test_local_provider_implements_the_provider_interface():
    provider = provider_get("local")
    assert isinstance(provider, LocalProvider)
    assert isinstance(provider, Provider)
    assert provider.name == "local"


def test_unknown_provider_name_is_a_validation_error():
    with pytest.raises(ValidationFailedError):
        provider_get("nope")


@pytest.mark.parametrize("kind", sorted(TYPICAL))
def test_typical_prompt_builds_the_named_object_with_named_parts(kind):
    prompt, expected_nodes = TYPICAL[kind]
    result = generate(prompt)
    doc = gltf_json(result.glb)
    names = {n["name"] for n in doc["nodes"]}
    assert result.object_kind == kind
    assert result.recognised is True
    assert expected_nodes <= names
    assert doc["nodes"][0]["name"] == kind
    assert doc["asset"]["generator"] == "Forge local provider 1.0"
    assert all(m.get("name") for m in doc["meshes"])
    assert all(m.get("name") for m in doc["materials"])


def test_every_material_sets_metallic_and_roughness_explicitly():
    for kind, (prompt, _) in TYPICAL.items():
        for style in ("realistic", "cartoon", "stylized"):
            doc = gltf_json(generate(prompt, art_style=style).glb)
            for material in doc["materials"]:
                pbr = material["pbrMetallicRoughness"]
                assert 0.0 <= pbr["metallicFactor"] <= 1.0, (kind, material)
                assert 0.0 <= pbr["roughnessFactor"] <= 1.0, (kind, material)
                assert len(pbr["baseColorFactor"]) == 4


def test_sword_parts_get_fitting_materials():
    doc = gltf_json(generate("a steel sword").glb)
    by_node = {
        n["name"]: doc["materials"][doc["meshes"][n["mesh"]]["primitives"][0]["material"]]
        for n in doc["nodes"]
        if "mesh" in n
    }
    assert by_node["blade"]["pbrMetallicRoughness"]["metallicFactor"] == 1.0
    assert by_node["grip"]["pbrMetallicRoughness"]["metallicFactor"] == 0.0
    assert by_node["grip"]["name"] == "leather"


def test_same_inputs_give_identical_bytes():
    for style in ("realistic", "low_poly", "voxel"):
        first = generate("an ornate golden sword", art_style=style, seed=42)
        second = generate("an ornate golden sword", art_style=style, seed=42)
        assert first.glb == second.glb
        assert first.notes == second.notes


def test_different_seeds_give_different_variants():
    one = load_scene(generate("a sword", seed=1).glb)
    two = load_scene(generate("a sword", seed=2).glb)
    assert generate("a sword", seed=1).glb != generate("a sword", seed=2).glb
    assert (
        abs(one.extents[1] - two.extents[1]) > 1e-3 or abs(one.extents[0] - two.extents[0]) > 1e-3
    )


def test_higher_quality_has_more_triangles():
    for prompt in ("a barrel", "a knight", "a mushroom", "a pine tree", "a sword", "a dragon"):
        draft = triangles(generate(prompt, quality="draft").glb)
        standard = triangles(generate(prompt, quality="standard").glb)
        high = triangles(generate(prompt, quality="high").glb)
        assert draft < standard < high, prompt


def test_triangle_budgets_per_quality():
    budget = {"draft": 3000, "standard": 15000, "high": 60000}
    for prompt, _ in TYPICAL.values():
        for quality, limit in budget.items():
            for style in ("realistic", "voxel"):
                count = triangles(generate(prompt, quality=quality, art_style=style).glb)
                assert count <= limit, (prompt, quality, style, count)


def test_low_poly_uses_flat_shading():
    doc = gltf_json(generate("a barrel", art_style="low_poly").glb)
    for mesh in doc["meshes"]:
        prim = mesh["primitives"][0]
        assert (
            doc["accessors"][prim["attributes"]["POSITION"]]["count"]
            == doc["accessors"][prim["indices"]]["count"]
        )


def test_voxel_style_is_made_of_axis_aligned_cubes():
    scene = load_scene(generate("a barrel", art_style="voxel").glb)
    for geom in scene.geometry.values():
        normals = geom.face_normals
        assert ((abs(normals) > 0.999).sum(axis=1) == 1).all()


def test_long_sword_has_a_longer_blade_than_short_sword():
    long_blade = load_scene(generate("a long sword").glb).geometry["blade"]
    short_blade = load_scene(generate("a short sword").glb).geometry["blade"]
    assert long_blade.extents[1] > short_blade.extents[1] * 1.5


def test_size_words_scale_the_object():
    huge = load_scene(generate("a huge barrel").glb)
    tiny = load_scene(generate("a tiny barrel").glb)
    assert huge.extents[1] > tiny.extents[1] * 2


def test_wide_words_widen_the_object():
    wide = load_scene(generate("a wide table").glb)
    narrow = load_scene(generate("a narrow table").glb)
    assert wide.extents[0] > narrow.extents[0] * 1.4


def test_objects_rest_on_the_ground_at_a_real_world_scale():
    sword = load_scene(generate("a sword").glb)
    house = load_scene(generate("a house").glb)
    assert abs(sword.bounds[0][1]) < 1e-4
    assert 0.6 < sword.extents[1] < 1.4
    assert 3.0 < house.extents[1] < 9.0


def test_colour_and_material_words_change_materials():
    red_potion = gltf_json(generate("a red potion").glb)
    golden = gltf_json(generate("a golden sword").glb)
    liquid = next(m for m in red_potion["materials"] if m["name"].startswith("liquid"))
    assert liquid["name"] == "liquid_red"
    assert liquid["pbrMetallicRoughness"]["baseColorFactor"][0] > 0.4
    assert "gold" in {m["name"] for m in golden["materials"]}


def test_two_handed_and_double_bladed_words_change_the_shape():
    one = load_scene(generate("an axe", seed=3).glb).geometry["head"]
    two = load_scene(generate("a double-bladed axe", seed=3).glb).geometry["head"]
    assert two.extents[0] > one.extents[0] * 1.3
    plain = load_scene(generate("a sword", seed=3).glb).geometry["grip"]
    great = load_scene(generate("a two-handed sword", seed=3).glb).geometry["grip"]
    assert great.extents[1] > plain.extents[1] * 1.4


def test_negative_prompt_words_are_ignored():
    assert generate("a sword and a shield", negative_prompt="sword").object_kind == "shield"


def test_issue_prompts_build_what_they_name():
    crown = gltf_json(generate("a golden crown with rubies").glb)
    nodes = {n["name"] for n in crown["nodes"]}
    assert {"band", "points", "gems"} <= nodes
    rubies = next(m for m in crown["materials"] if m["name"] == "gem_rubies")
    assert rubies["pbrMetallicRoughness"]["baseColorFactor"][0] > 0.4
    owl = generate("a steampunk robot owl")
    owl_doc = gltf_json(owl.glb)
    assert owl.object_kind == "owl"
    assert owl.asset_kind == "creature"
    assert {"antenna", "gears", "beak", "talons"} <= {n["name"] for n in owl_doc["nodes"]}
    body = next(
        owl_doc["materials"][owl_doc["meshes"][n["mesh"]]["primitives"][0]["material"]]
        for n in owl_doc["nodes"]
        if n["name"] == "body"
    )
    assert body["pbrMetallicRoughness"]["metallicFactor"] == 1.0
    assert body["extras"]["forge_role"] == "metal"
    assert generate("a cozy armchair").object_kind == "armchair"
    assert generate("a spaceship").object_kind == "spaceship"
    assert generate("a dragon", kind="").asset_kind == "creature"


def test_attachments_are_built_and_placed_where_they_belong():
    knight = load_scene(generate("a knight holding a lantern").glb)
    hand = knight.geometry["hands"].bounds
    lantern = knight.geometry["lantern_frame"].bounds
    assert "sword" not in knight.geometry
    assert abs(lantern[0][1] - hand.mean(axis=0)[1]) < 0.3
    table = load_scene(generate("a table with a candle", seed=1).glb)
    top = table.geometry["top"].bounds[1][1]
    assert table.geometry["candle_candles"].bounds[0][1] >= top - 0.06
    three = load_scene(generate("a stool with three legs").glb).geometry["legs"]
    four = load_scene(generate("a stool with four legs").glb).geometry["legs"]
    assert len(three.faces) * 4 == len(four.faces) * 3


def test_conditions_and_styles_change_what_is_seen():
    plain = gltf_json(generate("an iron sword", seed=2).glb)
    rusty = gltf_json(generate("a rusty iron sword", seed=2).glb)
    blade = {m["name"]: m for m in plain["materials"]}["iron"]
    rust = next(m for m in rusty["materials"] if m["name"].startswith("iron_rusty"))
    assert (
        rust["pbrMetallicRoughness"]["baseColorFactor"]
        != blade["pbrMetallicRoughness"]["baseColorFactor"]
    )
    mossy = gltf_json(generate("a mossy stone column").glb)
    assert "moss" in {n["name"] for n in mossy["nodes"]}


def test_unknown_prompt_is_approximate_and_says_so():
    result = generate("a submarine", kind="vehicle")
    assert result.recognised is False
    assert result.approximate is True
    assert result.object_kind == "cart"
    assert result.asset_kind == "vehicle"
    assert result.reason.startswith("No builder for 'submarine' yet — made a generic vehicle; try:")
    assert result.suggestions and "cart" not in result.suggestions
    assert result.notes[0] == result.reason + "."
    assert gltf_json(result.glb)["extras"]["forge"]["approximate"] is True
    known = generate("a cart")
    assert known.approximate is False and known.reason == "" and known.suggestions == []
    assert validate_glb(result.glb)["issues"]["numErrors"] == 0


def test_retexture_applies_the_preset_to_the_parts_it_fits_and_keeps_geometry():
    original = generate("a treasure chest").glb
    result = LocalProvider().retexture(glb=original, preset=PRESET, seed=1, should_cancel=never)
    assert isinstance(result, RetextureResult)
    doc = gltf_json(result.glb)
    before = {m["name"]: m for m in gltf_json(original)["materials"]}
    want = hex_to_linear(PRESET.base_color)
    factors = []
    for material in doc["materials"]:
        pbr = material["pbrMetallicRoughness"]
        if material["extras"]["forge_role"] not in ("metal", "trim"):
            # "Rusty iron" fits the bands, lock and nails; the wood keeps its look.
            assert material == before[material["name"]]
            continue
        assert pbr["metallicFactor"] == pytest.approx(0.8)
        assert pbr["roughnessFactor"] == pytest.approx(0.7)
        assert "emissiveFactor" not in material
        assert "baseColorTexture" in pbr
        color = pbr["baseColorFactor"]
        # Every recoloured part keeps the preset hue; only brightness varies for contrast.
        ratio = color[0] / want[0]
        assert color[1] == pytest.approx(want[1] * ratio, rel=1e-3)
        assert color[2] == pytest.approx(want[2] * ratio, rel=1e-3)
        factors.append(ratio)
    assert len(factors) >= 2
    assert max(factors) == pytest.approx(1.0, rel=1e-4)
    assert vertices(result.glb) == vertices(original)
    assert triangles(result.glb) == triangles(original)
    assert [n["name"] for n in doc["nodes"]] == [n["name"] for n in gltf_json(original)["nodes"]]
    report = validate_glb(result.glb)
    assert report["issues"]["numErrors"] == 0
    assert report["info"]["hasTextures"] is True


def test_retexture_sets_emissive_and_is_deterministic_and_repeatable():
    preset = PresetSpec("lava", "Lava", "#ff5a1f", 0.0, 0.9, "#ff3300", "molten lava rock")
    original = generate("a rock", art_style="voxel").glb
    first = LocalProvider().retexture(glb=original, preset=preset, seed=5, should_cancel=never).glb
    second = LocalProvider().retexture(glb=original, preset=preset, seed=5, should_cancel=never).glb
    assert first == second
    doc = gltf_json(first)
    assert all(
        m["emissiveFactor"] == pytest.approx(list(hex_to_linear("#ff3300")), abs=1e-6)
        for m in doc["materials"]
    )
    # Retexturing a retextured asset replaces the texture instead of piling them up.
    again = LocalProvider().retexture(glb=first, preset=PRESET, seed=5, should_cancel=never).glb
    assert len(gltf_json(again)["images"]) == 1
    assert validate_glb(again)["issues"]["numErrors"] == 0


def test_should_cancel_stops_generation():
    with pytest.raises(ProviderCanceled) as info:
        generate("a knight", should_cancel=lambda: True)
    assert info.value.code == "canceled"
    assert info.value.retryable is False
    calls = []

    def cancel_midway() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ProviderCanceled):
        generate("a knight", quality="high", should_cancel=cancel_midway)


def test_should_cancel_stops_retexture():
    glb = generate("a crate").glb
    with pytest.raises(ProviderCanceled):
        LocalProvider().retexture(glb=glb, preset=PRESET, seed=1, should_cancel=lambda: True)


@pytest.mark.parametrize("art_style", AssetArtStyle.values)
def test_every_art_style_the_forms_offer_is_built_and_valid(art_style):
    result = LocalProvider().text_to_3d(
        prompt="a wooden chair",
        negative_prompt="",
        kind="",
        art_style=art_style,
        quality="draft",
        seed=3,
        should_cancel=lambda: False,
    )
    assert result.object_kind == "chair"
    assert validate_glb(result.glb)["issues"]["numErrors"] == 0

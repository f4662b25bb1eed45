"""Stage functions on their own: pure inputs to outputs."""

import io

import pytest
import trimesh

from assets.glb import GlbInvalidError, glb_inspect
from pipelines.providers.local import LocalProvider
from pipelines.stages.generate_mesh import generate_mesh
from pipelines.stages.optimize import optimize
from pipelines.stages.prepare import name_from_prompt, prepare, tags_from_prompt
from pipelines.stages.publish import HELD_NOTE, publish_plan


def _config(prompt: str, **extra) -> dict:
    return {"prompt": prompt, "art_style": "realistic", "quality": "draft", "seed": 1, **extra}


def test_prepare_normalises_the_prompt_and_names_the_asset():
    prepared = prepare(
        config={
            "prompt": "  An   ornate golden   sword ",
            "kind": "weapon",
            "art_style": "stylized",
            "quality": "high",
            "seed": 3,
            "presets": ["gold"],
        }
    )
    assert prepared["prompt"] == "An ornate golden sword"
    assert prepared["name"] == "Ornate golden sword"
    assert prepared["tags"] == ["ornate", "golden", "sword"]
    assert prepared["triangle_budget"] == 150_000


@pytest.mark.parametrize(
    ("prompt", "kind"),
    [
        ("a fierce red dragon", "creature"),
        ("a spaceship", "vehicle"),
        ("a steampunk robot owl", "creature"),
        ("a golden crown with rubies", "prop"),
        ("an old wizard", "character"),
        ("a castle on a hill", "building"),
        ("a blorptastic zazzle", "prop"),
    ],
)
def test_prepare_infers_the_kind_when_the_user_leaves_it_out(prompt, kind):
    for config in (_config(prompt), _config(prompt, kind=""), _config(prompt, kind=None)):
        prepared = prepare(config=config)
        assert prepared["kind"] == kind
        assert prepared["kind_inferred"] is True


def test_prepare_keeps_the_kind_the_user_chose():
    prepared = prepare(config=_config("a fierce red dragon", kind="prop"))
    assert prepared["kind"] == "prop"
    assert prepared["kind_inferred"] is False
    assert prepared["confirm_approximate"] is False


def _plan(prompt: str, **config) -> dict:
    prepared = prepare(config=_config(prompt, **config))
    mesh = generate_mesh(prepared=prepared, provider=LocalProvider(), should_cancel=lambda: False)
    return publish_plan(
        prepared=prepared,
        mesh={
            "object_kind": mesh.object_kind,
            "recognised": mesh.recognised,
            "notes": mesh.notes,
            "approximate": mesh.approximate,
            "reason": mesh.reason,
            "suggestions": mesh.suggestions,
            "asset_kind": mesh.asset_kind,
        },
        optimized={},
        provider_name="local",
    )


def test_an_approximate_result_is_kept_private_and_says_why():
    plan = _plan("a submarine", visibility="public", kind="vehicle")
    assert plan["visibility"] == "private"
    assert plan["visibility_held"] is True
    assert plan["visibility_note"] == HELD_NOTE
    params = plan["generation_params"]
    assert params["approximate"] is True
    assert params["requested_visibility"] == "public"
    assert params["approximate_reason"].startswith("No builder for 'submarine' yet")
    assert params["suggestions"]
    assert "No builder for 'submarine' yet" in plan["description"]


def test_an_approximate_result_is_public_once_the_user_confirms_and_unlisted_stays_unlisted():
    confirmed = _plan("a submarine", visibility="public", confirm_approximate=True)
    assert confirmed["visibility"] == "public"
    assert confirmed["visibility_held"] is False
    unlisted = _plan("a submarine", visibility="unlisted")
    assert unlisted["visibility"] == "unlisted"


def test_a_recognised_result_is_published_as_asked_with_the_inferred_kind():
    plan = _plan("a fierce red dragon", visibility="public")
    assert plan["visibility"] == "public"
    assert plan["visibility_held"] is False
    assert plan["kind"] == "creature"
    assert plan["generation_params"]["approximate"] is False
    assert "dragon" in plan["tags"]


def test_names_and_tags_stay_short():
    assert len(name_from_prompt("a " + "very " * 100 + "long sword")) <= 80
    assert len(tags_from_prompt(" ".join(f"word{i}" for i in range(30)))) == 8


def test_optimize_welds_duplicate_vertices_without_changing_triangles():
    glb = (
        LocalProvider()
        .text_to_3d(
            prompt="a wooden treasure chest",
            negative_prompt="",
            kind="prop",
            art_style="low_poly",
            quality="standard",
            seed=1,
            should_cancel=lambda: False,
        )
        .glb
    )
    before = glb_inspect(glb)
    result = optimize(glb=glb, triangle_budget=50_000)
    assert result.stats["welded"] is True
    assert result.info.vertex_count < before.vertex_count
    assert result.info.triangle_count == before.triangle_count
    assert result.info.material_count == before.material_count
    assert sorted(result.info.node_names) == sorted(before.node_names)


def test_optimize_reduces_a_dense_mesh_to_the_triangle_budget():
    sphere = trimesh.creation.icosphere(subdivisions=5)  # 20,480 triangles
    glb = sphere.export(file_type="glb")
    result = optimize(glb=glb, triangle_budget=2_000)
    assert result.stats["decimated"] is True
    assert result.stats["triangles_before"] == 20_480
    assert 1_000 <= result.info.triangle_count <= 2_000
    box = result.info.bounding_box
    assert box["max"][0] == pytest.approx(1.0, abs=0.05)


def test_optimize_rejects_a_file_that_is_not_a_glb():
    with pytest.raises(GlbInvalidError):
        optimize(glb=b"not a glb at all, just text", triangle_budget=1000)


def test_optimize_keeps_a_file_it_cannot_improve():
    box = trimesh.creation.box()
    box.merge_vertices()
    glb = box.export(file_type="glb")
    result = optimize(glb=glb, triangle_budget=1000)
    assert result.glb == glb
    assert trimesh.load(io.BytesIO(result.glb), file_type="glb")

"""Asset services: generated assets, variants, statistics exactness, files and transactions."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from assets.glb import GlbInvalidError
from assets.models import Asset, AssetVariant, VariantStatistics
from assets.services import (
    VariantInput,
    asset_create_generated,
    asset_delete,
    asset_update,
    asset_variant_create,
    asset_variant_delete,
    asset_variant_set_status,
    variant_statistics_drift,
)
from forge.exceptions import ConflictError, PermissionDeniedError, ValidationFailedError
from tests.assets.factories import (
    AssetFactory,
    MaterialPresetFactory,
    sample_glb,
    sample_png,
)
from tests.assets.glb_samples import box_glb, sphere_glb

pytestmark = pytest.mark.django_db


def _stored_files(media) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def _stats(asset) -> tuple:
    s = VariantStatistics.objects.get(asset=asset)
    return (s.total, s.ready, s.failed, s.pending)


def _generate(user, presets, **kwargs):
    params = dict(
        owner=user,
        name="Bronze shield",
        description="A round shield.",
        kind="armor",
        art_style="stylized",
        tags=["Shield", "bronze", "shield"],
        visibility="public",
        glb=sphere_glb(),
        thumbnail_png=sample_png(),
        generation_params={"prompt": "a round bronze shield"},
        variants=[
            VariantInput(
                preset=p, glb=box_glb(color=(i * 40, 90, 90, 255)), thumbnail_png=sample_png()
            )
            for i, p in enumerate(presets)
        ],
    )
    params.update(kwargs)
    return asset_create_generated(**params)


def test_create_generated_stores_asset_variants_statistics_and_files(user):
    presets = MaterialPresetFactory.create_batch(3)
    asset = _generate(user, presets)
    asset.refresh_from_db()
    assert asset.source == "generated" and asset.status == "ready"
    assert asset.tags == ["shield", "bronze"]
    assert asset.triangle_count == 1280 and asset.vertex_count > 0
    assert len(asset.sha256) == 64 and asset.file_size == len(sphere_glb())
    assert set(asset.bounding_box) == {"min", "max"}
    variants = list(asset.variants.order_by("display_order"))
    assert [v.preset for v in variants] == presets
    assert all(v.status == "ready" and default_storage.exists(v.model_file.name) for v in variants)
    assert default_storage.exists(asset.model_file.name)
    assert default_storage.open(asset.thumbnail.name).read().startswith(b"\x89PNG")
    assert _stats(asset) == (3, 3, 0, 0)
    assert asset.variant_statistics.last_generated_at is not None


def test_create_generated_with_invalid_glb_writes_nothing(user, _isolated_services):
    before = _stored_files(_isolated_services)
    with pytest.raises(GlbInvalidError) as exc:
        _generate(user, [], glb=b"not a glb at all, clearly")
    assert "glb" in exc.value.message.lower() or exc.value.details["reason"]
    assert Asset.objects.count() == 0
    assert _stored_files(_isolated_services) == before


def test_create_generated_rolled_back_by_caller_deletes_its_files(user, _isolated_services):
    before = _stored_files(_isolated_services)
    presets = MaterialPresetFactory.create_batch(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        asset = _generate(user, presets)
        assert default_storage.exists(asset.model_file.name)
        raise RuntimeError("the caller's next step failed")
    assert Asset.objects.count() == 0 and AssetVariant.objects.count() == 0
    assert _stored_files(_isolated_services) == before


def test_create_generated_duplicate_preset_is_rejected(user):
    preset = MaterialPresetFactory()
    with pytest.raises(ValidationFailedError):
        _generate(user, [preset, preset])
    assert Asset.objects.count() == 0


def test_committed_files_stay(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        asset = _generate(user, MaterialPresetFactory.create_batch(1))
    assert default_storage.exists(asset.model_file.name)
    assert default_storage.exists(asset.variants.get().thumbnail.name)


def test_statistics_stay_exact_through_every_variant_service(user):
    asset = AssetFactory(owner=user)
    p1, p2, p3 = MaterialPresetFactory.create_batch(3)
    v1 = asset_variant_create(asset=asset, preset=p1)
    assert _stats(asset) == (1, 0, 0, 1)
    v2 = asset_variant_create(asset=asset, preset=p2, status="generating")
    assert _stats(asset) == (2, 0, 0, 2)
    asset_variant_set_status(
        variant=v1, status="ready", glb=sample_glb(), thumbnail_png=sample_png()
    )
    assert _stats(asset) == (2, 1, 0, 1)
    asset_variant_set_status(variant=v2, status="failed", error_message="provider said no")
    assert _stats(asset) == (2, 1, 1, 0)
    v3 = asset_variant_create(
        asset=asset, preset=p3, status="ready", glb=sample_glb(), thumbnail_png=sample_png()
    )
    assert _stats(asset) == (3, 2, 1, 0)
    asset_variant_set_status(variant=v2, status="pending")
    assert _stats(asset) == (3, 2, 0, 1)
    asset_variant_delete(variant=v3)
    assert _stats(asset) == (2, 1, 0, 1)
    asset_variant_delete(variant=v1)
    assert _stats(asset) == (1, 0, 0, 1)
    assert variant_statistics_drift() == []
    v2.refresh_from_db()
    assert v2.error_message == ""


def test_second_variant_in_the_same_preset_is_a_conflict(user):
    asset = AssetFactory(owner=user)
    preset = MaterialPresetFactory()
    asset_variant_create(asset=asset, preset=preset)
    with pytest.raises(ConflictError):
        asset_variant_create(asset=asset, preset=preset)
    assert _stats(asset) == (1, 0, 0, 1)


def test_ready_variant_needs_files(user):
    asset = AssetFactory(owner=user)
    variant = asset_variant_create(asset=asset, preset=MaterialPresetFactory())
    with pytest.raises(ValidationFailedError):
        asset_variant_set_status(variant=variant, status="ready")
    assert _stats(asset) == (1, 0, 0, 1)


def test_recount_command_reports_and_repairs_drift(user, capsys):
    asset = AssetFactory(owner=user)
    asset_variant_create(asset=asset, preset=MaterialPresetFactory())
    VariantStatistics.objects.filter(asset=asset).update(total=5, ready=5, pending=0)
    call_command("recount_variant_stats")
    out = capsys.readouterr().out
    assert str(asset.id) in out and "1 asset" in out
    assert _stats(asset) == (5, 5, 0, 0)  # reporting alone changes nothing
    call_command("recount_variant_stats", "--fix")
    assert _stats(asset) == (1, 0, 0, 1)
    call_command("recount_variant_stats")
    assert "No drift" in capsys.readouterr().out


def test_recount_creates_missing_statistics_rows(user):
    asset = AssetFactory(owner=user)
    asset_variant_create(asset=asset, preset=MaterialPresetFactory())
    VariantStatistics.objects.filter(asset=asset).delete()
    assert len(variant_statistics_drift(fix=True)) == 1
    assert _stats(asset) == (1, 0, 0, 1)


def test_delete_removes_files_only_after_commit(user, django_capture_on_commit_callbacks):
    asset = AssetFactory(owner=user)
    variant = asset_variant_create(
        asset=asset, preset=MaterialPresetFactory(), status="ready",
        glb=sample_glb(), thumbnail_png=sample_png(),
    )  # fmt: skip
    names = [asset.model_file.name, asset.thumbnail.name, variant.model_file.name]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asset_delete(asset=asset, actor=user)
        assert all(default_storage.exists(n) for n in names)
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(n) for n in names)
    assert not Asset.objects.filter(pk=asset.pk).exists()


def test_delete_rolled_back_keeps_rows_and_files(user):
    asset = AssetFactory(owner=user)
    with pytest.raises(RuntimeError), transaction.atomic():
        asset_delete(asset=asset, actor=user)
        raise RuntimeError("abort")
    assert Asset.objects.filter(pk=asset.pk).exists()
    assert default_storage.exists(asset.model_file.name)


def test_only_owner_or_staff_delete_and_only_owner_updates(user, other_user, staff_user):
    asset = AssetFactory(owner=user)
    with pytest.raises(PermissionDeniedError):
        asset_delete(asset=asset, actor=other_user)
    with pytest.raises(PermissionDeniedError):
        asset_update(asset=asset, actor=staff_user, name="Renamed by staff")
    updated = asset_update(asset=asset, actor=user, name="  Renamed ", tags=["A", "b"])
    assert updated.name == "Renamed" and updated.tags == ["a", "b"]
    asset_delete(asset=asset, actor=staff_user)
    assert not Asset.objects.filter(pk=asset.pk).exists()


def test_update_rejects_bad_tags_and_changes_nothing(user):
    asset = AssetFactory(owner=user, tags=["old"])
    with pytest.raises(ValidationFailedError):
        asset_update(asset=asset, actor=user, tags=["ok", "no<script>"])
    asset.refresh_from_db()
    assert asset.tags == ["old"]

"""Demo seed (deterministic, idempotent, real files) and the staff admin screens."""

import io

import pytest

from assets.models import Asset, MaterialPreset, VariantStatistics
from assets.seed import presets_ensure, seed_demo
from forge.seed import demo_users_ensure
from tests.assets.factories import AssetFactory, AssetVariantFactory, MaterialPresetFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_the_presets_idempotently():
    users = demo_users_ensure()
    seed_demo(users=users, stdout=io.StringIO())
    presets = MaterialPreset.objects.all()
    assert presets.count() >= 12 and presets.values("category").distinct().count() >= 8
    out = io.StringIO()
    seed_demo(users=users, stdout=out)
    assert MaterialPreset.objects.count() == presets.count()
    assert len(presets_ensure()) == presets.count()
    # The demo assets come from real pipelines (tests/pipelines/test_seed.py).
    assert not Asset.objects.exists()


def test_admin_asset_list_and_change_page(client, staff_user):
    client.force_login(staff_user)
    asset = AssetFactory(name="Admin crate")
    AssetVariantFactory(asset=asset, preset=MaterialPresetFactory(name="Teak"))
    changelist = client.get("/admin/assets/asset/", {"q": "crate"})
    html = changelist.content.decode()
    assert changelist.status_code == 200 and "Admin crate" in html and '<img src="/media/' in html
    assert client.get("/admin/assets/asset/", {"status__exact": "ready"}).status_code == 200
    change = client.get(f"/admin/assets/asset/{asset.id}/change/")
    assert change.status_code == 200 and "Teak" in change.content.decode()


def test_admin_presets_are_orderable_in_the_list(client, staff_user):
    client.force_login(staff_user)
    first = MaterialPresetFactory(name="First", display_order=1)
    second = MaterialPresetFactory(name="Second", display_order=2)
    page = client.get("/admin/assets/materialpreset/").content.decode()
    assert 'name="form-0-display_order"' in page
    data = {
        "form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "_save": "Save",
        "form-0-id": str(first.id), "form-0-display_order": "5", "form-0-is_active": "on",
        "form-1-id": str(second.id), "form-1-display_order": "1", "form-1-is_active": "on",
    }  # fmt: skip
    response = client.post("/admin/assets/materialpreset/", data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.display_order == 5


def test_admin_deleting_a_variant_inline_keeps_statistics_exact(client, staff_user):
    client.force_login(staff_user)
    asset = AssetFactory()
    keep = AssetVariantFactory(asset=asset, preset=MaterialPresetFactory())
    drop = AssetVariantFactory(asset=asset, preset=MaterialPresetFactory())
    page = client.get(f"/admin/assets/asset/{asset.id}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["tags"] = ",".join(asset.tags)
    data.update({
        "variants-TOTAL_FORMS": "2", "variants-INITIAL_FORMS": "2",
        "variants-0-id": str(keep.id), "variants-0-asset": str(asset.id), "variants-0-display_order": "0",
        "variants-1-id": str(drop.id), "variants-1-asset": str(asset.id), "variants-1-display_order": "1",
        "variants-1-DELETE": "on", "_save": "Save",
    })  # fmt: skip
    response = client.post(f"/admin/assets/asset/{asset.id}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stats = VariantStatistics.objects.get(asset=asset)
    assert (stats.total, stats.ready) == (1, 1)
    assert list(asset.variants.all()) == [keep]


def _change_data(client, asset) -> dict:
    page = client.get(f"/admin/assets/asset/{asset.id}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"tags": ",".join(asset.tags), "_save": "Save"})
    data.update({"variants-TOTAL_FORMS": "0", "variants-INITIAL_FORMS": "0"})
    return data


def test_admin_edits_go_through_the_service_and_normalise_tags(client, staff_user, user):
    client.force_login(staff_user)
    asset = AssetFactory(owner=user, name="Old", tags=["old"], visibility="private", files=False)
    data = _change_data(client, asset)
    data.update(
        {"name": "Shiny crate", "tags": " Wood ,  BIG   Crate,wood", "visibility": "public"}
    )
    response = client.post(f"/admin/assets/asset/{asset.id}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    asset.refresh_from_db()
    assert (asset.name, asset.tags, asset.visibility) == (
        "Shiny crate",
        ["wood", "big crate"],
        "public",
    )
    assert asset.owner == user  # staff edited it; it stays the owner's


def test_admin_rejects_a_bad_tag_with_a_form_error(client, staff_user):
    client.force_login(staff_user)
    asset = AssetFactory(tags=["ok"], files=False)
    data = _change_data(client, asset)
    data["tags"] = "ok,no/slashes!"
    response = client.post(f"/admin/assets/asset/{asset.id}/change/", data)
    assert response.status_code == 200 and "is not valid" in response.content.decode()
    asset.refresh_from_db()
    assert asset.tags == ["ok"]


def test_asset_update_keeps_staff_only_fields_to_staff(user):
    from assets.services import asset_update
    from forge.exceptions import PermissionDeniedError

    asset = AssetFactory(owner=user, files=False)
    with pytest.raises(PermissionDeniedError):
        asset_update(asset=asset, actor=user, status="failed")
    asset.refresh_from_db()
    assert asset.status == "ready"

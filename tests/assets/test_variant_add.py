"""The owner adds a material variant on the asset page: recoloured by the pipelines' own
code, with a thumbnail, shown in the switcher; bad input is a form error that changes nothing."""

import pytest

from assets.glb import glb_inspect
from assets.models import AssetVariant, VariantStatistics
from assets.services import asset_upload
from pipelines.providers.base import PresetSpec
from pipelines.providers.local import LocalProvider
from tests.assets.factories import AssetFactory, MaterialPresetFactory
from tests.assets.glb_samples import box_glb

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def gold(db):
    return MaterialPresetFactory(slug="gold", name="Gold", base_color="#d4af37", metallic=1.0)


@pytest.fixture
def uploaded(user):
    return asset_upload(owner=user, name="Crate", kind="prop", glb=box_glb())


@pytest.fixture
def owner(client, user):
    client.force_login(user)
    return client


def test_an_uploaded_asset_gets_a_variant_from_its_page(owner, uploaded, gold):
    MaterialPresetFactory(slug="retired", name="Retired", is_active=False)
    page = _html(owner.get(f"/assets/{uploaded.id}/"))
    assert "Add a material variant" in page and '<option value="gold">Gold</option>' in page
    assert 'value="retired"' not in page
    response = owner.post(f"/assets/{uploaded.id}/variants/", {"preset": "gold"})
    variant = AssetVariant.objects.get(asset=uploaded)
    assert response.status_code == 302
    assert response["Location"] == f"/assets/{uploaded.id}/?variant={variant.id}"
    assert variant.status == "ready" and variant.preset == gold
    glb = variant.model_file.read()
    glb_inspect(glb)
    expected = LocalProvider().retexture(
        glb=box_glb(),
        preset=PresetSpec("gold", "Gold", "#d4af37", 1.0, gold.roughness, None, ""),
        seed=0,
        should_cancel=lambda: False,
    )
    assert glb == expected.glb  # the pipelines' recolouring, byte for byte
    assert variant.thumbnail.read().startswith(b"\x89PNG")
    page = _html(owner.get(response["Location"]))
    assert "The Gold variant is ready." in page
    assert f'href="?variant={variant.id}"' in page and "3D model of Crate in Gold" in page
    assert "1 total · 1 ready · 0 pending · 0 failed" in page
    assert "This asset has a variant in every available preset." in page
    stats = VariantStatistics.objects.get(asset=uploaded)
    assert (stats.total, stats.ready) == (1, 1)
    assert "1 variant" in _html(owner.get("/", {"mine": "on"}))


def test_bad_variant_input_is_a_form_error_and_changes_nothing(owner, uploaded, gold):
    MaterialPresetFactory(slug="retired", name="Retired", is_active=False)
    empty = owner.post(f"/assets/{uploaded.id}/variants/", {"preset": ""})
    assert empty.status_code == 400 and "Choose a material preset." in _html(empty)
    for slug in ("retired", "no-such-preset"):
        bad = owner.post(f"/assets/{uploaded.id}/variants/", {"preset": slug})
        assert bad.status_code == 400 and "Choose one of the listed presets" in _html(bad)
        assert 'id="id_preset_error"' in _html(bad)
    owner.post(f"/assets/{uploaded.id}/variants/", {"preset": "gold"})
    again = owner.post(f"/assets/{uploaded.id}/variants/", {"preset": "gold"})
    assert again.status_code == 400 and "Choose one of the listed presets" in _html(again)
    assert AssetVariant.objects.filter(asset=uploaded).count() == 1
    assert VariantStatistics.objects.get(asset=uploaded).total == 1


def test_only_the_owner_adds_variants(client, user, other_user, uploaded, gold):
    assert client.post(f"/assets/{uploaded.id}/variants/", {"preset": "gold"}).status_code == 302
    public = AssetFactory(owner=other_user, visibility="public")
    private = AssetFactory(owner=other_user, visibility="private")
    client.force_login(user)
    assert "Add a material variant" not in _html(client.get(f"/assets/{public.id}/"))
    assert client.post(f"/assets/{public.id}/variants/", {"preset": "gold"}).status_code == 403
    assert client.post(f"/assets/{private.id}/variants/", {"preset": "gold"}).status_code == 404
    assert not AssetVariant.objects.exists()

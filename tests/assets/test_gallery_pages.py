"""Deep pages served by keyset seeking match plain OFFSET exactly; queries per page are fixed."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from assets.gallery import SORTS, GalleryFilters, gallery_page, gallery_page_offset
from assets.models import Asset
from assets.services import asset_update
from tests.assets.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_assets(user):
    """37 public assets (some sharing creation times, names and triangle counts) + noise."""
    now = timezone.now()
    assets = []
    for i in range(37):
        asset = AssetFactory(
            owner=user,
            name=f"{'Crate' if i % 3 else 'barrel'} {i % 5}",
            kind="prop" if i % 2 else "weapon",
            triangle_count=(i * 7) % 11,
            files=False,
        )
        Asset.objects.filter(pk=asset.pk).update(created_at=now - timedelta(seconds=i // 3))
        assets.append(asset)
    AssetFactory(owner=user, visibility="private", files=False)
    return assets


def _ids(rows):
    return [row["id"] for row in rows]


@override_settings(FORGE_GALLERY_BOUNDARY_EVERY=5)
@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("kind", ["", "prop"])
def test_every_page_equals_offset_for_every_sort(many_assets, sort, kind):
    filters = GalleryFilters(sort=sort, kind=kind)
    seen = []
    page = 1
    while True:
        result = gallery_page(filters=filters, page=page, page_size=4)
        assert _ids(result.results) == _ids(
            gallery_page_offset(filters=filters, page=page, page_size=4)
        )
        seen += _ids(result.results)
        if not result.has_next:
            break
        page += 1
    expected = 37 if not kind else 18
    assert len(seen) == len(set(seen)) == expected == result.total


@override_settings(FORGE_GALLERY_BOUNDARY_EVERY=5)
def test_deep_pages_stay_exact_after_a_write(many_assets, user):
    filters = GalleryFilters(sort="name")
    before = gallery_page(filters=filters, page=5, page_size=4)
    assert before.total == 37
    # Rename the alphabetically first asset to the end: every later page shifts by one.
    first = gallery_page(filters=filters, page=1, page_size=1).results[0]
    asset_update(asset=Asset.objects.get(pk=first["id"]), actor=user, name="zzz last")
    from django.db import connection

    for callback in [c for _, c, _ in connection.run_on_commit]:
        callback()  # the test transaction never commits; run the service's after-commit work
    after = gallery_page(filters=filters, page=5, page_size=4)
    assert _ids(after.results) == _ids(gallery_page_offset(filters=filters, page=5, page_size=4))
    assert _ids(after.results) != _ids(before.results)


@override_settings(FORGE_GALLERY_BOUNDARY_EVERY=5)
@pytest.mark.parametrize(("page_size", "page"), [(2, 5), (10, 2)])
def test_api_list_uses_a_fixed_number_of_queries(
    api_client, many_assets, page_size, page, django_assert_num_queries
):
    # Cold: one count, one boundary pass, one page query.
    with django_assert_num_queries(3):
        response = api_client.get("/api/v1/assets/", {"page": page, "page_size": page_size})
    assert response.status_code == 200 and len(response.json()["data"]) == page_size
    # Warm: the page query alone, whatever the page size.
    with django_assert_num_queries(1):
        response = api_client.get("/api/v1/assets/", {"page": page, "page_size": page_size})
    assert len(response.json()["data"]) == page_size


@pytest.mark.parametrize("page_size", [2, 20])
def test_gallery_html_uses_a_fixed_number_of_queries(
    client, many_assets, page_size, django_assert_num_queries
):
    client.get("/", {"page_size": page_size})
    with django_assert_num_queries(1):
        response = client.get("/", {"page_size": page_size})
    assert response.content.decode().count('class="asset-card"') == page_size


def test_detail_uses_a_fixed_number_of_queries(api_client, user, django_assert_num_queries):
    from tests.assets.factories import AssetVariantFactory, MaterialPresetFactory

    asset = AssetFactory(owner=user)
    for _ in range(4):
        AssetVariantFactory(asset=asset, preset=MaterialPresetFactory())
    with django_assert_num_queries(2):
        response = api_client.get(f"/api/v1/assets/{asset.id}/")
    assert len(response.json()["data"]["variants"]) == 4

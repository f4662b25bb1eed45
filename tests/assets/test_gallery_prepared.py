"""Gallery pages come from prepared queries (one per shape): the rows equal the ORM query's."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from assets import gallery
from assets.gallery import SORTS, GalleryFilters, gallery_page, gallery_page_offset
from assets.models import Asset
from tests.assets.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assets(user, other_user):
    """Public assets of another user and the user's own of every visibility, with tags."""
    now = timezone.now()
    for i in range(30):
        own = i % 3 == 1
        asset = AssetFactory(
            owner=user if own else other_user,
            name=f"{'Iron crate' if i % 2 else 'Oak barrel'} {i % 7}",
            kind="prop" if i % 2 else "weapon",
            art_style="voxel" if i % 5 else "realistic",
            tags=["iron"] if i % 4 else ["oak", "old"],
            triangle_count=(i * 7) % 11,
            visibility=("private" if i % 2 else "unlisted") if own else "public",
            status="failed" if own and i % 5 == 0 else "ready",
            files=False,
        )
        Asset.objects.filter(pk=asset.pk).update(created_at=now - timedelta(seconds=i // 2))


def _every_page(filters: GalleryFilters, page_size: int) -> list[dict]:
    rows, page = [], 1
    while True:
        result = gallery_page(filters=filters, page=page, page_size=page_size)
        assert result.results == gallery_page_offset(
            filters=filters, page=page, page_size=page_size
        ), (filters, page)  # every field of every row, not just the order
        rows += result.results
        if not result.has_next:
            return rows
        page += 1


@override_settings(FORGE_GALLERY_BOUNDARY_EVERY=4)
@pytest.mark.parametrize("sort", SORTS)
def test_every_filter_shape_gives_the_offset_querys_rows(assets, user, sort):
    shapes = [
        {},
        {"kind": "prop"},
        {"kind": "weapon"},  # the same shape as the one above, another value
        {"art_style": "voxel", "tag": "iron"},
        {"tag": "oak"},
        {"q": "iron crate"},
        {"q": "barrel", "kind": "weapon"},
        {"status": "failed"},  # the viewer's union without its public branch
        {"visibility": "private"},
        {"visibility": "public", "status": "ready"},
    ]
    for values in shapes:
        for scope in ({}, {"viewer_id": user.pk}, {"owner_id": user.pk}):
            filters = GalleryFilters(sort=sort, **scope, **values)
            for _ in range(2):  # compiled on the first pass, reused on the second
                _every_page(filters, page_size=3)


def test_shapes_are_kept_up_to_a_bound(assets, user):
    gallery._page_query.cache_clear()
    for page_size in range(1, 80):
        gallery_page(filters=GalleryFilters(), page=1, page_size=page_size)
    info = gallery._page_query.cache_info()
    assert info.currsize == info.maxsize == 64

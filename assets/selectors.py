"""Every read of assets, variants and presets, scoped to what the reader may see."""

import uuid

from django.db.models import Prefetch, QuerySet

from assets.gallery import GalleryFilters, GalleryPage, gallery_page
from assets.models import Asset, AssetVariant, AssetVisibility, MaterialPreset
from forge.exceptions import NotFoundError


def asset_can_view(*, asset: Asset, user) -> bool:
    """Say whether `user` may open `asset` (public and unlisted: anyone; private: owner, staff)."""
    if asset.visibility != AssetVisibility.PRIVATE:
        return True
    if user is None or not user.is_authenticated:
        return False
    return asset.owner_id == user.pk or user.is_staff


def asset_can_change(*, asset: Asset, user) -> bool:
    """Say whether `user` may edit `asset` (its owner)."""
    return bool(user and user.is_authenticated and asset.owner_id == user.pk)


def asset_can_delete(*, asset: Asset, user) -> bool:
    """Say whether `user` may delete `asset` (its owner or staff)."""
    return bool(user and user.is_authenticated and (asset.owner_id == user.pk or user.is_staff))


def _variants_prefetch() -> Prefetch:
    return Prefetch(
        "variants",
        queryset=AssetVariant.objects.select_related("preset").order_by(
            "display_order", "created_at"
        ),
    )


def asset_get_for_user(*, asset_id: uuid.UUID | str, user, with_variants: bool = True) -> Asset:
    """Return the asset `user` may see with its owner, statistics and variants, else 404.

    Someone else's private asset is reported as missing, never as forbidden.
    """
    qs = Asset.objects.select_related("owner", "variant_statistics").defer("search_vector")
    if with_variants:
        qs = qs.prefetch_related(_variants_prefetch())
    try:
        asset = qs.get(pk=asset_id)
    except (Asset.DoesNotExist, ValueError) as exc:
        raise NotFoundError("No such asset.") from exc
    if not asset_can_view(asset=asset, user=user):
        raise NotFoundError("No such asset.")
    return asset


def asset_variant_list(*, asset: Asset) -> QuerySet:
    """Return `asset`'s variants in display order with their presets."""
    return (
        AssetVariant.objects.filter(asset=asset)
        .select_related("preset")
        .order_by("display_order", "created_at")
    )


def material_preset_list(*, active_only: bool = True) -> QuerySet:
    """Return material presets in display order (only active ones unless told otherwise)."""
    qs = MaterialPreset.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("display_order", "name")


def material_preset_list_unused(*, asset: Asset) -> QuerySet:
    """Return the active presets `asset` has no variant in, in display order."""
    return material_preset_list().exclude(variants__asset=asset)


def asset_gallery(
    *,
    user,
    page: int,
    page_size: int,
    mine: bool = False,
    kind: str = "",
    art_style: str = "",
    tag: str = "",
    status: str = "",
    visibility: str = "",
    q: str = "",
    sort: str = "newest",
) -> GalleryPage:
    """Return a gallery page: public ready assets and the signed-in `user`'s own ones.

    With `mine`, only `user`'s own assets, of any visibility and status.
    """
    signed_in = user is not None and user.is_authenticated
    filters = GalleryFilters(
        owner_id=user.pk if mine else None,
        viewer_id=user.pk if signed_in and not mine else None,
        kind=kind,
        art_style=art_style,
        tag=tag,
        status=status,
        visibility=visibility,
        q=q.strip(),
        sort=sort,
    )
    return gallery_page(filters=filters, page=page, page_size=page_size)

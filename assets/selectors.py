"""Every read of assets, variants and presets, scoped to what the reader may see."""

import re
import uuid
from functools import lru_cache

from django.db.models import QuerySet

from assets.gallery import GalleryFilters, GalleryPage, gallery_page
from assets.models import Asset, AssetVariant, AssetVisibility, MaterialPreset
from forge.exceptions import NotFoundError
from forge.prepared import PreparedQuery, prefetched


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


def asset_visibility_held(*, asset: Asset) -> bool:
    """Say whether `asset` was kept private because it only approximates its prompt.

    True while a generated asset asked to be public is approximate and not public yet (the
    pipeline's publish step holds it back until its owner confirms).
    """
    params = asset.generation_params or {}
    return (
        bool(params.get("approximate"))
        and params.get("requested_visibility") == AssetVisibility.PUBLIC
        and asset.visibility != AssetVisibility.PUBLIC
    )


# An asset's page and API detail read these on every view: prepared (forge/prepared.py).
_asset_by_id = PreparedQuery(
    lambda asset_id: (
        Asset.objects.select_related("owner", "variant_statistics")
        .defer("search_vector")
        .filter(pk=asset_id)[:1]
    ),
    asset_id=uuid.UUID,
)
_variants_by_asset = PreparedQuery(
    lambda asset_id: (
        AssetVariant.objects.select_related("preset")
        .filter(asset_id=asset_id)
        .order_by("display_order", "created_at")
    ),
    asset_id=uuid.UUID,
)


def asset_get_for_user(*, asset_id: uuid.UUID | str, user, with_variants: bool = True) -> Asset:
    """Return the asset `user` may see with its owner, statistics and variants, else 404.

    Someone else's private asset is reported as missing, never as forbidden.
    """
    if not isinstance(asset_id, uuid.UUID):
        try:
            asset_id = uuid.UUID(str(asset_id))
        except ValueError as exc:
            raise NotFoundError("No such asset.") from exc
    asset = _asset_by_id.first(asset_id=asset_id)
    if asset is None or not asset_can_view(asset=asset, user=user):
        raise NotFoundError("No such asset.")
    if with_variants:
        prefetched(asset, "variants", _variants_by_asset.all(asset_id=asset_id))
    return asset


# The only stored names served to readers: an asset's or a variant's own files under assets/.
# Anything else (checkpoints under pipelines/, health probes, traversal, odd bytes) is unknown.
_ASSET_FILE_NAME = re.compile(
    r"assets/(?P<asset_id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/"
    r"(?:variants/[0-9a-f-]{36}/)?[A-Za-z0-9_-]{1,100}\.(?:glb|png)"
)
ASSET_FILE_NAME_MAX_LENGTH = 255  # the FileFields' max_length


def asset_file_get_for_user(*, name: str, user) -> Asset:
    """Return the asset owning stored file `name` if `user` may see that asset, else 404.

    `name` must be the asset's or one of its variants' model or thumbnail exactly as stored;
    the access rule is `asset_get_for_user`'s, so a file is visible exactly when its asset is.
    """
    match = _ASSET_FILE_NAME.fullmatch(name) if len(name) <= ASSET_FILE_NAME_MAX_LENGTH else None
    if match is None:
        raise NotFoundError("No such file.")
    try:
        asset = asset_get_for_user(asset_id=match["asset_id"], user=user)
    except NotFoundError as exc:
        raise NotFoundError("No such file.") from exc
    owned = {asset.model_file.name, asset.thumbnail.name}
    for variant in asset.variants.all():
        owned.update((variant.model_file.name, variant.thumbnail.name))
    if name not in owned:
        raise NotFoundError("No such file.")
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


@lru_cache(maxsize=16)
def _presets_by_slug_query(count: int) -> PreparedQuery:
    return PreparedQuery(
        lambda **slugs: MaterialPreset.objects.filter(slug__in=list(slugs.values())),
        **{f"s{i}": str for i in range(count)},
    )


def material_presets_by_slug(slugs: list[str]) -> dict[str, MaterialPreset]:
    """Return the presets named in `slugs` (active or not) by slug; unknown slugs are left out.

    Pipelines read their presets at two stages of every run: one prepared query per number
    of slugs (up to 16; more run unprepared).
    """
    unique = list(dict.fromkeys(slugs))
    if not unique:
        return {}
    if len(unique) > 16:
        return {p.slug: p for p in MaterialPreset.objects.filter(slug__in=unique)}
    rows = _presets_by_slug_query(len(unique)).all(**{f"s{i}": s for i, s in enumerate(unique)})
    return {p.slug: p for p in rows}


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

"""Factories for the assets app: presets, assets, variants, statistics.

`AssetFactory` builds a row with real stored files (a small box GLB and a PNG) unless
`files=False`; counts come from the real GLB. Rows are written directly (not through the
services) so tests can set up any state, and statistics are kept consistent by
`AssetVariantFactory` only when created through `asset_variant_create` (`via_service=True`).
"""

import io
import uuid

import factory
from django.core.files.base import ContentFile
from PIL import Image

from assets.glb import glb_inspect
from assets.models import (
    Asset,
    AssetVariant,
    MaterialPreset,
    VariantStatistics,
)
from tests.assets.glb_samples import box_glb
from tests.factories import UserFactory

_BOX = None


def sample_glb() -> bytes:
    """Return a small valid GLB (a box), built once per test session."""
    global _BOX
    if _BOX is None:
        _BOX = box_glb(size=(1.0, 1.5, 0.8), color=(180, 120, 60, 255))
    return _BOX


def sample_png(color=(90, 120, 200)) -> bytes:
    """Return a tiny valid PNG."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, format="PNG")
    return out.getvalue()


class MaterialPresetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialPreset
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"preset-{n}")
    name = factory.Sequence(lambda n: f"Preset {n}")
    category = "metal"
    base_color = "#8899aa"
    metallic = 0.8
    roughness = 0.3
    display_order = factory.Sequence(lambda n: n)


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset
        skip_postgeneration_save = True

    class Params:
        files = True

    id = factory.LazyFunction(uuid.uuid4)
    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Asset {n}")
    description = ""
    kind = "prop"
    art_style = "stylized"
    tags = factory.LazyFunction(list)
    visibility = "public"
    status = "ready"
    source = "uploaded"

    @classmethod
    def _create(cls, model_class, *args, files=True, **kwargs):
        asset = model_class(*args, **kwargs)
        if files:
            data = sample_glb()
            info = glb_inspect(data)
            asset.model_file.save("model.glb", ContentFile(data), save=False)
            asset.thumbnail.save("thumbnail.png", ContentFile(sample_png()), save=False)
            asset.file_size = info.file_size
            asset.sha256 = info.sha256
            asset.vertex_count = kwargs.get("vertex_count", info.vertex_count)
            asset.triangle_count = kwargs.get("triangle_count", info.triangle_count)
            asset.bounding_box = info.bounding_box
        elif asset.status == "ready":
            asset.model_file.name = f"assets/{asset.id}/model.glb"
        asset.save(force_insert=True)
        VariantStatistics.objects.get_or_create(asset=asset)
        return asset


class AssetVariantFactory(factory.django.DjangoModelFactory):
    """Create a variant through `asset_variant_create`, so statistics stay exact."""

    class Meta:
        model = AssetVariant

    asset = factory.SubFactory(AssetFactory)
    preset = factory.SubFactory(MaterialPresetFactory)
    status = "ready"

    @classmethod
    def _create(cls, model_class, *args, asset, preset, status="ready", **kwargs):
        from assets.services import asset_variant_create

        files = {}
        if status == "ready":
            files = {"glb": sample_glb(), "thumbnail_png": sample_png((200, 80, 40))}
        return asset_variant_create(asset=asset, preset=preset, status=status, **files, **kwargs)


class VariantStatisticsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VariantStatistics
        django_get_or_create = ("asset",)

    asset = factory.SubFactory(AssetFactory)

"""Input validation and output shapes of the assets API.

List pages are built as plain dicts from `.values()` rows (`asset_row_output`) to keep
serializer overhead off the hot path; the output serializers below describe the same shapes
for the OpenAPI schema.
"""

from django.conf import settings
from django.core.files.storage import default_storage, storages
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.gallery import SORTS
from assets.models import (
    Asset,
    AssetArtStyle,
    AssetKind,
    AssetStatus,
    AssetVariant,
    AssetVisibility,
    MaterialPreset,
)
from forge.strict_serializers import StrictInputSerializer


def file_url(request, name: str) -> str | None:
    """Return the absolute URL of the stored file `name`, or None when there is none."""
    if not name:
        return None
    return request.build_absolute_uri(default_storage.url(name))


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20}
)
class TagsField(serializers.Field):
    """A list of tags: a JSON list, repeated form fields, or one comma-separated string."""

    default_error_messages = {"invalid": "Give tags as a list or a comma-separated string."}

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            return dictionary.getlist(self.field_name)
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            self.fail("invalid")
        tags = []
        for item in data:
            tags += [part for part in item.split(",") if part.strip()]
        return tags

    def to_representation(self, value):
        return list(value)


class AssetListInputSerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=10_000_000, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False)
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(AssetKind.choices, required=False)
    art_style = serializers.ChoiceField(AssetArtStyle.choices, required=False)
    tag = serializers.CharField(max_length=40, required=False)
    status = serializers.ChoiceField(AssetStatus.choices, required=False)
    visibility = serializers.ChoiceField(AssetVisibility.choices, required=False)
    owner = serializers.ChoiceField([("me", "me")], required=False, help_text="`me`: your assets.")
    sort = serializers.ChoiceField([(s, s) for s in SORTS], default="newest")

    def validate_tag(self, value):
        return " ".join(value.strip().lower().split())

    def validate(self, attrs):
        attrs.setdefault("page_size", settings.FORGE_GALLERY_PAGE_SIZE)
        return attrs


class AssetCreateInputSerializer(StrictInputSerializer):
    file = serializers.FileField(help_text="A GLB (binary glTF 2.0) file.")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    kind = serializers.ChoiceField(AssetKind.choices, default=AssetKind.OTHER)
    art_style = serializers.ChoiceField(AssetArtStyle.choices, default=AssetArtStyle.REALISTIC)
    tags = TagsField(required=False, default=list)
    visibility = serializers.ChoiceField(
        AssetVisibility.choices,
        default=AssetVisibility.PRIVATE,
        help_text="Default private: only you see it. Unlisted: anyone with the link. Public: everyone.",
    )


class AssetUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    tags = TagsField(required=False)
    visibility = serializers.ChoiceField(AssetVisibility.choices, required=False)


class OwnerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class VariantStatisticsOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    ready = serializers.IntegerField()
    failed = serializers.IntegerField(required=False)
    pending = serializers.IntegerField(required=False)
    last_generated_at = serializers.DateTimeField(required=False, allow_null=True)


class AssetListOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    owner = OwnerOutputSerializer()
    kind = serializers.CharField()
    art_style = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    visibility = serializers.CharField()
    status = serializers.CharField()
    source = serializers.CharField()
    model_file = serializers.URLField(allow_null=True)
    thumbnail = serializers.URLField(allow_null=True)
    file_size = serializers.IntegerField()
    vertex_count = serializers.IntegerField()
    triangle_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    variant_statistics = VariantStatisticsOutputSerializer()
    url = serializers.URLField()


class MaterialPresetOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = MaterialPreset
        fields = [
            "id", "slug", "name", "category", "base_color", "metallic", "roughness",
            "emissive", "texture_prompt", "display_order",
        ]  # fmt: skip


class AssetVariantOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    preset = MaterialPresetOutputSerializer()
    status = serializers.CharField()
    model_file = serializers.URLField(allow_null=True)
    thumbnail = serializers.URLField(allow_null=True)
    file_size = serializers.IntegerField()
    external_task_id = serializers.CharField()
    error_message = serializers.CharField()
    display_order = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AssetDetailOutputSerializer(AssetListOutputSerializer):
    description = serializers.CharField()
    sha256 = serializers.CharField()
    bounding_box = serializers.JSONField()
    generation_params = serializers.JSONField()
    variants = AssetVariantOutputSerializer(many=True)


def iso_datetime(value) -> str | None:
    """Format `value` as DRF does (ISO 8601, UTC as `Z`) without building a field per call."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class UrlBuilder:
    """Build absolute URLs for one request cheaply: the scheme and host are resolved once."""

    def __init__(self, request):
        self.origin = request.build_absolute_uri("/")[:-1]
        # The storage itself, not the `default_storage` proxy: a proxied call costs 1 µs more,
        # and a gallery page makes 48 of them.
        self._storage_url = storages["default"].url

    def absolute(self, url: str) -> str:
        return self.origin + url if url.startswith("/") else url

    def file(self, name: str) -> str | None:
        return self.absolute(self._storage_url(name)) if name else None


def asset_rows_output(rows: list[dict], request) -> list[dict]:
    """Shape gallery `.values()` rows for the API."""
    urls = UrlBuilder(request)
    return [asset_row_output(row, urls) for row in rows]


def asset_row_output(row: dict, urls: UrlBuilder) -> dict:
    """Shape one gallery `.values()` row for the API."""
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "owner": {"id": row["owner_id"], "username": row["owner__username"]},
        "kind": row["kind"],
        "art_style": row["art_style"],
        "tags": row["tags"],
        "visibility": row["visibility"],
        "status": row["status"],
        "source": row["source"],
        "model_file": urls.file(row["model_file"]),
        "thumbnail": urls.file(row["thumbnail"]),
        "file_size": row["file_size"],
        "vertex_count": row["vertex_count"],
        "triangle_count": row["triangle_count"],
        "created_at": iso_datetime(row["created_at"]),
        "updated_at": iso_datetime(row["updated_at"]),
        "variant_statistics": {
            "total": row["variant_statistics__total"] or 0,
            "ready": row["variant_statistics__ready"] or 0,
        },
        "url": urls.absolute(f"/api/v1/assets/{row['id']}/"),
    }


def preset_output(preset: MaterialPreset) -> dict:
    """Shape a material preset for the API (the shape `MaterialPresetOutputSerializer` documents).

    A plain dict: a `ModelSerializer` per preset rebuilds its fields from the model every
    time, which cost more than the whole presets query (four presets per asset detail).
    """
    return {
        "id": preset.id,
        "slug": preset.slug,
        "name": preset.name,
        "category": preset.category,
        "base_color": preset.base_color,
        "metallic": float(preset.metallic),
        "roughness": float(preset.roughness),
        "emissive": preset.emissive,
        "texture_prompt": preset.texture_prompt,
        "display_order": preset.display_order,
    }


def variant_output(variant: AssetVariant, request) -> dict:
    """Shape a variant (with its preset) for the API."""
    return {
        "id": str(variant.id),
        "preset": preset_output(variant.preset),
        "status": variant.status,
        "model_file": file_url(request, variant.model_file.name),
        "thumbnail": file_url(request, variant.thumbnail.name),
        "file_size": variant.file_size,
        "external_task_id": variant.external_task_id,
        "error_message": variant.error_message,
        "display_order": variant.display_order,
        "created_at": serializers.DateTimeField().to_representation(variant.created_at),
        "updated_at": serializers.DateTimeField().to_representation(variant.updated_at),
    }


def asset_detail_output(asset: Asset, request) -> dict:
    """Shape an asset with its variants and statistics for the API."""
    stats = getattr(asset, "variant_statistics", None)
    dt = serializers.DateTimeField()
    return {
        "id": str(asset.id),
        "name": asset.name,
        "description": asset.description,
        "owner": {"id": asset.owner_id, "username": asset.owner.username},
        "kind": asset.kind,
        "art_style": asset.art_style,
        "tags": asset.tags,
        "visibility": asset.visibility,
        "status": asset.status,
        "source": asset.source,
        "model_file": file_url(request, asset.model_file.name),
        "thumbnail": file_url(request, asset.thumbnail.name),
        "file_size": asset.file_size,
        "sha256": asset.sha256,
        "vertex_count": asset.vertex_count,
        "triangle_count": asset.triangle_count,
        "bounding_box": asset.bounding_box,
        "generation_params": asset.generation_params,
        "created_at": dt.to_representation(asset.created_at),
        "updated_at": dt.to_representation(asset.updated_at),
        "variant_statistics": {
            "total": stats.total if stats else 0,
            "ready": stats.ready if stats else 0,
            "failed": stats.failed if stats else 0,
            "pending": stats.pending if stats else 0,
            "last_generated_at": dt.to_representation(stats.last_generated_at)
            if stats and stats.last_generated_at
            else None,
        },
        "variants": [variant_output(v, request) for v in asset.variants.all()],
        "url": request.build_absolute_uri(f"/api/v1/assets/{asset.id}/"),
    }

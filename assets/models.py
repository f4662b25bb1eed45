"""Assets, material presets, the variants made from them, and per-asset variant statistics."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

HEX_COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #a1b2c3.")


# The gallery's public scope: every partial index below covers exactly these rows.
GALLERY_PUBLIC = models.Q(visibility="public", status="ready")

# An IMMUTABLE SQL function (created in migration 0002) so the tsvector can be a stored
# generated column: `array_to_string` alone is only STABLE.
SEARCH_VECTOR_FUNCTION = "assets_asset_search_vector"


def _choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


def asset_model_path(instance: "Asset", filename: str) -> str:
    return f"assets/{instance.id}/model.glb"


def asset_thumbnail_path(instance: "Asset", filename: str) -> str:
    return f"assets/{instance.id}/thumbnail.png"


def variant_model_path(instance: "AssetVariant", filename: str) -> str:
    return f"assets/{instance.asset_id}/variants/{instance.id}/model.glb"


def variant_thumbnail_path(instance: "AssetVariant", filename: str) -> str:
    return f"assets/{instance.asset_id}/variants/{instance.id}/thumbnail.png"


class AssetKind(models.TextChoices):
    CHARACTER = "character"
    CREATURE = "creature"
    PROP = "prop"
    WEAPON = "weapon"
    ARMOR = "armor"
    BUILDING = "building"
    VEHICLE = "vehicle"
    ENVIRONMENT = "environment"
    OTHER = "other"


class AssetArtStyle(models.TextChoices):
    REALISTIC = "realistic"
    STYLIZED = "stylized"
    LOW_POLY = "low_poly", "Low poly"
    CARTOON = "cartoon"
    VOXEL = "voxel"
    PAINTERLY = "painterly"


class AssetVisibility(models.TextChoices):
    PRIVATE = "private"
    UNLISTED = "unlisted"
    PUBLIC = "public"


class AssetStatus(models.TextChoices):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    ARCHIVED = "archived"


class AssetSource(models.TextChoices):
    GENERATED = "generated"
    UPLOADED = "uploaded"


class Asset(models.Model):
    Kind = AssetKind

    ArtStyle = AssetArtStyle

    Visibility = AssetVisibility

    Status = AssetStatus

    Source = AssetSource

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assets"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    art_style = models.CharField(
        max_length=20, choices=ArtStyle.choices, default=ArtStyle.REALISTIC
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True, size=20)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.UPLOADED)
    model_file = models.FileField(upload_to=asset_model_path, max_length=255, blank=True)
    thumbnail = models.FileField(upload_to=asset_thumbnail_path, max_length=255, blank=True)
    file_size = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    sha256 = models.CharField(max_length=64, blank=True)
    vertex_count = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    triangle_count = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    bounding_box = models.JSONField(default=dict, blank=True)
    generation_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = models.GeneratedField(
        expression=models.Func(
            models.F("name"),
            models.F("description"),
            models.F("tags"),
            function=SEARCH_VECTOR_FUNCTION,
            output_field=SearchVectorField(),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
        help_text="Full-text search over name (weight A), tags (B) and description (C).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # One index per gallery sort over the public scope (backward scans serve the
            # descending sorts), plus the two filters most often combined with the default sort.
            models.Index(
                fields=["created_at", "id"], name="asset_pub_created", condition=GALLERY_PUBLIC
            ),
            models.Index(
                Lower("name"), models.F("id"), name="asset_pub_name", condition=GALLERY_PUBLIC
            ),
            models.Index(
                fields=["triangle_count", "id"],
                name="asset_pub_triangles",
                condition=GALLERY_PUBLIC,
            ),
            models.Index(
                fields=["kind", "created_at", "id"],
                name="asset_pub_kind_created",
                condition=GALLERY_PUBLIC,
            ),
            models.Index(
                fields=["art_style", "created_at", "id"],
                name="asset_pub_style_created",
                condition=GALLERY_PUBLIC,
            ),
            # "My assets" (owner=me), any visibility and status.
            models.Index(fields=["owner", "created_at", "id"], name="asset_owner_created"),
            GinIndex(fields=["tags"], name="asset_tags_gin"),
            GinIndex(fields=["search_vector"], name="asset_search_gin"),
        ]
        constraints = [
            _choices_check("kind", AssetKind, "asset_kind_valid"),
            _choices_check("art_style", AssetArtStyle, "asset_art_style_valid"),
            _choices_check("visibility", AssetVisibility, "asset_visibility_valid"),
            _choices_check("status", AssetStatus, "asset_status_valid"),
            _choices_check("source", AssetSource, "asset_source_valid"),
            models.CheckConstraint(
                condition=models.Q(file_size__gte=0, vertex_count__gte=0, triangle_count__gte=0),
                name="asset_counts_non_negative",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="asset_name_not_empty"),
            models.CheckConstraint(
                condition=models.Q(sha256="") | models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="asset_sha256_hex",
            ),
            models.CheckConstraint(
                condition=models.Q(tags__len__lte=20), name="asset_tags_at_most_20"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(model_file=""),
                name="asset_ready_has_model",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MaterialPresetCategory(models.TextChoices):
    METAL = "metal"
    WOOD = "wood"
    STONE = "stone"
    FABRIC = "fabric"
    LEATHER = "leather"
    CRYSTAL = "crystal"
    ORGANIC = "organic"
    PLASTIC = "plastic"
    CERAMIC = "ceramic"
    ENERGY = "energy"


class MaterialPreset(models.Model):
    Category = MaterialPresetCategory

    id = models.BigAutoField(primary_key=True)
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=Category.choices)
    base_color = models.CharField(max_length=7, validators=[HEX_COLOR])
    metallic = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    roughness = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    emissive = models.CharField(max_length=7, blank=True, validators=[HEX_COLOR])
    texture_prompt = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    display_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            _choices_check("category", MaterialPresetCategory, "preset_category_valid"),
            models.CheckConstraint(
                condition=models.Q(metallic__gte=0, metallic__lte=1), name="preset_metallic_range"
            ),
            models.CheckConstraint(
                condition=models.Q(roughness__gte=0, roughness__lte=1),
                name="preset_roughness_range",
            ),
            models.CheckConstraint(
                condition=models.Q(base_color__regex=r"^#[0-9a-fA-F]{6}$"),
                name="preset_base_color_hex",
            ),
            models.CheckConstraint(
                condition=models.Q(emissive="") | models.Q(emissive__regex=r"^#[0-9a-fA-F]{6}$"),
                name="preset_emissive_hex",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "display_order"], name="preset_active_order")]

    def __str__(self) -> str:
        return self.name


class AssetVariantStatus(models.TextChoices):
    PENDING = "pending"
    GENERATING = "generating"
    READY = "ready"
    FAILED = "failed"


class AssetVariant(models.Model):
    Status = AssetVariantStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="variants")
    preset = models.ForeignKey(MaterialPreset, on_delete=models.PROTECT, related_name="variants")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    model_file = models.FileField(upload_to=variant_model_path, max_length=255, blank=True)
    thumbnail = models.FileField(upload_to=variant_thumbnail_path, max_length=255, blank=True)
    file_size = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    external_task_id = models.CharField(max_length=100, blank=True, db_index=True)
    error_message = models.TextField(blank=True)
    display_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "preset"], name="variant_one_per_preset"),
            _choices_check("status", AssetVariantStatus, "variant_status_valid"),
            models.CheckConstraint(
                condition=models.Q(file_size__gte=0), name="variant_size_non_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(model_file=""),
                name="variant_ready_has_model",
            ),
        ]
        indexes = [models.Index(fields=["asset", "display_order"], name="variant_asset_order")]

    def __str__(self) -> str:
        return f"{self.asset} · {self.preset}"


class VariantStatistics(models.Model):
    """Counts of an asset's variants, kept exact in the same transaction as every variant change."""

    asset = models.OneToOneField(
        Asset, on_delete=models.CASCADE, primary_key=True, related_name="variant_statistics"
    )
    total = models.IntegerField(default=0)
    ready = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    pending = models.IntegerField(default=0, help_text="Pending or generating.")
    last_generated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "variant statistics"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0, ready__gte=0, failed__gte=0, pending__gte=0),
                name="variantstats_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    total=models.F("ready") + models.F("failed") + models.F("pending")
                ),
                name="variantstats_total_is_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.ready}/{self.total} ready"


class CharacterConfiguration(models.Model):
    """A user's character (avatar): body, colours, armor, held items and clips, versioned.

    `data` is the current version's configuration (shape checked by
    `assets.characters.character_data_clean`); each save adds a `CharacterConfigurationVersion`.
    The built GLB is the `asset`, made from the version whose hash is `built_hash`, so an
    unchanged configuration is never rebuilt.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="character_configurations"
    )
    name = models.CharField(max_length=120)
    visibility = models.CharField(
        max_length=10, choices=AssetVisibility.choices, default=AssetVisibility.PRIVATE
    )
    data = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    config_hash = models.CharField(max_length=64)
    asset = models.OneToOneField(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="character_configuration",
    )
    built_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            _choices_check("visibility", AssetVisibility, "character_visibility_valid"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="character_version_positive"
            ),
        ]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="character_owner_recent")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class CharacterConfigurationVersion(models.Model):
    """One saved version of a character configuration, kept so a build reads what was saved."""

    configuration = models.ForeignKey(
        CharacterConfiguration, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    data = models.JSONField()
    config_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["configuration", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "version"], name="character_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.configuration_id} v{self.version}"


# Export jobs and presets live in their own module (assets/exports/); Django finds models here.
from assets.exports.models import ExportJob, ExportPreset  # noqa: E402, F401

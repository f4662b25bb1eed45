"""Export jobs (one per export run) and the named settings users save as export presets."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

# Choices mirror the conversion layer's tables (pipelines/stages/export); kept as literals so
# the migration does not depend on which optional tools are installed.
FORMAT_CHOICES = [
    ("glb", "GLB"),
    ("gltf", "glTF (zip)"),
    ("obj", "OBJ (zip)"),
    ("stl", "STL"),
    ("ply", "PLY"),
    ("usdz", "USDZ"),
    ("fbx", "FBX"),
]


class ExportQuality(models.TextChoices):
    FULL = "full"
    MEDIUM = "medium"
    LOW = "low"


class ExportTextureSize(models.TextChoices):
    ORIGINAL = "original"
    SIZE_2K = "2k", "2k"
    SIZE_1K = "1k", "1k"
    SIZE_512 = "512", "512"


def _in(field: str, values, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": list(values)}), name=name)


class ExportPreset(models.Model):
    """Named export settings a user applies in one click (`owner` empty: shipped for everyone)."""

    id = models.BigAutoField(primary_key=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_presets",
        null=True,
        blank=True,
    )
    name = models.CharField(max_length=80)
    format = models.CharField(max_length=8, choices=FORMAT_CHOICES)
    quality = models.CharField(
        max_length=8, choices=ExportQuality.choices, default=ExportQuality.FULL
    )
    texture_size = models.CharField(
        max_length=8, choices=ExportTextureSize.choices, default=ExportTextureSize.ORIGINAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="export_preset_name_per_owner",
                nulls_distinct=False,
            ),
            _in("format", [key for key, _ in FORMAT_CHOICES], "export_preset_format_valid"),
            _in("quality", ExportQuality.values, "export_preset_quality_valid"),
            _in("texture_size", ExportTextureSize.values, "export_preset_texture_size_valid"),
            models.CheckConstraint(condition=~models.Q(name=""), name="export_preset_name_set"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.format}, {self.quality}, {self.texture_size})"

    @property
    def is_shipped(self) -> bool:
        return self.owner_id is None


class ExportJob(models.Model):
    """One export: what was asked, and the files it made. Its run (status, progress, stages,
    timing, errors) is the pipeline row it shares its id with (kind `export`)."""

    pipeline = models.OneToOneField(
        "pipelines.GenerationPipeline",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="export_job",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    assets = models.ManyToManyField("assets.Asset", related_name="export_jobs")
    asset_count = models.PositiveSmallIntegerField(default=1)
    variants = models.JSONField(default=list, blank=True, help_text="Material preset slugs.")
    format = models.CharField(max_length=8, choices=FORMAT_CHOICES)
    quality = models.CharField(
        max_length=8, choices=ExportQuality.choices, default=ExportQuality.FULL
    )
    texture_size = models.CharField(
        max_length=8, choices=ExportTextureSize.choices, default=ExportTextureSize.ORIGINAL
    )
    preset = models.ForeignKey(
        ExportPreset, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    options = models.JSONField(default=dict, blank=True)
    files = models.JSONField(
        default=list,
        blank=True,
        help_text="Result files: name, size, sha256, content_type and storage key.",
    )
    size_before = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    size_after = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    triangles_before = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    triangles_after = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="The files are deleted after this time."
    )
    files_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pipeline_id"]
        constraints = [
            _in("format", [key for key, _ in FORMAT_CHOICES], "export_job_format_valid"),
            _in("quality", ExportQuality.values, "export_job_quality_valid"),
            _in("texture_size", ExportTextureSize.values, "export_job_texture_size_valid"),
            models.CheckConstraint(
                condition=models.Q(asset_count__gte=1), name="export_job_has_assets"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="export_owner_newest"),
            models.Index(
                fields=["expires_at"],
                condition=models.Q(files_deleted_at__isnull=True),
                name="export_files_expiring",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.format}, {self.quality})"

    def clean(self) -> None:
        if self.is_batch and self.variants:
            raise ValidationError({"variants": "A batch export uses each asset's default look."})

    @property
    def id(self):
        return self.pipeline_id

    @property
    def is_batch(self) -> bool:
        return self.asset_count > 1

    @property
    def files_available(self) -> bool:
        """Whether the result files may still be downloaded."""
        return bool(
            self.files
            and self.files_deleted_at is None
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

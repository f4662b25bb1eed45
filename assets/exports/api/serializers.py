"""Shapes of the exports API: what a client sends, and what it gets back."""

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from assets.exports.links import export_link_make
from assets.exports.models import (
    FORMAT_CHOICES,
    ExportJob,
    ExportPreset,
    ExportQuality,
    ExportTextureSize,
)
from assets.exports.selectors import export_error_for_user
from forge.limits import BIGINT_MAX
from forge.strict_serializers import StrictInputSerializer
from pipelines.api.serializers import PipelineStageOutputSerializer, pipeline_websocket_url
from pipelines.kinds.export import BATCH_MAX


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "One asset, for Unity on mobile",
            value={
                "assets": ["6f1c2e9a-3b1d-4c55-9d1e-0a4b6f7c8d90"],
                "format": "fbx",
                "quality": "low",
                "texture_size": "1k",
            },
            request_only=True,
        ),
        OpenApiExample(
            "With a saved preset",
            value={"assets": ["6f1c2e9a-3b1d-4c55-9d1e-0a4b6f7c8d90"], "preset": 1},
            request_only=True,
        ),
        OpenApiExample(
            "GLB with two material variants",
            value={
                "assets": ["6f1c2e9a-3b1d-4c55-9d1e-0a4b6f7c8d90"],
                "format": "glb",
                "variants": ["gold", "oak"],
            },
            request_only=True,
        ),
    ]
)
class ExportCreateInputSerializer(StrictInputSerializer):
    assets = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=BATCH_MAX,
        help_text=f"One asset, or up to {BATCH_MAX} for a batch (one zip with a manifest).",
    )
    format = serializers.ChoiceField(choices=FORMAT_CHOICES, required=False)
    quality = serializers.ChoiceField(choices=ExportQuality.choices, required=False)
    texture_size = serializers.ChoiceField(choices=ExportTextureSize.choices, required=False)
    variants = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        max_length=16,
        help_text="Material preset slugs of the asset's variants (GLB/glTF: several; "
        "other formats: one). Not for batches.",
    )
    preset = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=BIGINT_MAX,
        help_text="An export preset's id: fills the fields not given.",
    )

    def validate(self, attrs):
        if "format" not in attrs and "preset" not in attrs:
            raise serializers.ValidationError({"format": ["Choose a format or a preset."]})
        attrs["assets"] = [str(a) for a in attrs["assets"]]
        return attrs


class ExportEstimateInputSerializer(StrictInputSerializer):
    assets = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=BATCH_MAX
    )
    format = serializers.ChoiceField(choices=FORMAT_CHOICES)
    quality = serializers.ChoiceField(choices=ExportQuality.choices, default="full")
    texture_size = serializers.ChoiceField(choices=ExportTextureSize.choices, default="original")


class ExportEstimateOutputSerializer(serializers.Serializer):
    triangles_before = serializers.IntegerField()
    triangles_after = serializers.IntegerField()
    size_before = serializers.IntegerField()
    size_after = serializers.IntegerField(
        help_text="An estimate; the export reports the real size."
    )


class ExportFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    content_type = serializers.CharField()


class ExportAssetSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ExportErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField(help_text="Written for people: what happened, what to do.")
    retryable = serializers.BooleanField()


class ExportOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="pk")
    status = serializers.CharField(source="pipeline.status")
    progress = serializers.IntegerField(source="pipeline.progress")
    current_stage = serializers.CharField(source="pipeline.current_stage")
    assets = ExportAssetSerializer(many=True)
    preset = serializers.PrimaryKeyRelatedField(read_only=True)
    files = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    request_id = serializers.CharField(source="pipeline.request_id")
    started_at = serializers.DateTimeField(source="pipeline.started_at")
    finished_at = serializers.DateTimeField(source="pipeline.finished_at")
    download_url = serializers.SerializerMethodField()
    websocket_url = serializers.SerializerMethodField()
    stages = PipelineStageOutputSerializer(source="pipeline.stages", many=True)

    class Meta:
        model = ExportJob
        fields = ["id", "status", "progress", "current_stage", "assets", "asset_count"]
        fields += ["variants", "format", "quality", "texture_size", "preset", "files"]
        fields += ["size_before", "size_after", "triangles_before", "triangles_after", "error"]
        fields += ["request_id", "created_at", "started_at", "finished_at", "expires_at"]
        fields += ["download_url", "websocket_url", "stages"]

    @extend_schema_field(ExportFileSerializer(many=True))
    def get_files(self, job):
        return [{k: v for k, v in f.items() if k != "key"} for f in job.files]

    @extend_schema_field(ExportErrorSerializer(allow_null=True))
    def get_error(self, job):
        return export_error_for_user(job)

    def get_download_url(self, job) -> str | None:
        """A signed link, valid until the files expire; only the owner (or staff) may use it."""
        return export_link_make(job) if job.files_available else None

    def get_websocket_url(self, job) -> str:
        return pipeline_websocket_url(job.pipeline)


class ExportPresetInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=80)
    format = serializers.ChoiceField(choices=FORMAT_CHOICES)
    quality = serializers.ChoiceField(choices=ExportQuality.choices, default="full")
    texture_size = serializers.ChoiceField(choices=ExportTextureSize.choices, default="original")


class ExportPresetUpdateInputSerializer(ExportPresetInputSerializer):
    name = serializers.CharField(max_length=80, required=False)
    format = serializers.ChoiceField(choices=FORMAT_CHOICES, required=False)
    quality = serializers.ChoiceField(choices=ExportQuality.choices, required=False)
    texture_size = serializers.ChoiceField(choices=ExportTextureSize.choices, required=False)


class ExportPresetOutputSerializer(serializers.ModelSerializer):
    shipped = serializers.BooleanField(source="is_shipped")

    class Meta:
        model = ExportPreset
        fields = ["id", "name", "format", "quality", "texture_size", "shipped", "created_at"]

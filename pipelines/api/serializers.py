from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.models import AssetArtStyle, AssetKind, AssetVisibility
from pipelines.models import GenerationPipeline, PipelineQuality, PipelineStage, PipelineStatus
from pipelines.selectors import MAX_STATS_DAYS


def pipeline_websocket_url(pipeline: GenerationPipeline) -> str:
    return f"/ws/pipelines/{pipeline.id}/"


class PipelineCreateInputSerializer(serializers.Serializer):
    """Documents the request body; `pipelines.services.pipeline_config_validate` validates it."""

    prompt = serializers.CharField(min_length=3, max_length=600)
    negative_prompt = serializers.CharField(required=False, allow_blank=True, max_length=600)
    kind = serializers.ChoiceField(choices=AssetKind.choices, required=False, default="prop")
    art_style = serializers.ChoiceField(
        choices=AssetArtStyle.choices, required=False, default="realistic"
    )
    quality = serializers.ChoiceField(
        choices=PipelineQuality.choices, required=False, default="standard"
    )
    presets = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        max_length=8,
        help_text="Active preset slugs.",
    )
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    provider = serializers.CharField(required=False, help_text="One of the enabled providers.")
    visibility = serializers.ChoiceField(
        choices=AssetVisibility.choices, required=False, default="private"
    )


class PipelineListInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=PipelineStatus.choices, required=False, help_text="Only this status."
    )


class PipelineStatsInputSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1, max_value=MAX_STATS_DAYS, default=7, help_text="The window in days."
    )


class PipelineStageOutputSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField()

    class Meta:
        model = PipelineStage
        fields = ["name", "order", "status", "progress", "attempts", "started_at", "finished_at"]
        fields += ["external_task_id", "error"]

    def get_error(self, stage) -> dict | None:
        if not stage.error_code and not stage.error_message:
            return None
        return {"code": stage.error_code, "message": stage.error_message}


class PipelineErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    retryable = serializers.BooleanField()


class PipelineAssetSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    url = serializers.CharField()
    thumbnail_url = serializers.CharField(allow_null=True)
    model_url = serializers.CharField(allow_null=True)


class PipelineOutputSerializer(serializers.ModelSerializer):
    error = serializers.SerializerMethodField()
    asset = serializers.SerializerMethodField()
    stages = PipelineStageOutputSerializer(many=True, read_only=True)
    websocket_url = serializers.SerializerMethodField()
    cancel_requested = serializers.SerializerMethodField()
    seq = serializers.IntegerField(source="event_seq")

    class Meta:
        model = GenerationPipeline
        fields = [
            "id",
            "status",
            "progress",
            "current_stage",
            "config",
            "provider",
            "error",
            "result",
            "attempt",
            "max_attempts",
            "next_attempt_at",
            "cancel_requested",
            "asset",
            "stages",
            "seq",
            "request_id",
            "websocket_url",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
        ]

    @extend_schema_field(PipelineErrorSerializer(allow_null=True))
    def get_error(self, pipeline):
        if not pipeline.error_code:
            return None
        return {
            "code": pipeline.error_code,
            "message": pipeline.error_message,
            "retryable": pipeline.error_retryable,
        }

    @extend_schema_field(PipelineAssetSerializer(allow_null=True))
    def get_asset(self, pipeline):
        asset = pipeline.asset
        if asset is None:
            return None
        return {
            "id": str(asset.id),
            "name": asset.name,
            "url": f"/assets/{asset.id}/",
            "thumbnail_url": asset.thumbnail.url if asset.thumbnail else None,
            "model_url": asset.model_file.url if asset.model_file else None,
        }

    def get_websocket_url(self, pipeline) -> str:
        return pipeline_websocket_url(pipeline)

    def get_cancel_requested(self, pipeline) -> bool:
        return pipeline.cancel_requested_at is not None

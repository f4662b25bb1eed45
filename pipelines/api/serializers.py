from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.models import AssetArtStyle, AssetKind, AssetVisibility
from forge.exceptions import ValidationFailedError
from forge.strict_serializers import StrictInputSerializer
from pipelines.models import GenerationPipeline, PipelineQuality, PipelineStage, PipelineStatus
from pipelines.selectors import MAX_STATS_DAYS


def pipeline_websocket_url(pipeline: GenerationPipeline) -> str:
    return f"/ws/pipelines/{pipeline.id}/"


PROMPT_MIN, PROMPT_MAX = 3, 600
NEGATIVE_PROMPT_MAX = 600
MAX_PRESETS = 8
SEED_MAX = 2**31 - 1
# Optional fields whose null or empty value means "use the default".
_DEFAULTED = ("negative_prompt", "kind", "art_style", "quality", "presets", "seed", "provider")
_DEFAULTED += ("visibility",)


class CollapsedCharField(serializers.CharField):
    """A string with surrounding and repeated whitespace removed before length checks."""

    def to_internal_value(self, data):
        return " ".join(super().to_internal_value(data).split())


class PipelineCreateInputSerializer(StrictInputSerializer):
    """A generation request; unknown fields are rejected, empty optional fields take defaults."""

    # The one place a generation config's shape is validated: the generation run kind
    # (`pipelines.kinds.generation`) applies it to every config, from the API, the form or
    # code, and adds only the database checks. `seed` stays None when not given (creation
    # picks one), so a repeated request cleans to the same config for idempotency.

    prompt = CollapsedCharField(min_length=PROMPT_MIN, max_length=PROMPT_MAX)
    negative_prompt = CollapsedCharField(
        required=False, allow_blank=True, max_length=NEGATIVE_PROMPT_MAX, default=""
    )
    kind = serializers.ChoiceField(
        choices=AssetKind.choices,
        required=False,
        default="",
        help_text="The asset kind; empty or missing: inferred from the prompt.",
    )
    art_style = serializers.ChoiceField(
        choices=AssetArtStyle.choices, required=False, default="realistic"
    )
    quality = serializers.ChoiceField(
        choices=PipelineQuality.choices, required=False, default="standard"
    )
    presets = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        max_length=MAX_PRESETS,
        default=list,
        help_text="Active preset slugs.",
    )
    seed = serializers.IntegerField(
        required=False, min_value=0, max_value=SEED_MAX, allow_null=True, default=None
    )
    provider = serializers.CharField(required=False, help_text="One of the enabled providers.")
    visibility = serializers.ChoiceField(
        choices=AssetVisibility.choices, required=False, default="private"
    )
    confirm_approximate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Publish publicly even when the result only approximates the prompt.",
    )

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected an object."]})
        data = {
            key: value
            for key, value in data.items()
            if key not in _DEFAULTED or value not in (None, "", [])
        }
        return super().to_internal_value(data)

    def validate_presets(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each preset may be chosen once.")
        return value

    def validate_provider(self, value: str) -> str:
        if value not in settings.FORGE_ENABLED_PROVIDERS:
            enabled = ", ".join(settings.FORGE_ENABLED_PROVIDERS)
            raise serializers.ValidationError(f"Must be one of: {enabled}.")
        return value

    def validate(self, attrs: dict) -> dict:
        provider = attrs.setdefault("provider", settings.FORGE_PROVIDER)
        if provider not in settings.FORGE_PROVIDERS:
            raise serializers.ValidationError(
                {"provider": [f"Provider {provider!r} is not configured."]}
            )
        return attrs


def _messages(errors) -> list[str]:
    """Flatten DRF's nested errors (a list field's per-item dict) into a list of messages."""
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _messages(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _messages(value)]
    return [str(errors)]


def pipeline_config_shape(data) -> dict:
    """Return the cleaned generation config in `data`; raise ValidationFailedError per field."""
    serializer = PipelineCreateInputSerializer(data=data)
    if not serializer.is_valid():
        details = {field: _messages(errors) for field, errors in serializer.errors.items()}
        first_field, first = next(iter(details.items()))
        message = first[0] if first_field == "non_field_errors" else f"{first_field}: {first[0]}"
        raise ValidationFailedError(message, details=details)
    cleaned = dict(serializer.validated_data)
    return {name: cleaned[name] for name in serializer.fields}


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

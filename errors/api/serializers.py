from rest_framework import serializers

from errors.models import (
    ErrorCategory,
    ErrorGroup,
    ErrorGroupActivity,
    ErrorGroupStatus,
    ErrorIgnoreCondition,
    ErrorOccurrence,
    ErrorSeverity,
)
from forge.limits import BIGINT_MAX, INTEGER_MAX
from forge.strict_serializers import StrictInputSerializer


class ErrorGroupOutputSerializer(serializers.ModelSerializer):
    resolved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ErrorGroup
        fields = [
            "id",
            "fingerprint",
            "title",
            "culprit",
            "error_type",
            "severity",
            "category",
            "external_service",
            "first_seen",
            "last_seen",
            "times_seen",
            "status",
            "resolved_by",
            "resolved_at",
            "resolution_note",
            "regressed_at",
            "ignore_condition",
            "ignore_until",
            "ignore_threshold",
        ]


class ErrorOccurrenceOutputSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ErrorOccurrence
        fields = [
            "id",
            "group",
            "occurred_at",
            "repeats",
            "request_id",
            "route",
            "method",
            "http_status",
            "severity",
            "category",
            "external_service",
            "error_type",
            "error_code",
            "message",
            "stack_trace",
            "context",
            "user",
            "project",
            "environment",
            "release",
        ]


class ErrorGroupActivityOutputSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ErrorGroupActivity
        fields = ["created_at", "actor", "action", "from_status", "to_status", "note"]


class ErrorGroupListInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ErrorGroupStatus.choices, required=False)
    severity = serializers.ChoiceField(choices=ErrorSeverity.choices, required=False)
    category = serializers.ChoiceField(choices=ErrorCategory.choices, required=False)
    external_service = serializers.CharField(required=False, max_length=64)
    search = serializers.CharField(required=False, max_length=200)


class ErrorOccurrenceListInputSerializer(serializers.Serializer):
    group = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT_MAX)
    severity = serializers.ChoiceField(choices=ErrorSeverity.choices, required=False)
    request_id = serializers.CharField(required=False, max_length=128)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class ErrorGroupNoteInputSerializer(StrictInputSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ErrorGroupIgnoreInputSerializer(StrictInputSerializer):
    ignore_condition = serializers.ChoiceField(choices=ErrorIgnoreCondition.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000,
        help_text="The reason; required when ignoring forever.",
    )  # fmt: skip
    ignore_until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ignore_threshold = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=INTEGER_MAX
    )


class ErrorAggregationInputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    bucket = serializers.ChoiceField(choices=["hour", "day"], default="hour")
    split = serializers.ChoiceField(
        choices=["severity", "category", "route", "external_service"], default="severity"
    )
    severity = serializers.ChoiceField(choices=ErrorSeverity.choices, required=False)
    category = serializers.ChoiceField(choices=ErrorCategory.choices, required=False)
    route = serializers.CharField(required=False, max_length=255)
    external_service = serializers.CharField(required=False, max_length=64, allow_blank=True)

    def validate(self, data):
        if data["end"] <= data["start"]:
            raise serializers.ValidationError({"end": ["Must be after start."]})
        limit = 366 if data["bucket"] == "day" else 31
        if (data["end"] - data["start"]).days > limit:
            raise serializers.ValidationError(
                {"end": [f"At most {limit} days for {data['bucket']} buckets."]}
            )
        return data

from rest_framework import serializers

from forge.models import ApiToken
from forge.strict_serializers import StrictInputSerializer


class ApiTokenCreateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)


class ApiTokenOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]


class ApiTokenCreatedOutputSerializer(ApiTokenOutputSerializer):
    token = serializers.CharField(help_text="The raw token. It is shown only in this response.")

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "token"]

"""drf-spectacular additions: the bearer token scheme, strict request bodies and the envelope."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.views import SpectacularAPIView

from forge.envelope import EnvelopeRenderer
from forge.exceptions import ErrorCode

_JSON = "application/json"


class SchemaView(SpectacularAPIView):
    """The OpenAPI document (YAML or JSON); its errors answer in the API envelope, as JSON.

    drf-spectacular renders an error with the negotiated schema renderer, so a throttled
    request or an unknown `?format=` got a YAML or bare JSON body instead of the envelope.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            request.accepted_renderer = EnvelopeRenderer()
            request.accepted_media_type = EnvelopeRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "forge.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token created on /account/ or POST /api/v1/tokens/.",
        }


class StrictInputSchema(OpenApiSerializerExtension):
    """Request bodies of strict input serializers admit no other keys (`forge.strict_serializers`)."""

    target_class = "forge.strict_serializers.StrictInputMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def _envelope_components() -> dict:
    return {
        "EnvelopeMeta": {
            "type": "object",
            "required": ["request_id", "timestamp", "duration_ms"],
            "properties": {
                "request_id": {"type": "string"},
                "timestamp": {"type": "string", "format": "date-time"},
                "duration_ms": {"type": "number"},
                "pagination": {"type": "object", "additionalProperties": True},
            },
        },
        "EnvelopeError": {
            "type": "object",
            "required": ["code", "message", "details", "retryable"],
            "properties": {
                "code": {"type": "string", "enum": [c.value for c in ErrorCode]},
                "message": {"type": "string"},
                "details": {"nullable": True},
                "retryable": {"type": "boolean"},
            },
        },
        "ErrorEnvelope": {
            "type": "object",
            "required": ["data", "meta", "error"],
            "properties": {
                "data": {"nullable": True, "enum": [None]},
                "meta": {"$ref": "#/components/schemas/EnvelopeMeta"},
                "error": {"$ref": "#/components/schemas/EnvelopeError"},
            },
        },
    }


def _wrap(schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["data", "meta", "error"],
        "properties": {
            "data": schema,
            "meta": {"$ref": "#/components/schemas/EnvelopeMeta"},
            "error": {"nullable": True, "enum": [None]},
        },
    }


_ERROR_RESPONSES = {
    "400": "Validation failed",
    "401": "Not authenticated",
    "403": "Permission denied",
    "404": "Not found",
    "429": "Rate limited",
    "500": "Internal error",
}
# Only operations that take a body can be sent one too large or of the wrong type.
_BODY_ERROR_RESPONSES = {
    "413": "Payload too large",
    "415": "Unsupported media type",
}


def envelope_postprocessing_hook(result, generator, request, public):
    """Wrap every JSON response schema under /api/ in the envelope and add the error responses."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.update(_envelope_components())
    error_ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for _method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if status.startswith("2") and _JSON in content:
                    content[_JSON]["schema"] = _wrap(content[_JSON].get("schema", {}))
                elif status.startswith("2") and not content and status != "204":
                    response["content"] = {_JSON: {"schema": _wrap({"nullable": True})}}
                elif status[0] in "45" and not content:
                    response["content"] = {_JSON: {"schema": error_ref}}
            errors = dict(_ERROR_RESPONSES)
            if "requestBody" in operation:
                errors.update(_BODY_ERROR_RESPONSES)
            for status, description in errors.items():
                operation["responses"].setdefault(
                    status, {"description": description, "content": {_JSON: {"schema": error_ref}}}
                )
    return result

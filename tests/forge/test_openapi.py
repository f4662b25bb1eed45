import pytest

pytestmark = pytest.mark.django_db


def test_schema_wraps_responses_in_the_envelope(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    components = schema["components"]["schemas"]
    assert {"EnvelopeMeta", "EnvelopeError", "ErrorEnvelope"} <= set(components)
    listing = schema["paths"]["/api/v1/tokens/"]["get"]["responses"]
    ok = listing["200"]["content"]["application/json"]["schema"]
    assert set(ok["properties"]) == {"data", "meta", "error"}
    assert listing["401"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorEnvelope")
    assert "bearerAuth" in schema["components"]["securitySchemes"]


def test_docs_page_needs_no_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


def _integers(schema: dict, components: dict, where: str, seen=()):
    """Yield `(where, schema)` for every integer schema reachable from `schema`."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _integers(components[name], components, where, (*seen, name))
        return
    if schema.get("type") == "integer":
        yield where, schema
    for key, prop in schema.get("properties", {}).items():
        yield from _integers(prop, components, f"{where}.{key}", seen)
    if "items" in schema:
        yield from _integers(schema["items"], components, f"{where}[]", seen)
    for part in schema.get("allOf", []) + schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _integers(part, components, where, seen)


def test_every_integer_input_in_the_api_has_a_range(client):
    """An unbounded integer input can overflow its column: every one states its range."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    unbounded = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            inputs = [
                (f"{method} {path} ?{p['name']}", p.get("schema", {}))
                for p in operation.get("parameters", [])
                if p["in"] != "path"  # path converters are checked by the URL patterns
            ]
            for media, body in operation.get("requestBody", {}).get("content", {}).items():
                inputs.append((f"{method} {path} {media}", body["schema"]))
            for where, root in inputs:
                for name, integer in _integers(root, components, where):
                    if "minimum" not in integer or "maximum" not in integer:
                        unbounded.append(name)
    assert unbounded == []


def test_schema_errors_answer_in_the_envelope(client):
    """An unknown `?format=` (and a throttled request) once got a YAML error body."""
    response = client.get("/api/schema/", {"format": "xyz"})
    assert response.status_code == 406
    body = response.json()
    assert body["data"] is None and body["error"]["code"] == "not_acceptable"
    assert "yaml" in body["error"]["message"] and "json" in body["error"]["message"]
    assert body["meta"]["request_id"] == response["X-Request-ID"]
    assert client.get("/api/schema/").status_code == 200  # YAML by default, as before
    assert client.get("/api/schema/", {"format": "json"}).json()["openapi"].startswith("3.")

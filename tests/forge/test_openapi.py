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

import pytest


@pytest.mark.django_db
def test_a_well_formed_request_id_is_returned_in_the_header_and_meta(client):
    response = client.get("/api/v1/nope/", HTTP_X_REQUEST_ID="client-id_1.2:3")
    assert response["X-Request-ID"] == "client-id_1.2:3"
    assert response.json()["meta"]["request_id"] == "client-id_1.2:3"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    ["has space", "x" * 129, "semi;colon", "new\nline", "<script>", ""],
)
def test_a_malformed_request_id_is_replaced_by_a_generated_one(client, bad):
    response = client.get("/api/v1/nope/", HTTP_X_REQUEST_ID=bad)
    generated = response["X-Request-ID"]
    assert generated != bad
    assert len(generated) == 32 and generated.isalnum()
    assert response.json()["meta"]["request_id"] == generated


@pytest.mark.django_db
def test_every_response_carries_a_request_id_even_html(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert first and second and first != second


# The access line itself: tests/forge/test_logging.py.

"""The character preview given a `character` that is not an ID: missing (404), never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["/characters/preview/", "/characters/preview.glb"])
@pytest.mark.parametrize("character", ["abc", "%00", "1234"])
def test_a_character_id_that_is_not_one_is_missing(client_in, url, character):
    response = client_in.get(f"{url}?character={character}")
    assert response.status_code == 404

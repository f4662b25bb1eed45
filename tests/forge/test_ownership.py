"""Per-user caps on rows listed without pages: API tokens, export presets, characters."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from assets.exports.models import ExportPreset
from forge.exceptions import ValidationFailedError
from forge.ownership import owned_rows_room_check
from forge.tokens import MAX_ACTIVE_TOKENS, api_token_create, api_token_list

PRESETS = "/api/v1/exports/presets/"


@pytest.mark.django_db
def test_a_user_holds_at_most_the_token_limit(user_client, user):
    for index in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=user, name=f"t{index}")
    response = user_client.post("/api/v1/tokens/", {"name": "one more"}, format="json")
    assert response.status_code == 400
    assert "revoke one first" in response.json()["error"]["message"]
    assert api_token_list(user=user).count() == MAX_ACTIVE_TOKENS


@pytest.mark.django_db
def test_a_user_holds_at_most_the_export_preset_limit(user_client, user, settings):
    settings.FORGE_EXPORT_PRESETS_MAX = 3
    body = {"format": "glb", "quality": "low", "texture_size": "512"}
    for index in range(3):
        made = user_client.post(PRESETS, {**body, "name": f"p{index}"}, format="json")
        assert made.status_code == 201, made.content
    refused = user_client.post(PRESETS, {**body, "name": "p3"}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "delete one first" in error["message"] and error["details"]["limit"] == 3
    assert ExportPreset.objects.filter(owner=user).count() == 3


@pytest.mark.django_db
def test_a_user_holds_at_most_the_character_limit(user_client, user, settings):
    from assets.models import CharacterConfiguration

    settings.FORGE_CHARACTERS_MAX = 2
    for name in ("a", "b"):
        made = user_client.post("/api/v1/characters/", {"name": name}, format="json")
        assert made.status_code == 201, made.content
    refused = user_client.post("/api/v1/characters/", {"name": "c"}, format="json")
    assert refused.status_code == 400
    assert "delete one first" in refused.json()["error"]["message"]
    assert CharacterConfiguration.objects.filter(owner=user).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_check_holds_the_owners_row_until_the_creating_transaction_ends(user):
    """So two concurrent creates cannot both see room for the last row."""
    checked, release, failures = threading.Event(), threading.Event(), []

    def create_in_a_transaction():
        try:
            with transaction.atomic():
                owned_rows_room_check(
                    owner=user, rows=ExportPreset.objects.filter(owner=user), limit=5, message="x"
                )
                checked.set()
                release.wait(30)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=create_in_a_transaction)
    thread.start()
    try:
        assert checked.wait(30)
        with pytest.raises(DatabaseError), transaction.atomic():
            get_user_model().objects.select_for_update(nowait=True).get(pk=user.pk)
    finally:
        release.set()
        thread.join(30)
    assert not failures


@pytest.mark.django_db(transaction=True)
def test_the_check_refuses_to_run_outside_a_transaction(user):
    with pytest.raises(RuntimeError):
        owned_rows_room_check(owner=user, rows=ExportPreset.objects.none(), limit=1, message="x")


@pytest.mark.django_db
def test_the_check_says_what_to_do(user):
    with transaction.atomic(), pytest.raises(ValidationFailedError) as refused:
        owned_rows_room_check(
            owner=user, rows=ExportPreset.objects.none(), limit=0, message="delete one"
        )
    assert refused.value.message == "delete one"

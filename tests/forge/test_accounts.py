from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_creates_the_user_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "newbie",
            "email": "",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newbie").exists()
    assert client.get("/account/").status_code == 200


def test_sign_up_shows_form_errors(client):
    response = client.post(
        "/accounts/signup/", {"username": "x", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 200
    assert (
        "didn’t match" in response.content.decode() or "didn't match" in response.content.decode()
    )


_NEW_USER = {
    "username": "newbie",
    "email": "",
    "password1": "a-long-pass-phrase-42",
    "password2": "a-long-pass-phrase-42",
}


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/x",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "foo",
        "assets:list",
        "/\x00",
        "/a\nb",
        "",
    ],
)
def test_sign_up_follows_next_only_to_a_path_on_this_site(client, next_url):
    response = client.post(f"/accounts/signup/?next={quote(next_url)}", _NEW_USER)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert get_user_model().objects.filter(username="newbie").exists()


def test_sign_up_follows_a_local_next(client):
    response = client.post(f"/accounts/signup/?next={quote('/pipelines/new/?a=1')}", _NEW_USER)
    assert response.status_code == 302 and response["Location"] == "/pipelines/new/?a=1"


def test_a_sign_up_that_loses_the_race_for_its_name_gets_a_form_error(client, monkeypatch):
    """A double submit: both requests pass validation, the second insert hits the unique key."""
    from forge.forms import SignUpForm

    get_user_model().objects.create_user(username="newbie", password="x-long-pass-phrase-1")
    monkeypatch.setattr(SignUpForm, "clean_username", lambda form: form.cleaned_data["username"])
    monkeypatch.setattr(SignUpForm, "validate_unique", lambda form: None)
    response = client.post("/accounts/signup/", _NEW_USER)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert get_user_model().objects.filter(username="newbie").count() == 1
    assert client.get("/account/").status_code == 302  # not signed in


def test_sign_in_and_sign_out(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/account/").status_code == 302


def test_sign_in_with_a_wrong_password_says_so(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def _sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_repeated_wrong_passwords_lock_the_account_with_a_form_error(client, user, settings):
    settings.FORGE_AUTH_FAILURES_PER_ACCOUNT = 3
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 100
    for _ in range(3):
        assert _sign_in(client, user.username, "wrong").status_code == 200

    locked = _sign_in(client, user.username, DEFAULT_PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= settings.FORGE_AUTH_FAILURE_WINDOW_SECONDS
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in locked.content.decode()
    assert client.get("/account/").status_code == 302
    # The account is locked from every address; the username's case does not matter.
    elsewhere = _sign_in(client, user.username.upper(), DEFAULT_PASSWORD, address="10.9.9.9")
    assert elsewhere.status_code == 429


def test_one_address_is_limited_across_accounts_and_its_own_sign_in_does_not_reset_it(
    client, user, other_user, settings
):
    settings.FORGE_AUTH_FAILURES_PER_ACCOUNT = 100
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 3
    attacker = "10.6.6.6"
    assert _sign_in(client, user.username, "guess-1", attacker).status_code == 200
    assert _sign_in(client, user.username, "guess-2", attacker).status_code == 200
    # The attacker signs into their own account between guesses: no fresh allowance.
    assert _sign_in(client, other_user.username, DEFAULT_PASSWORD, attacker).status_code == 302
    client.post("/accounts/logout/")
    assert _sign_in(client, "someone-else", "guess-3", attacker).status_code == 200

    refused = _sign_in(client, other_user.username, DEFAULT_PASSWORD, attacker)
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.content.decode()
    # The owner, from their own address, is not affected.
    assert _sign_in(client, user.username, DEFAULT_PASSWORD, "10.0.0.2").status_code == 302

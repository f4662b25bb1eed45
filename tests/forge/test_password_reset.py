"""Password reset by email and password change, through the pages a user clicks."""

import re

import pytest
from django.core import mail
from django.test import override_settings

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-pass-phrase-77"


def reset_link(message) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_sign_in_page_links_to_the_reset_page(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in html
    assert client.get("/accounts/password/reset/").status_code == 200


def test_a_reset_link_sets_a_new_password_and_the_old_one_stops_working(client):
    user = UserFactory(email="ada@example.com")
    response = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].subject == "Reset your Forge password"

    # The emailed link leads to the form (through Django's redirect that hides the token).
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"

    old = client.post("/accounts/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert old.status_code == 200  # the form again, with an error
    new = client.post("/accounts/login/", {"username": user.username, "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_a_used_link_no_longer_works(client):
    UserFactory(email="ada@example.com")
    client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    link = reset_link(mail.outbox[0])
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_an_unknown_address_answers_exactly_like_a_known_one(client):
    UserFactory(email="ada@example.com")
    known = client.post("/accounts/password/reset/", {"email": "ada@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


@override_settings(FORGE_PASSWORD_RESET_LIMIT=2)
def test_reset_emails_to_one_address_are_bounded_without_saying_so(client):
    UserFactory(email="ada@example.com")
    UserFactory(email="bob@example.com")
    answers = [
        client.post("/accounts/password/reset/", {"email": "Ada@Example.com"}) for _ in range(4)
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/accounts/password/reset/sent/")
    }
    assert len(mail.outbox) == 2
    # Another address has its own allowance.
    client.post("/accounts/password/reset/", {"email": "bob@example.com"})
    assert mail.outbox[-1].to == ["bob@example.com"]


def test_a_signed_in_user_changes_the_password_from_the_account_page(client, user):
    client.force_login(user)
    assert 'href="/accounts/password/change/"' in client.get("/account/").content.decode()
    wrong = client.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "incorrectly" in wrong.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    assert client.get("/account/").status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(DEFAULT_PASSWORD)


def test_the_change_page_needs_a_signed_in_user(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

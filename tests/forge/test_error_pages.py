"""Forge's own error pages, also where Django falls back to its default views."""

import pytest
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_page_shows_forges_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Back to the gallery" in html
    assert "URLconf" not in html


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (defaults.page_not_found, 404, "Not found"),
        (defaults.permission_denied, 403, "Not allowed"),
        (defaults.bad_request, 400, "Bad request"),
    ],
)
def test_djangos_default_error_views_render_in_forges_style(user, view, status, heading):
    request = RequestFactory().get("/somewhere/")
    request.user = user
    response = view(request, exception=Exception("x"))
    html = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in html
    assert "css/forge.css" in html


def test_djangos_last_resort_500_renders_without_a_database_or_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something broke" in response.content.decode()
    assert "css/forge.css" in response.content.decode()


@pytest.mark.django_db
def test_a_get_to_a_post_only_page_gets_the_sites_405_page(client, user):
    client.force_login(user)
    response = client.get("/exports/new/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "<html" in page and "Not this way" in page and "only: POST" in page


@pytest.mark.django_db
def test_a_405_under_the_api_stays_enveloped(client, user):
    client.force_login(user)
    response = client.delete("/api/v1/assets/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"

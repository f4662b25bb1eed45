"""Response headers: the Content-Security-Policy, and forwarded headers only from proxies."""

import pytest
from django.test import RequestFactory, override_settings

from forge.clientip import client_ip
from tests.assets.factories import AssetFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_pages_carry_a_policy_that_allows_only_forges_own_scripts_and_styles(client):
    csp = directives(client.get("/"))
    assert csp["default-src"] == ["'self'"]
    # No inline script or eval; WebAssembly only for model-viewer's mesh decoder.
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert csp["style-src"][0] == "'self'"
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    # model-viewer decodes textures from blob: URLs.
    assert "blob:" in csp["img-src"]


def test_api_responses_carry_the_policy_too(client):
    assert "default-src 'self'" in client.get("/api/v1/assets/")["Content-Security-Policy"]


@override_settings(FORGE_CSP_MEDIA_ORIGINS=["https://media.example.com"])
def test_a_configured_media_origin_may_serve_images_and_models(client):
    csp = directives(client.get("/"))
    assert "https://media.example.com" in csp["img-src"]
    assert "https://media.example.com" in csp["connect-src"]
    assert "https://media.example.com" not in csp["script-src"]


def test_forges_pages_have_no_inline_scripts_or_handlers(client, user):
    # Inline script would be blocked by the policy; these pages must work without it.
    client.force_login(user)
    asset = AssetFactory(owner=user, visibility="public")
    pages = ["/", f"/assets/{asset.id}/", "/pipelines/", "/pipelines/new/", "/account/"]
    for url in [*pages, "/accounts/login/"]:
        html = client.get(url).content.decode()
        assert "<script>" not in html, url
        assert "onchange=" not in html and "onclick=" not in html, url
        assert "<style" not in html, url


@override_settings(SECURE_SSL_REDIRECT=True, FORGE_TRUSTED_PROXIES=[])
def test_a_client_cannot_skip_the_https_redirect_with_a_forged_header(client):
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@override_settings(SECURE_SSL_REDIRECT=True, FORGE_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_trusted_proxy_may_say_the_request_came_over_https(client):
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    plain = client.get("/", REMOTE_ADDR="10.1.2.3")
    assert plain.status_code == 301
    outsider = client.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.1")
    assert outsider.status_code == 301


def request_from(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(FORGE_TRUSTED_PROXIES=[])
def test_client_ip_ignores_x_forwarded_for_from_an_untrusted_peer():
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(FORGE_TRUSTED_PROXIES=["10.0.0.1", "172.16.0.0/12"])
def test_client_ip_reads_past_trusted_proxies_and_never_trusts_the_clients_own_entries():
    assert client_ip(request_from("10.0.0.1", "198.51.100.7")) == "198.51.100.7"
    # The client wrote "1.2.3.4" itself; the proxies saw 198.51.100.7.
    chain = "1.2.3.4, 198.51.100.7, 172.16.5.5"
    assert client_ip(request_from("10.0.0.1", chain)) == "198.51.100.7"
    assert client_ip(request_from("10.0.0.1")) == "10.0.0.1"
    assert client_ip(request_from("10.0.0.1", "not-an-ip")) == "10.0.0.1"


def test_the_staff_error_pages_load_their_styles_from_a_file(admin_client):
    for url in ["/admin/errors/errorgroup/", "/admin/errors/erroroverview/"]:
        html = admin_client.get(url).content.decode()
        assert "<style" not in html, url
        assert "css/errors-admin.css" in html, url


def test_the_api_docs_page_runs_from_files_only(client):
    html = client.get("/api/docs/").content.decode()
    assert "<style" not in html
    assert "<script>" not in html
    assert "swagger-ui-page.css" in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_websockets_client_address_follows_the_same_proxy_rules(settings):
    from forge.clientip import scope_client_ip

    forwarded = [(b"origin", b"x"), (b"X-Forwarded-For", b"203.0.113.9, 10.2.2.2")]
    direct = {"client": ("198.51.100.1", 5000), "headers": forwarded}
    assert scope_client_ip(direct) == "198.51.100.1"  # nobody trusted: the header is ignored
    settings.FORGE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = {"client": ("10.1.1.1", 5000), "headers": forwarded}
    assert scope_client_ip(proxied) == "203.0.113.9"
    assert scope_client_ip({"client": ("10.1.1.1", 5000), "headers": []}) == "10.1.1.1"
    assert scope_client_ip({"client": None, "headers": forwarded}) == ""

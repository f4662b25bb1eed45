"""Export pages and API given input that names nothing: a clear answer, never a 500."""

import pytest

from assets.exports.models import ExportJob
from tests.assets.factories import AssetVariantFactory

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}
FORM_TYPE = "application/x-www-form-urlencoded"


@pytest.fixture
def browser(user_session):
    return user_session


@pytest.fixture
def gold_asset(box_asset, presets):
    """The user's box with a ready gold variant (and no oak one)."""
    AssetVariantFactory(asset=box_asset, preset=presets[0])
    return box_asset


@pytest.mark.parametrize("bad", ["abc", "\x00", "x" * 1_000_000])
@pytest.mark.parametrize("url", ["/exports/new/", "/exports/estimate/"])
def test_an_asset_id_that_is_not_one_is_a_form_error(browser, url, bad):
    response = browser.post(url, {"assets": bad, "format": "glb"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No such asset." in html
    assert "\x00" not in html and "xxxx" not in html
    assert not ExportJob.objects.exists()


def test_a_nul_variant_name_is_a_form_error(browser, box_asset):
    form = {"assets": str(box_asset.pk), "format": "glb", "variants": "\x00"}
    response = browser.post("/exports/new/", form, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "no such variant" in html and "\x00" not in html
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("preset", ["999", "99999999999999999999"])
def test_the_estimate_of_a_missing_preset_says_so_like_the_export(browser, box_asset, preset):
    form = {"assets": str(box_asset.pk), "preset": preset}
    estimate = browser.post("/exports/estimate/", form, **HTMX)
    assert estimate.status_code == 200
    assert "No such export preset." in estimate.content.decode()
    export = browser.post("/exports/new/", form, **HTMX)
    assert "No such export preset." in export.content.decode()
    assert not ExportJob.objects.exists()


def test_a_batch_search_with_a_nul_is_a_400_saying_why(browser, box_asset):
    response = browser.get("/exports/batch/", {"q": "\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Null characters are not allowed." in html and "\x00" not in html


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("variants=nonexistent", "nonexistent"),
        ("variants=oak", "oak"),  # a preset the asset has no variant of
        ("variants=%ED%A0%80", "no such variant"),  # decoded to U+FFFD
    ],
)
def test_a_variant_the_asset_does_not_have_is_refused_when_the_export_is_made(
    browser, gold_asset, body, named
):
    response = browser.post(
        "/exports/new/",
        f"assets={gold_asset.pk}&format=glb&{body}",
        content_type=FORM_TYPE,
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert named in html and 'role="alert"' in html
    assert not ExportJob.objects.exists()
    # A variant the asset has is still exported.
    good = browser.post(
        "/exports/new/", {"assets": str(gold_asset.pk), "format": "glb", "variants": "gold"}, **HTMX
    )
    assert good.status_code == 202
    assert ExportJob.objects.get().variants == ["gold"]


def test_the_api_refuses_a_variant_the_asset_does_not_have(user_client, gold_asset):
    response = user_client.post(
        "/api/v1/exports/",
        {"assets": [str(gold_asset.pk)], "format": "glb", "variants": ["gold", "nonexistent"]},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert "nonexistent" in error["message"] and "variants" in error["details"]
    assert not ExportJob.objects.exists()


def test_the_estimate_refuses_an_asset_listed_twice_as_the_export_does(user_client, gold_asset):
    body = {"assets": [str(gold_asset.pk)] * 3, "format": "glb"}
    for url in ("/api/v1/exports/estimate/", "/api/v1/exports/"):
        response = user_client.post(url, body, format="json")
        assert response.status_code == 400, (url, response.content)
        assert "listed twice" in response.json()["error"]["message"]
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "foo", "javascript:alert(1)"]
)
def test_a_refused_export_never_redirects_off_site_or_to_a_view_name(browser, next_url):
    response = browser.post("/exports/new/", {"assets": "abc", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/exports/"


def test_a_refused_export_goes_back_to_the_local_page_it_came_from(browser):
    response = browser.post("/exports/new/", {"assets": "abc", "next": "/exports/batch/"})
    assert response.status_code == 302
    assert response["Location"] == "/exports/batch/"

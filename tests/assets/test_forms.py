"""The asset forms: one default visibility said on every form, help and error text wired to
their inputs, a bad upload reported in one round, and times that say "just now"."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assets.models import Asset, VariantStatistics
from forge.templatetags.forge_time import ago
from tests.assets.factories import AssetFactory
from tests.assets.glb_samples import box_glb

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def _html(response) -> str:
    return response.content.decode()


def _form_pages(signed_in, user) -> dict[str, str]:
    asset = AssetFactory(owner=user, files=False)
    return {
        "upload": _html(signed_in.get("/assets/upload/")),
        "edit": _html(signed_in.get(f"/assets/{asset.id}/edit/")),
        "generate": _html(signed_in.get("/pipelines/new/")),
    }


def test_every_asset_form_defaults_to_private_and_says_so(signed_in, user):
    for name, html in _form_pages(signed_in, user).items():
        assert "Private (the default): only you see it." in html, name
    upload = _form_pages(signed_in, user)["upload"]
    assert re.search(r'<option value="private" selected>', upload)


def test_every_described_by_id_exists_on_the_page(signed_in, user, client):
    pages = _form_pages(signed_in, user)
    pages["account"] = _html(signed_in.get("/account/"))
    client.logout()
    pages["signup"] = _html(client.get("/accounts/signup/"))
    for name, html in pages.items():
        referenced = {
            ref for refs in re.findall(r'aria-describedby="([^"]+)"', html) for ref in refs.split()
        }
        assert referenced, name
        for ref in referenced:
            assert f'id="{ref}"' in html, (name, ref)
    assert 'aria-describedby="id_file_helptext"' in pages["upload"]
    assert 'id="id_file_helptext"' in pages["upload"]


def test_a_bad_upload_reports_the_file_and_the_fields_in_one_round(signed_in):
    response = signed_in.post(
        "/assets/upload/",
        {"file": SimpleUploadedFile("x.glb", b"this is not a 3D model at all"), "name": "",
         "description": "A crate I made", "tags": "crate, wood", "kind": "prop",
         "art_style": "stylized", "visibility": "private"},
    )  # fmt: skip
    html = _html(response)
    assert response.status_code == 400
    assert "Not a GLB file" in html and "This field is required." in html
    assert "A crate I made</textarea>" in html and 'value="crate, wood"' in html
    assert 'aria-describedby="id_name_error"' in html and 'id="id_name_error"' in html
    assert Asset.objects.count() == 0


def test_a_good_file_with_a_missing_name_asks_to_choose_it_again(signed_in):
    response = signed_in.post(
        "/assets/upload/",
        {"file": SimpleUploadedFile("box.glb", box_glb()), "name": " ", "kind": "prop",
         "art_style": "stylized", "visibility": "private"},
    )  # fmt: skip
    html = _html(response)
    assert response.status_code == 400
    assert "This field is required." in html and "choose it again" in html
    assert "Not a GLB" not in html and Asset.objects.count() == 0


def test_an_upload_with_defaults_is_private(signed_in, user):
    signed_in.post(
        "/assets/upload/",
        {"file": SimpleUploadedFile("box.glb", box_glb()), "name": "Box", "kind": "prop",
         "art_style": "stylized", "visibility": "private"},
    )  # fmt: skip
    assert Asset.objects.get(name="Box").visibility == "private"


def test_times_under_a_minute_say_just_now():
    now = timezone.now()
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=5), now) == "5\u00a0minutes ago"
    assert ago(None) == ""


def test_asset_and_pipeline_pages_say_just_now(signed_in, user):
    from pipelines.services import pipeline_create

    asset = AssetFactory(owner=user, files=False)
    VariantStatistics.objects.update_or_create(
        asset=asset, defaults={"last_generated_at": timezone.now()}
    )
    html = _html(signed_in.get(f"/assets/{asset.id}/"))
    assert "last generated" in html and "just now" in html and "0 minutes" not in html
    pipeline_create(user=user, config={"prompt": "a wooden chair"})
    html = _html(signed_in.get("/pipelines/"))
    assert "just now" in html and "0 minutes" not in html

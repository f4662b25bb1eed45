"""Export pages: the asset page's dialog, the live status block, history and batch export."""

import re

import pytest
from django.test import Client

from assets.exports.models import ExportJob
from assets.exports.services import export_presets_seed
from tests.assets.exports.conftest import run_export
from tests.assets.factories import AssetFactory

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def browser(user_session):
    return user_session


def no_inline_scripts(html: str) -> bool:
    """Every script loads a file, or is a JSON data block the browser never runs."""
    return all(
        "src=" in tag or 'type="application/json"' in tag
        for tag in re.findall(r"<script[^>]*>", html)
    )


def test_the_asset_page_has_an_export_dialog_with_formats_presets_and_variants(
    browser, generated_asset
):
    export_presets_seed()
    html = browser.get(f"/assets/{generated_asset.pk}/").content.decode()
    assert "Export…" in html and 'action="/exports/new/"' in html
    for key in ("glb", "gltf", "obj", "stl", "ply", "usdz", "fbx"):
        assert f'<option value="{key}"' in html
    assert "Unity mobile (FBX, low, 1k)" in html
    assert 'name="variants" value="gold"' in html and 'name="variants" value="oak"' in html
    assert "/static/js/exports.js" in html and no_inline_scripts(html)
    # Anonymous visitors see the asset, not the export dialog.
    assert "Export…" not in Client().get(f"/assets/{generated_asset.pk}/").content.decode()


def test_the_dialog_estimates_then_shows_live_status_then_the_download(browser, box_asset):
    form = {"assets": str(box_asset.pk), "format": "ply", "quality": "full", "texture_size": "1k"}
    estimate = browser.post("/exports/estimate/", form, **HTMX).content.decode()
    assert f"<strong>{box_asset.triangle_count}</strong> triangles" in estimate
    started = browser.post("/exports/new/", form, **HTMX)
    assert started.status_code == 202
    html = started.content.decode()
    job = ExportJob.objects.get()
    assert f'data-export-ws="/ws/pipelines/{job.pk}/"' in html
    assert "<progress" in html and "Queued" in html
    run_export(job)
    done = browser.get(f"/exports/{job.pk}/status/").content.decode()
    assert "Download " in done and "/exports/download/" in done and "data-export-ws" not in done


def test_an_export_error_tells_the_user_what_to_do(browser, box_asset, settings):
    settings.FORGE_EXPORT_RATE_LIMIT = 1
    form = {"assets": str(box_asset.pk), "format": "glb"}
    assert browser.post("/exports/new/", form, **HTMX).status_code == 202
    refused = browser.post("/exports/new/", form, **HTMX).content.decode()
    assert "Try again in 60 minutes" in refused and 'role="alert"' in refused
    missing = browser.post("/exports/new/", {"assets": str(box_asset.pk)}, **HTMX)
    assert "Choose a format or a preset." in missing.content.decode()


def test_history_lists_exports_with_download_cancel_and_retry(browser, user, box_asset):
    for fmt in ("glb", "stl"):
        browser.post("/exports/new/", {"assets": str(box_asset.pk), "format": fmt})
    done, queued = ExportJob.objects.order_by("created_at")
    run_export(done)
    html = browser.get("/exports/").content.decode()
    assert html.index(str(queued.pk)) < html.index(str(done.pk))  # newest first
    assert "/exports/download/" in html
    assert f'action="/exports/{queued.pk}/cancel/"' in html
    response = browser.post(f"/exports/{queued.pk}/cancel/")
    assert response.status_code == 302
    queued.pipeline.refresh_from_db()
    assert queued.pipeline.status == "canceled"
    assert no_inline_scripts(html)


def test_batch_export_from_my_assets(browser, user, other_user):
    mine = [AssetFactory(owner=user, name=f"Barrel {i}") for i in range(2)]
    theirs = AssetFactory(owner=other_user, name="Not mine", visibility="private")
    gallery = browser.get("/?mine=on").content.decode()
    assert 'href="/exports/batch/"' in gallery
    page = browser.get("/exports/batch/").content.decode()
    assert "Barrel 0" in page and "Barrel 1" in page and "Not mine" not in page
    response = browser.post(
        "/exports/new/", {"assets": [str(a.pk) for a in mine], "format": "stl", "quality": "low"}
    )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.asset_count == 2 and job.is_batch
    refused = browser.post("/exports/new/", {"assets": [str(theirs.pk)], "format": "stl"})
    assert refused.status_code == 302 and ExportJob.objects.count() == 1


def test_another_users_export_pages_are_404(browser, other_user, box_asset):
    browser.post("/exports/new/", {"assets": str(box_asset.pk), "format": "glb"})
    job = ExportJob.objects.get()
    stranger = Client()
    stranger.force_login(other_user)
    assert stranger.get(f"/exports/{job.pk}/status/").status_code == 404
    assert stranger.post(f"/exports/{job.pk}/cancel/").status_code == 404
    assert str(job.pk) not in stranger.get("/exports/").content.decode()

"""The exports API: create, list, detail, cancel, retry, download, presets, estimate, limits."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from assets.exports.links import export_link_make
from assets.exports.models import ExportJob, ExportPreset
from assets.exports.services import export_presets_seed
from pipelines.models import GenerationPipeline
from tests.assets.exports.conftest import run_export
from tests.assets.factories import AssetFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
# Assets, then BEGIN, run, stages, enqueue (in a savepoint), job, asset links, COMMIT; then
# the answer's assets and stages.
ACCEPT_QUERIES = 12


def create(client, asset_ids, **body):
    return client.post(
        "/api/v1/exports/",
        {"assets": [str(a) for a in asset_ids], **body},
        format="json",
        **body.pop("headers", {}),
    )


def done_export(client, asset, **body) -> ExportJob:
    response = create(client, [asset.pk], **({"format": "glb"} | body))
    assert response.status_code == 202, response.content
    return run_export(ExportJob.objects.get(pk=response.json()["data"]["id"]))


def test_the_sixth_export_in_an_hour_is_refused_with_retry_after(user_client, box_asset):
    for _ in range(5):
        assert create(user_client, [box_asset.pk], format="stl").status_code == 202
    refused = create(user_client, [box_asset.pk], format="stl")
    assert refused.status_code == 429
    body = refused.json()
    assert body["data"] is None and body["error"]["code"] == "rate_limited"
    wait = int(refused["Retry-After"])
    assert 3500 < wait <= 3600
    assert "Try again in 60 minutes" in body["error"]["message"]
    assert ExportJob.objects.count() == 5


def test_a_replayed_idempotent_request_does_not_count_twice(user_client, box_asset):
    headers = {"HTTP_IDEMPOTENCY_KEY": "export-1"}
    first = user_client.post(
        "/api/v1/exports/",
        {"assets": [str(box_asset.pk)], "format": "ply"},
        format="json",
        **headers,
    )
    for _ in range(3):
        again = user_client.post(
            "/api/v1/exports/",
            {"assets": [str(box_asset.pk)], "format": "ply"},
            format="json",
            **headers,
        )
        assert again.status_code == 202
        assert again["Idempotent-Replayed"] == "true"
        assert again.json()["data"]["id"] == first.json()["data"]["id"]
    for _ in range(4):  # four more fresh exports still fit in the hour's five
        assert create(user_client, [box_asset.pk], format="ply").status_code == 202
    assert create(user_client, [box_asset.pk], format="ply").status_code == 429


def test_staff_are_not_rate_limited(staff_client, staff_user):
    asset = AssetFactory(owner=staff_user)
    for _ in range(7):
        assert create(staff_client, [asset.pk], format="stl").status_code == 202


def test_bad_input_is_a_clear_400_and_creates_nothing(user_client, box_asset, other_user):
    cases = [
        ({"assets": [str(box_asset.pk)], "format": "dwg"}, "format"),
        ({"assets": [], "format": "glb"}, "assets"),
        ({"assets": [str(box_asset.pk)]}, "format"),
        ({"assets": [str(box_asset.pk)], "format": "glb", "quality": "ultra"}, "quality"),
        ({"assets": [str(box_asset.pk)], "format": "obj", "variants": ["a", "b"]}, "variants"),
        ({"assets": [str(box_asset.pk)] * 51, "format": "glb"}, "assets"),
    ]
    for body, field in cases:
        response = user_client.post("/api/v1/exports/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "validation_failed"
        assert field in response.json()["error"]["details"], body
    private = AssetFactory(owner=other_user, visibility="private")
    response = create(user_client, [private.pk], format="glb")
    assert response.status_code == 404
    assert not ExportJob.objects.exists() and not GenerationPipeline.objects.exists()
    # Refused requests did not use the hour's allowance.
    for _ in range(5):
        assert create(user_client, [box_asset.pk], format="glb").status_code == 202


def test_another_users_export_is_a_404_in_the_api_and_the_download_link(
    user_client, box_asset, other_user
):
    job = done_export(user_client, box_asset)
    stranger = APIClient()
    stranger.force_authenticate(other_user)
    for path in (
        f"/api/v1/exports/{job.pk}/",
        f"/api/v1/exports/{job.pk}/download/",
        export_link_make(job),
    ):
        response = stranger.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert stranger.post(f"/api/v1/exports/{job.pk}/cancel/").status_code == 404
    assert stranger.get("/api/v1/exports/").json()["data"] == []
    # Anonymous: not signed in.
    assert APIClient().get(export_link_make(job)).status_code in (401, 403)


def test_the_file_is_never_served_from_the_public_media_folder(user_client, box_asset, user):
    job = done_export(user_client, box_asset)
    key = job.files[0]["key"]
    assert default_storage.exists(key)
    browser = Client()
    browser.force_login(user)
    assert browser.get(f"/media/{key}").status_code == 404
    # The app serves it to its owner through the signed link, as an attachment.
    response = browser.get(export_link_make(job))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "model/gltf-binary"


def test_an_expired_or_forged_link_is_refused(user_client, box_asset):
    job = done_export(user_client, box_asset)
    expired = export_link_make(job, expires_at=timezone.now() - timedelta(seconds=1))
    response = user_client.get(expired)
    assert response.status_code == 404
    assert "expired" in response.json()["error"]["message"]
    forged = export_link_make(job)[:-3] + "xyz/"
    assert user_client.get(forged).status_code == 404
    assert user_client.get(export_link_make(job)).status_code == 200


def test_a_link_never_outlives_the_files(user_client, box_asset):
    job = done_export(user_client, box_asset)
    link = export_link_make(job, expires_at=timezone.now() + timedelta(days=30))
    job.expires_at = timezone.now() - timedelta(seconds=1)
    job.save(update_fields=["expires_at"])
    assert user_client.get(link).status_code == 404


def test_a_batch_is_one_zip_with_a_manifest(user_client, user):
    assets = [AssetFactory(owner=user, name=f"Crate {i}") for i in range(3)]
    response = create(user_client, [a.pk for a in assets], format="stl", quality="low")
    assert response.status_code == 202
    job = run_export(ExportJob.objects.get(pk=response.json()["data"]["id"]))
    assert job.pipeline.status == "succeeded"
    detail = user_client.get(f"/api/v1/exports/{job.pk}/").json()["data"]
    assert detail["asset_count"] == 3 and len(detail["assets"]) == 3
    assert detail["files"][0]["content_type"] == "application/zip"
    content = b"".join(user_client.get(detail["download_url"]).streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        assert names == ["crate-0.stl", "crate-1.stl", "crate-2.stl", "manifest.json"]
        for entry in manifest["files"]:
            import hashlib

            assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
            assert entry["format"] == "stl"
    assert {e["asset_id"] for e in manifest["files"]} == {str(a.pk) for a in assets}


def test_presets_crud_and_apply_in_one_field(user_client, box_asset, other_user):
    export_presets_seed()  # as migrated (the test database is flushed between tests)
    shipped = user_client.get("/api/v1/exports/presets/").json()["data"]
    assert {"Unity mobile", "Web viewer"} <= {p["name"] for p in shipped}
    assert all(p["shipped"] for p in shipped)
    made = user_client.post(
        "/api/v1/exports/presets/",
        {"name": "Printer", "format": "stl", "quality": "low", "texture_size": "512"},
        format="json",
    )
    assert made.status_code == 201
    preset_id = made.json()["data"]["id"]
    again = user_client.post(
        "/api/v1/exports/presets/", {"name": "Printer", "format": "glb"}, format="json"
    )
    assert again.status_code == 409
    changed = user_client.patch(
        f"/api/v1/exports/presets/{preset_id}/", {"quality": "medium"}, format="json"
    )
    assert changed.json()["data"]["quality"] == "medium"
    response = create(user_client, [box_asset.pk], preset=preset_id)
    data = response.json()["data"]
    assert (data["format"], data["quality"], data["preset"]) == ("stl", "medium", preset_id)
    # An explicit field wins over the preset's.
    data = create(user_client, [box_asset.pk], preset=preset_id, format="ply").json()["data"]
    assert data["format"] == "ply"
    # Someone else cannot see, apply or delete it; nobody deletes a shipped preset.
    stranger = APIClient()
    stranger.force_authenticate(other_user)
    assert stranger.get(f"/api/v1/exports/presets/{preset_id}/").status_code == 404
    assert stranger.delete(f"/api/v1/exports/presets/{preset_id}/").status_code == 404
    unity = next(p for p in shipped if p["name"] == "Unity mobile")
    assert user_client.delete(f"/api/v1/exports/presets/{unity['id']}/").status_code == 409
    assert user_client.delete(f"/api/v1/exports/presets/{preset_id}/").status_code == 204
    assert ExportPreset.objects.filter(owner__isnull=False).count() == 0
    assert ExportJob.objects.filter(format="stl").count() == 1  # kept its settings


def test_the_estimate_comes_before_and_the_real_numbers_after(user_client, generated_asset):
    body = {"assets": [str(generated_asset.pk)], "format": "glb", "quality": "low"}
    estimate = user_client.post("/api/v1/exports/estimate/", body, format="json").json()["data"]
    assert estimate["triangles_before"] == generated_asset.triangle_count
    assert 0 < estimate["triangles_after"] < estimate["triangles_before"]
    assert 0 < estimate["size_after"] <= estimate["size_before"]
    assert not ExportJob.objects.exists()
    job = done_export(user_client, generated_asset, quality="low")
    assert job.triangles_after <= estimate["triangles_after"]
    assert 0.5 * estimate["size_after"] < job.size_after < 2 * estimate["size_after"]


def test_list_is_newest_first_with_filters_and_cancel_and_retry(user_client, box_asset):
    first = create(user_client, [box_asset.pk], format="glb").json()["data"]
    second = create(user_client, [box_asset.pk], format="stl").json()["data"]
    listed = user_client.get("/api/v1/exports/").json()
    assert [e["id"] for e in listed["data"]] == [second["id"], first["id"]]
    assert listed["meta"]["pagination"]["type"] == "cursor"
    only_stl = user_client.get("/api/v1/exports/?file_format=stl").json()["data"]
    assert [e["id"] for e in only_stl] == [second["id"]]
    refused = user_client.get("/api/v1/exports/?file_format=dwg")
    assert refused.status_code == 400
    assert list(refused.json()["error"]["details"]) == ["file_format"]  # the parameter sent
    canceled = user_client.post(f"/api/v1/exports/{first['id']}/cancel/")
    assert canceled.status_code == 202 and canceled.json()["data"]["status"] == "canceled"
    assert (
        user_client.get("/api/v1/exports/?status=canceled").json()["data"][0]["id"] == first["id"]
    )
    assert user_client.post(f"/api/v1/exports/{first['id']}/retry/").status_code == 409


def test_a_failed_export_says_what_to_do_and_retries(user_client, user, box_asset):
    response = create(user_client, [box_asset.pk], format="glb")
    job = ExportJob.objects.get(pk=response.json()["data"]["id"])
    box_asset.model_file.delete(save=False)
    box_asset.model_file.save("model.glb", io.BytesIO(b"not a glb"), save=True)
    job = run_export(job)
    data = user_client.get(f"/api/v1/exports/{job.pk}/").json()["data"]
    assert data["status"] == "failed"
    assert "cannot be read" in data["error"]["message"]
    assert "Upload the model again" in data["error"]["message"]
    assert (
        "Traceback" not in data["error"]["message"] and str(job.pk) not in data["error"]["message"]
    )
    assert data["request_id"] and data["download_url"] is None
    assert user_client.post(f"/api/v1/exports/{job.pk}/retry/").status_code == 202


def test_generation_lists_and_stats_do_not_show_exports(user_client, box_asset):
    create(user_client, [box_asset.pk], format="glb")
    assert user_client.get("/api/v1/pipelines/").json()["data"] == []
    stats = user_client.get("/api/v1/pipelines/stats/").json()["data"]
    assert stats["total"] == 0
    browser = Client()
    browser.force_login(UserFactory())
    assert browser.get("/pipelines/").status_code == 200


def test_the_schema_documents_the_exports_api(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/exports/"])
    assert "/api/v1/exports/{export_id}/download/" in paths
    assert "/api/v1/exports/presets/{preset_id}/" in paths
    assert paths["/api/v1/exports/"]["post"]["requestBody"]["content"]["application/json"].get(
        "examples"
    )


def test_anyone_signed_in_may_export_a_public_asset_but_not_anonymously(user_client, other_user):
    public = AssetFactory(owner=other_user, visibility="public")
    assert create(user_client, [public.pk], format="stl").status_code == 202
    anonymous = APIClient().post(
        "/api/v1/exports/", {"assets": [str(public.pk)], "format": "stl"}, format="json"
    )
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    assert ExportJob.objects.count() == 1


def test_accepting_an_export_costs_the_same_queries_for_one_asset_or_three(
    user_client, user, django_assert_num_queries
):
    """Validate, write the run, its stages, the job and its asset links, enqueue: no per-asset
    query and no UPDATE tried before an INSERT (a regression in fixed cost fails by count)."""
    assets = [AssetFactory(owner=user) for _ in range(3)]
    for ids in ([assets[0].pk], [a.pk for a in assets]):
        with django_assert_num_queries(ACCEPT_QUERIES):
            response = create(user_client, ids, format="glb")
        assert response.status_code == 202, response.content
        job = ExportJob.objects.get(pk=response.json()["data"]["id"])
        assert sorted(job.assets.values_list("pk", flat=True)) == sorted(ids)

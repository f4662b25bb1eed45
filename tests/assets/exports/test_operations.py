"""Exports in operation: live status over websockets, cleanup, health and the admin."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from assets.exports.cleanup import exports_cleanup
from assets.exports.models import ExportJob
from assets.exports.services import export_create
from pipelines.models import GenerationPipeline
from tests.assets.exports.conftest import run_export
from tests.assets.factories import AssetFactory
from tests.factories import UserFactory
from tests.pipelines.test_consumers import CLOSE_NOT_FOUND, connect, receive, refused_with

pytestmark = pytest.mark.django_db(transaction=True)


def finished_export(user, **fields) -> ExportJob:
    asset = AssetFactory(owner=user)
    job, _ = export_create(user=user, assets=[str(asset.pk)], format="stl")
    job = run_export(job)
    assert job.pipeline.status == "succeeded"
    if fields:
        for name, value in fields.items():
            setattr(job, name, value)
        job.save(update_fields=list(fields))
    return job


@sync_to_async
def _owner_and_export():
    owner, stranger = UserFactory(), UserFactory()
    asset = AssetFactory(owner=owner)
    job, _ = export_create(user=owner, assets=[str(asset.pk)], format="glb")
    return owner, stranger, job


async def test_the_owner_watches_an_export_live_and_another_user_cannot():
    owner, stranger, job = await _owner_and_export()
    path = f"/ws/pipelines/{job.pk}/"
    assert await refused_with(path, user=stranger) == CLOSE_NOT_FOUND
    communicator, connected, _ = await connect(path, user=owner)
    assert connected
    snapshot = await receive(communicator)
    assert snapshot["type"] == "snapshot"
    assert snapshot["pipeline"]["kind"] == "export"
    assert [s["name"] for s in snapshot["pipeline"]["stages"]] == [
        "load",
        "reduce",
        "convert",
        "package",
        "publish",
    ]
    await sync_to_async(run_export)(job)
    statuses = []
    while not statuses or statuses[-1] != "succeeded":
        frame = await receive(communicator, timeout=10)
        statuses.append(frame["pipeline"]["status"])
    assert "running" in statuses
    await communicator.disconnect()


def test_cleanup_dry_run_lists_and_the_real_run_deletes(user):
    now = timezone.now()
    live = finished_export(user)
    expired = finished_export(user, expires_at=now - timedelta(hours=1))
    ancient = finished_export(
        user, expires_at=now - timedelta(days=170), created_at=now - timedelta(days=181)
    )
    keys = {job.pk: job.files[0]["key"] for job in (live, expired, ancient)}
    assert all(default_storage.exists(key) for key in keys.values())

    call_command("exports_cleanup", "--dry-run")
    report = exports_cleanup(dry_run=True)
    assert {f["export_id"] for f in report.expired_files} == {str(expired.pk), str(ancient.pk)}
    assert report.old_records == [str(ancient.pk)]
    assert all(default_storage.exists(key) for key in keys.values())  # nothing changed
    assert ExportJob.objects.count() == 3

    exports_cleanup()
    assert default_storage.exists(keys[live.pk])  # a live link keeps its file
    assert not default_storage.exists(keys[expired.pk])
    assert not default_storage.exists(keys[ancient.pk])
    expired.refresh_from_db()
    assert expired.files_deleted_at is not None and not expired.files_available
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {live.pk, expired.pk}
    assert not GenerationPipeline.objects.filter(pk=ancient.pk).exists()
    # The owner is told the files are gone, not shown a broken download.
    client = Client()
    client.force_login(user)
    response = client.get(f"/api/v1/exports/{expired.pk}/download/")
    assert response.status_code == 404 and "expired" in response.json()["error"]["message"]


def test_generation_retention_does_not_delete_exports(user):
    from pipelines.services import pipelines_cleanup

    job = finished_export(user)
    GenerationPipeline.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - timedelta(days=60)
    )
    pipelines_cleanup()
    assert ExportJob.objects.filter(pk=job.pk).exists()


def _finished_runs(user, kind: str, succeeded: int, failed: int) -> None:
    now = timezone.now()
    for index in range(succeeded + failed):
        GenerationPipeline.objects.create(
            user=user,
            kind=kind,
            status="succeeded" if index < succeeded else "failed",
            started_at=now - timedelta(minutes=5),
            finished_at=now - timedelta(minutes=1),
        )


@pytest.mark.parametrize("kind,check", [("export", "exports"), ("generation", "generation")])
def test_health_is_degraded_at_a_70_percent_success_rate(user, kind, check, staff_user):
    client = Client()
    _finished_runs(user, kind, succeeded=9, failed=1)
    healthy = client.get("/health/").json()
    assert healthy["checks"][check]["status"] == "ok"
    assert "9 of 10" in healthy["checks"][check]["detail"]
    _finished_runs(user, kind, succeeded=5, failed=5)  # 14 of 20: 70 %
    report = client.get("/health/").json()
    assert report["checks"][check]["status"] == "fail"
    assert report["checks"][check]["critical"] is False
    assert report["status"] == "degraded"
    assert "70%" in report["checks"][check]["detail"]
    client.force_login(staff_user)
    overview = client.get("/admin/errors/erroroverview/").content.decode()
    assert "Run success rates" in overview and "14 of 20 succeeded" in overview


def test_health_says_too_few_runs_to_judge(user):
    _finished_runs(user, "export", succeeded=0, failed=3)
    report = Client().get("/health/").json()
    assert report["checks"]["exports"]["status"] == "ok"
    assert "too few" in report["checks"]["exports"]["detail"]


def test_admin_lists_export_jobs_and_retries_failed_ones(staff_user, user):
    job = finished_export(user)
    GenerationPipeline.objects.filter(pk=job.pk).update(
        status="failed", error_code="internal_error"
    )
    client = Client()
    client.force_login(staff_user)
    listing = client.get("/admin/assets/exportjob/?format__exact=stl")
    assert listing.status_code == 200 and str(job.pk) in listing.content.decode()
    response = client.post(
        "/admin/assets/exportjob/",
        {"action": "retry_exports", "_selected_action": [str(job.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert GenerationPipeline.objects.get(pk=job.pk).status == "queued"

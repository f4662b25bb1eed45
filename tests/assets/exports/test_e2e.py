"""Exports end to end: a real qcluster killed mid-export, then another worker resumes it."""

import os
import signal

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_q.tasks import async_task

from assets.exports.models import ExportJob
from pipelines.models import FINISHED_STATUSES, GenerationPipeline, PipelineStage
from pipelines.stages.export import fbx_available
from tests.assets.factories import AssetFactory
from tests.processes import process_env, qcluster_args, running, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def worker_env() -> dict[str, str]:
    return process_env(
        FORGE_PIPELINE_LEASE_SECONDS="2",
        FORGE_PIPELINE_HEARTBEAT_SECONDS="0.3",
        FORGE_Q_POLL="0.05",
    )


def test_a_sigkilled_export_resumes_on_another_worker_with_one_file(user, user_client, tmp_path):
    if not fbx_available():
        pytest.skip("Blender is not installed: run `make blender` (FBX keeps the export busy).")
    assets = [AssetFactory(owner=user, name=f"Crate {i}") for i in range(4)]
    with running(qcluster_args(), env=worker_env(), log_path=tmp_path / "q1.log") as first:
        response = user_client.post(
            "/api/v1/exports/",
            {"assets": [str(a.pk) for a in assets], "format": "fbx", "quality": "low"},
            format="json",
        )
        assert response.status_code == 202
        export_id = response.json()["data"]["id"]
        wait_until(
            lambda: GenerationPipeline.objects.get(pk=export_id).current_stage == "convert",
            timeout=60,
            what="the export to reach its convert stage",
        )
        os.killpg(first.pid, signal.SIGKILL)  # the whole cluster, mid-conversion
        first.wait()
    killed = GenerationPipeline.objects.get(pk=export_id)
    assert killed.status == "running" and killed.attempt == 1
    wait_until(
        lambda: timezone.now() > killed.lease_expires_at,
        timeout=30,
        what="the dead worker's lease to end",
    )
    with running(qcluster_args(), env=worker_env(), log_path=tmp_path / "q2.log"):
        async_task("pipelines.tasks.pipelines_reap")
        wait_until(
            lambda: GenerationPipeline.objects.get(pk=export_id).status in FINISHED_STATUSES,
            timeout=120,
            what="the export to finish",
        )
    run = GenerationPipeline.objects.get(pk=export_id)
    assert run.status == "succeeded", (tmp_path / "q2.log").read_text()[-3000:]
    assert run.attempt == 2
    # Finished stages were not run again; the file exists exactly once.
    assert PipelineStage.objects.get(pipeline_id=export_id, name="reduce").attempts == 1
    job = ExportJob.objects.get(pk=export_id)
    _, files = default_storage.listdir(f"exports/{job.pk.hex}")
    assert files == [job.files[0]["name"]]
    download = user_client.get(f"/api/v1/exports/{export_id}/download/")
    assert download.status_code == 200
    assert len(b"".join(download.streaming_content)) == job.files[0]["size"]

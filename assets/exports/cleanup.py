"""Cleanup: export files after their expiry, export records after the retention period.

Files are deleted only after the transaction that marks them deleted commits, so a rollback
never leaves a row pointing at a missing file. Nothing is deleted before the job's
`expires_at`, and a download link never outlives it (`links.export_link_make`), so an owner's
live link always finds its file.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assets.exports.models import ExportJob
from forge.storage import storage_tree_delete
from pipelines.models import ACTIVE_STATUSES, GenerationPipeline

log = structlog.get_logger("assets.exports")


@dataclass
class CleanupReport:
    """What a cleanup deleted (or, in a dry run, would delete)."""

    dry_run: bool
    expired_files: list[dict] = field(default_factory=list)
    old_records: list[str] = field(default_factory=list)


def _folder(job_id) -> str:
    return f"exports/{str(job_id).replace('-', '')}"


def exports_cleanup(*, dry_run: bool = False, now: datetime | None = None) -> CleanupReport:
    """Delete expired export files, and export records older than FORGE_EXPORT_RETENTION_DAYS."""
    now = now or timezone.now()
    report = CleanupReport(dry_run=dry_run)
    expired = ExportJob.objects.filter(files_deleted_at__isnull=True, expires_at__lte=now).exclude(
        files=[]
    )
    for job in expired.order_by("expires_at"):
        report.expired_files += [
            {"export_id": str(job.pk), "name": f["name"], "key": f["key"], "size": f["size"]}
            for f in job.files
        ]
    cutoff = now - timedelta(days=settings.FORGE_EXPORT_RETENTION_DAYS)
    old = (
        ExportJob.objects.filter(created_at__lt=cutoff)
        .exclude(pipeline__status__in=ACTIVE_STATUSES)
        .exclude(expires_at__gt=now)  # a live link keeps its export
    )
    report.old_records = [str(pk) for pk in old.values_list("pk", flat=True)]
    if dry_run:
        return report

    expired_ids = list({item["export_id"] for item in report.expired_files})
    with transaction.atomic():
        ExportJob.objects.filter(pk__in=expired_ids, files_deleted_at__isnull=True).update(
            files_deleted_at=now
        )
        GenerationPipeline.objects.filter(pk__in=report.old_records).delete()  # jobs cascade
        folders = sorted({_folder(job_id) for job_id in [*expired_ids, *report.old_records]})
        transaction.on_commit(lambda: _folders_delete(folders))
    log.info(
        "exports_cleaned",
        expired_files=len(report.expired_files),
        old_records=len(report.old_records),
    )
    return report


def _folders_delete(folders: list[str]) -> None:
    deleted = sum(storage_tree_delete(folder) for folder in folders)
    log.info("exports_files_deleted", folders=len(folders), files=deleted)

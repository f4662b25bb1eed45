"""`manage.py exports_cleanup [--dry-run]`: delete expired export files and old export records."""

from django.core.management.base import BaseCommand

from assets.exports.cleanup import exports_cleanup


class Command(BaseCommand):
    help = (
        "Delete export files past their expiry and export records past "
        "FORGE_EXPORT_RETENTION_DAYS. With --dry-run, list what would be deleted and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List only; delete nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        report = exports_cleanup(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for item in report.expired_files:
            self.stdout.write(
                f"{verb} file {item['key']} ({item['size']} bytes) of export {item['export_id']}"
            )
        for export_id in report.old_records:
            self.stdout.write(f"{verb} export record {export_id}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {len(report.expired_files)} expired file(s) and "
                f"{len(report.old_records)} old export record(s)."
            )
        )

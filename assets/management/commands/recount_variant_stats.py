"""`manage.py recount_variant_stats [--fix]`: find (and repair) drifted variant statistics."""

from django.core.management.base import BaseCommand

from assets.services import variant_statistics_drift


class Command(BaseCommand):
    help = (
        "Compare every asset's VariantStatistics with a count of its variants and report "
        "differences. With --fix, recount each drifted asset under a row lock. "
        "Exits with status 0 either way; the report says what drifted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Repair drifted or missing statistics rows."
        )

    def handle(self, *args, fix: bool = False, **options):
        drift = variant_statistics_drift(fix=fix)
        if not drift:
            self.stdout.write(self.style.SUCCESS("No drift: every asset's statistics are exact."))
            return
        for item in drift:
            self.stdout.write(
                f"{item['asset_id']}: stored {item['stored'] or 'missing'}, actual {item['actual']}"
            )
        noun = "asset" if len(drift) == 1 else "assets"
        if fix:
            self.stdout.write(self.style.SUCCESS(f"Repaired {len(drift)} {noun}."))
        else:
            self.stdout.write(
                self.style.WARNING(f"{len(drift)} {noun} drifted; run with --fix to repair.")
            )

"""Timestamps through psycopg's C loader against Django's Python one, on real API requests.

    .venv/bin/python benchmarks/ab_timestamps.py            # after `make bench-gallery`

Runs against the gallery benchmark's database, in-process with the floor benchmark's settings
(DEBUG off, the whole middleware stack). In each round every request is made once with
Django's own `timestamptz` loader and once with Forge's (forge/pgtimestamps.py), switching
the loader on the connection between the two, so both see the same load from elsewhere; each
loader goes first in every other round.
Prints p50 / p95 per request and loader (docs/benchmarks.md, "Timestamps").
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = "/api/v1/assets/?page=1&page_size=24"


def main() -> None:
    from benchmarks.common import ab_start

    args, user = ab_start(__doc__)
    from django.db import connection
    from django.test.utils import override_settings

    from assets.models import Asset
    from benchmarks.common import FLOOR_URLCONF, ab_requests_time, ab_table, floor_clients
    from forge.pgtimestamps import DjangoUtcTimestamptzLoader, TimestamptzLoader

    detail = Asset.objects.filter(owner=user).values_list("id", flat=True).first()

    def loader_set(loader):
        return lambda: connection.connection.adapters.register_loader("timestamptz", loader)

    sides = {
        "Django's loader": loader_set(DjangoUtcTimestamptzLoader),
        "C loader": loader_set(TimestamptzLoader),
    }
    cases = [
        ("assets list, page 1 (24 rows)", "session", PAGE, 200),
        ("assets list, page 1 (24 rows)", "token", PAGE, 200),
        ("asset detail", "session", f"/api/v1/assets/{detail}/", 200),
    ]
    with override_settings(ROOT_URLCONF=FLOOR_URLCONF):
        try:
            timings = ab_requests_time(floor_clients(user), cases, sides, args.rounds)
        finally:
            sides["C loader"]()
    print("\n".join(ab_table(timings, request="request", side="loader")))


if __name__ == "__main__":
    main()

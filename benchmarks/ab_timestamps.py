"""Timestamps through psycopg's C loader against Django's Python one, on real API requests.

    .venv/bin/python benchmarks/ab_timestamps.py            # after `make bench-gallery`

Runs against the gallery benchmark's database, in-process with the floor benchmark's settings
(DEBUG off, the whole middleware stack). In each round every request is made once with
Django's own `timestamptz` loader and once with Forge's (forge/pgtimestamps.py), switching
the loader on the connection between the two, so both see the same load from elsewhere; each
loader goes first in every other round.
Prints p50 / p95 per request and loader (docs/benchmarks.md, "Timestamps").
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = "/api/v1/assets/?page=1&page_size=24"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--db-host", default="127.0.0.1")
    args = parser.parse_args()

    from benchmarks.bench_gallery import in_process_user

    user = in_process_user(args.db_host)
    from django.db import connection
    from django.test.utils import override_settings

    from assets.models import Asset
    from benchmarks.common import FLOOR_URLCONF, floor_clients, percentile
    from forge.pgtimestamps import DjangoUtcTimestamptzLoader, TimestamptzLoader

    detail = Asset.objects.filter(owner=user).values_list("id", flat=True).first()
    loaders = {"Django's loader": DjangoUtcTimestamptzLoader, "C loader": TimestamptzLoader}
    with override_settings(ROOT_URLCONF=FLOOR_URLCONF):
        clients = floor_clients(user)
        cases = [
            ("assets list, page 1 (24 rows)", "session", PAGE),
            ("assets list, page 1 (24 rows)", "token", PAGE),
            ("asset detail", "session", f"/api/v1/assets/{detail}/"),
        ]
        timings = {(case, loader): [] for case in cases for loader in loaders}
        for case in cases:
            for _ in range(50):
                assert clients[case[1]].get(case[2]).status_code == 200
        names = list(loaders)
        for round_number in range(args.rounds):
            # Each loader goes first in every other round: the second of two requests to the
            # same path finds warmer caches.
            order = names if round_number % 2 == 0 else names[::-1]
            for case in cases:
                for name in order:
                    loader = loaders[name]
                    connection.connection.adapters.register_loader("timestamptz", loader)
                    started = time.perf_counter()
                    clients[case[1]].get(case[2])
                    timings[case, name].append((time.perf_counter() - started) * 1000)
        connection.connection.adapters.register_loader("timestamptz", TimestamptzLoader)
    print("| request | signed in | loader | p50 ms | p95 ms |")
    print("| --- | --- | --- | ---: | ---: |")
    for (case, name), values in timings.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        print(f"| {case[0]} | {case[1]} | {name} | {p50:.2f} | {p95:.2f} |")


if __name__ == "__main__":
    main()

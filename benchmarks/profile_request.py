"""Profile one API request path: where a request's time goes, function by function.

    .venv/bin/python benchmarks/profile_request.py /api/v1/assets/?page=1 --auth session
    .venv/bin/python benchmarks/profile_request.py /api/v1/test/floor/ --auth token -n 500

Runs against the gallery benchmark's database (`make bench-gallery` loads it), in-process
through the Django test Client with the floor benchmark's settings (DEBUG off, persistent
connections, the whole middleware stack), warms the path up, then runs `-n` requests under
cProfile and prints the functions by own time and by cumulative time. The numbers include
the profiler's own overhead (roughly doubling a request); read them as shares, not times.
"""

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path")
    parser.add_argument("--auth", choices=["anonymous", "session", "token"], default="session")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--sort", default="tottime,cumulative")
    args = parser.parse_args()

    from benchmarks.bench_gallery import in_process_user

    user = in_process_user(args.db_host)
    from django.test.utils import override_settings

    from benchmarks.common import FLOOR_URLCONF, floor_clients

    with override_settings(ROOT_URLCONF=FLOOR_URLCONF):
        client = floor_clients(user)[args.auth]
        for _ in range(50):
            response = client.get(args.path)
        print(f"{args.path} ({args.auth}): {response.status_code}")
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.n):
            client.get(args.path)
        profile.disable()
    stats = pstats.Stats(profile)
    stats.strip_dirs()
    for key in args.sort.split(","):
        print(f"\n=== by {key} (per {args.n} requests) ===")
        stats.sort_stats(key).print_stats(args.top)


if __name__ == "__main__":
    main()

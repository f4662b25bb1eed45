"""Benchmark the errors app: recording latency, recording throughput, hourly aggregation.

Runs against its own database (default `forge_bench_errors`, created and migrated here),
never the development one. Usage:

    make bench-errors BENCH_ARGS="--requests 400 --per-client 400 --rows 1000000"

Reports median and p95, and the naive approach measured in the same run:
- latency: a failing API request with and without recording (the hook disabled);
- throughput: 8 processes recording with grouping (one upsert statement), against
  `get_or_create` + read-modify-write `save()`;
- aggregation: the one INSERT … SELECT … GROUP BY … ON CONFLICT statement over N rows,
  against counting in a Python loop.
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import database_ensure, percentile  # noqa: E402


def _database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forge")
    return base.rsplit("/", 1)[0] + "/" + name


def _setup(db_name: str) -> None:
    os.environ["DATABASE_URL"] = _database_url(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
    os.environ["LOG_LEVEL"] = "CRITICAL"

    admin_url = _database_url("postgres")
    database_ensure(db_name, host=urlsplit(admin_url).hostname or "127.0.0.1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fmt(values_ms: list[float]) -> str:
    return f"median {statistics.median(values_ms):.2f} ms, p95 {percentile(values_ms, 0.95):.2f} ms"


def _reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE errors_erroroccurrence, errors_errorgroupactivity, errors_errorgrouphourly,"
            " errors_erroraggregation, errors_erroraggregationstate, errors_errorgroup CASCADE"
        )


# ---------------------------------------------------------------- 1. latency

urlpatterns: list = []


def _bench_urls():
    from django.db import transaction
    from django.urls import path
    from rest_framework.permissions import AllowAny
    from rest_framework.views import APIView

    class Boom(APIView):
        permission_classes = [AllowAny]
        throttle_classes: list = []

        def get(self, request, item_id):
            with transaction.atomic():
                from errors.models import ErrorAggregationState

                ErrorAggregationState.objects.exists()
                raise RuntimeError(f"item {item_id} failed: upstream said no")

    urlpatterns[:] = [path("api/v1/bench/<int:item_id>/", Boom.as_view())]


def bench_latency(requests: int) -> dict:
    from django.test import Client, override_settings

    from errors.services import error_record
    from forge import hooks

    _bench_urls()
    _reset()
    client = Client()
    on, off = [], []
    with override_settings(ROOT_URLCONF=__name__):
        for i in range(50):  # warm up both paths
            client.get(f"/api/v1/bench/{i}/")
        for i in range(requests):
            for bucket, hook in ((on, "errors.capture.capture_unhandled_exception"), (off, "")):
                with override_settings(FORGE_HOOK_UNHANDLED_EXCEPTION=hook):
                    hooks._target.cache_clear()
                    started = time.perf_counter()
                    response = client.get(f"/api/v1/bench/{i}/")
                    bucket.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 500
        hooks._target.cache_clear()
    direct = []
    for i in range(requests):
        try:
            raise RuntimeError(f"item {i} failed: upstream said no")
        except RuntimeError as exc:
            started = time.perf_counter()
            assert error_record(exc=exc, route="/api/v1/bench/{item_id}/", method="GET") is not None
            direct.append((time.perf_counter() - started) * 1000)
    return {"with": on, "without": off, "direct": direct}


# ---------------------------------------------------------------- 2. throughput


def _client(args) -> tuple[int, float]:
    mode, index, count, groups, start_at = args
    from django.db import connections, transaction
    from django.utils import timezone

    from errors.models import ErrorGroup, ErrorOccurrence
    from errors.services import error_record

    connections.close_all()
    while time.time() < start_at:
        time.sleep(0.001)
    started = time.perf_counter()
    for i in range(count):
        g = (index * 7919 + i) % groups
        message = f"job {i} for asset {index}-{i} failed in stage {g}"
        if mode == "grouped":
            error_record(
                message=message,
                fingerprint=f"bench-{g}",
                external_service="meshy" if g % 3 == 0 else None,
                route=f"/api/v1/bench/{g}/",
            )
        else:  # naive: get_or_create, then read-modify-write the count
            now = timezone.now()
            with transaction.atomic():
                group, _ = ErrorGroup.objects.get_or_create(
                    fingerprint=f"naive-{g}",
                    defaults={
                        "title": message,
                        "severity": "error",
                        "category": "internal",
                        "first_seen": now,
                        "last_seen": now,
                    },
                )
                group.times_seen += 1
                group.last_seen = now
                group.save(update_fields=["times_seen", "last_seen"])
                ErrorOccurrence.objects.create(
                    group=group,
                    occurred_at=now,
                    severity="error",
                    category="internal",
                    message=message,
                    fingerprint=group.fingerprint,
                    route=f"/api/v1/bench/{g}/",
                )
    elapsed = time.perf_counter() - started
    connections.close_all()
    return count, elapsed


def bench_throughput(clients: int, per_client: int, groups: int) -> dict:
    from django.db import connections
    from django.db.models import Sum

    from errors.models import ErrorGroup, ErrorOccurrence

    results = {}
    for mode in ("grouped", "naive"):
        _reset()
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        start_at = time.time() + 1.0
        with ctx.Pool(clients) as pool:
            t0 = time.perf_counter()
            done = pool.map(
                _client, [(mode, i, per_client, groups, start_at) for i in range(clients)]
            )
            wall = time.perf_counter() - t0 - max(0.0, start_at - time.time())
        total = sum(n for n, _ in done)
        slowest = max(e for _, e in done)
        counted = ErrorGroup.objects.aggregate(n=Sum("times_seen"))["n"] or 0
        if mode == "naive":
            counted -= ErrorGroup.objects.count()  # get_or_create starts at the default 1
        results[mode] = {
            "occurrences": total,
            "seconds": slowest,
            "per_second": total / slowest,
            "stored": ErrorOccurrence.objects.count(),
            "counted": counted,
            "groups": ErrorGroup.objects.count(),
            "wall": wall,
        }
    return results


# ---------------------------------------------------------------- 3. aggregation


def bench_aggregation(rows: int, repeats: int, naive: bool) -> dict:
    from collections import Counter
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from errors.models import ErrorAggregation, ErrorOccurrence
    from errors.services import error_aggregations_update

    _reset()
    now = timezone.now()
    start = now - timedelta(days=7)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO errors_errorgroup (fingerprint, title, culprit, error_type, severity,
                category, first_seen, last_seen, times_seen, status, resolution_note,
                ignore_condition, alert_pending)
            SELECT 'agg-' || g, 'group ' || g, '', 'RuntimeError',
                   (ARRAY['debug','info','warning','error','critical'])[1 + g %% 5],
                   (ARRAY['internal','timeout','external_service','database'])[1 + g %% 4],
                   %s, %s, 1, 'unresolved', '', '', ''
            FROM generate_series(1, 200) AS g
            """,
            [start, now],
        )
        cursor.execute("DELETE FROM auth_user WHERE username LIKE 'bench-user-%%'")
        cursor.execute(
            "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name,"
            " email, is_staff, is_active, date_joined) SELECT 'bench-user-' || u, '!', false,"
            " '', '', '', false, true, now() FROM generate_series(1, 50) AS u"
        )
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'bench-user-%%'")
        first_user = cursor.fetchone()[0]
        t0 = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO errors_erroroccurrence (group_id, occurred_at, request_id, route, method,
                http_status, severity, category, external_service, error_type, error_code,
                message, stack_trace, context, user_id, fingerprint)
            SELECT g.id,
                   %(start)s + (i * interval '1 second' * 604800 / %(rows)s),
                   '', '/api/v1/route' || (g.id %% 40) || '/{id}/', 'GET', 500,
                   g.severity, g.category,
                   CASE WHEN g.id %% 3 = 0 THEN 'meshy' WHEN g.id %% 7 = 0 THEN 'storage' END,
                   'RuntimeError', '', 'failed', '', '{}'::jsonb,
                   CASE WHEN i %% 3 = 0 THEN %(first_user)s + (i / 3) %% 50 END, g.fingerprint
            FROM generate_series(0, %(rows)s - 1) AS i
            JOIN errors_errorgroup g ON g.fingerprint = 'agg-' || (1 + (i::bigint * 7919) %% 200)
            """,
            {"start": start, "rows": rows, "first_user": first_user},
        )
        load = time.perf_counter() - t0
        cursor.execute("ANALYZE errors_erroroccurrence")
    timings = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = error_aggregations_update(now=now, since=start)
        timings.append(time.perf_counter() - t0)
        first_counts = sorted(ErrorAggregation.objects.values_list("hour", "route", "count"))
    total = sum(c for _, _, c in first_counts)
    out = {
        "rows": rows,
        "load": load,
        "timings": timings,
        "aggregated_total": total,
        "keys": len(first_counts),
        "hours": result["hours"],
    }
    if naive:
        t0 = time.perf_counter()
        counts: Counter = Counter()
        users: dict = {}
        qs = ErrorOccurrence.objects.values_list(
            "occurred_at", "route", "severity", "category", "external_service", "user_id"
        )
        for occurred_at, route, severity, category, service, user_id in qs.iterator(
            chunk_size=10_000
        ):
            key = (
                occurred_at.replace(minute=0, second=0, microsecond=0),
                route,
                severity,
                category,
                service or "",
            )
            counts[key] += 1
            if user_id is not None:
                users.setdefault(key, set()).add(user_id)
        out["naive_seconds"] = time.perf_counter() - t0
        out["naive_total"] = sum(counts.values())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="forge_bench_errors")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=400)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-naive-aggregation", action="store_true")
    args = parser.parse_args()
    _setup(args.db)

    print(f"# bench_errors on {os.cpu_count()} CPUs, database {args.db}\n")
    lat = bench_latency(args.requests)
    added_p95 = percentile(lat["with"], 0.95) - percentile(lat["without"], 0.95)
    added_median = statistics.median(lat["with"]) - statistics.median(lat["without"])
    print(f"## 1. Failing request, {args.requests} each (in-process test client)")
    print(f"- with recording:    {_fmt(lat['with'])}")
    print(f"- without recording: {_fmt(lat['without'])}")
    print(f"- added by recording: median {added_median:.2f} ms, p95 {added_p95:.2f} ms")
    print(f"- error_record() alone: {_fmt(lat['direct'])}\n")

    tp = bench_throughput(args.clients, args.per_client, args.groups)
    print(f"## 2. Throughput, {args.clients} processes × {args.per_client}, {args.groups} groups")
    for mode, r in tp.items():
        lost = r["occurrences"] - r["counted"]
        print(
            f"- {mode:8s}: {r['per_second']:.0f} occurrences/s ({r['occurrences']} in "
            f"{r['seconds']:.2f} s), stored {r['stored']}, groups {r['groups']}, "
            f"counted {r['counted']} (lost {lost})"
        )
    print()

    agg = bench_aggregation(args.rows, args.repeats, not args.skip_naive_aggregation)
    t = [x * 1000 for x in agg["timings"]]
    print(f"## 3. Aggregation of {agg['rows']:,} occurrences over {agg['hours']} hours")
    print(f"- bulk load (INSERT … SELECT generate_series): {agg['load']:.2f} s")
    print(
        f"- one INSERT … SELECT … GROUP BY … ON CONFLICT (+ per-group hourly), {args.repeats} runs: "
        f"median {statistics.median(t) / 1000:.2f} s, worst {max(t) / 1000:.2f} s; "
        f"{agg['keys']} keys, total {agg['aggregated_total']:,} (equals rows: "
        f"{agg['aggregated_total'] == agg['rows']})"
    )
    if "naive_seconds" in agg:
        print(
            f"- naive Python loop over the rows: {agg['naive_seconds']:.2f} s "
            f"(total {agg['naive_total']:,})"
        )


if __name__ == "__main__":
    main()

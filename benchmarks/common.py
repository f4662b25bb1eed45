"""What the `make bench-*` programs share: percentiles, benchmark databases, the results page."""

import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PAGE = ROOT / "docs" / "benchmarks.md"


def percentile(values, q: float) -> float:
    """Return the `q` quantile (0–1) of `values`, interpolating between neighbours."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def database_ensure(name: str, *, host: str = "127.0.0.1") -> None:
    """Create the benchmark database `name` on `host` if it does not exist."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"postgresql://postgres@{host}:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# In a section, what follows this line is written by hand (a reading of the figures) and
# stays when a run rewrites the figures above it.
KEPT_MARKER = "<!-- Written by hand: kept when the figures above are rewritten. -->"


def results_section_write(title: str, section: str) -> Path:
    """Replace the `## {title}` section of docs/benchmarks.md with `section` (or append it).

    Text after `KEPT_MARKER` in the old section is kept, after the new figures.
    """
    text = RESULTS_PAGE.read_text() if RESULTS_PAGE.exists() else "# Benchmarks\n"
    # The heading itself, at the start of a line: prose may quote "`## {title}`".
    heading = f"## {title}\n"
    if text.startswith(heading):
        start = 0
    else:
        found = text.find("\n" + heading)
        start = found + 1 if found != -1 else -1
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        old_section = text[start : end + 1] if end != -1 else text[start:]
        kept = old_section.find(KEPT_MARKER)
        if kept != -1:
            section = section.rstrip("\n") + "\n\n" + old_section[kept:]
        rest = "\n" + text[end + 1 :] if end != -1 else ""
        text = text[:start] + section.rstrip("\n") + "\n" + rest
    RESULTS_PAGE.write_text(text)
    return RESULTS_PAGE


# -- The floor: what a request costs before its own work -------------------------------------

FLOOR_URLCONF = "tests.forge.urls"  # forge.urls plus test-only views; never public
FLOOR_PATH = "/api/v1/test/floor/"  # a constant through the default auth, throttles, envelope
NOT_FOUND_PATH = "/api/v1/no-such-endpoint/"  # an enveloped 404: the bare Django path
THROTTLED_PATH = "/api/v1/test/throttled/"  # 2 a minute, then 429s


class QueryTimer:
    """Count and time every SQL statement run on the default connection (execute_wrapper)."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        import time

        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def requests_time(client, url: str, iterations: int, *, expect: int = 200) -> dict:
    """Time `iterations` GETs of `url` after a warm-up; return wall and query time per request (ms)."""
    return requests_time_interleaved([(client, url, expect)], iterations)[0]


def requests_time_interleaved(cases: list[tuple], iterations: int) -> list[dict]:
    """Time `iterations` GETs of each (client, url, expected status), the cases taking turns.

    One request of each case per round, so a burst of load from elsewhere on the machine
    falls on every case alike and their ratios (multiples of the floor) stay meaningful.
    Returns, per case, wall and SQL time per request (ms) and the query count.
    """
    import time

    from django.db import connection

    for client, url, expect in cases:
        first = client.get(url)
        assert first.status_code == expect, (url, first.status_code, first.content[:300])
        for _ in range(5):
            client.get(url)
    results = [{"wall": [], "sql": [], "queries": []} for _ in cases]
    for _ in range(iterations):
        for (client, url, expect), result in zip(cases, results, strict=True):
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(url)
                result["wall"].append((time.perf_counter() - started) * 1000)
            result["sql"].append(timer.seconds * 1000)
            result["queries"].append(timer.count)
            assert response.status_code == expect, (url, response.status_code)
    return results


def ab_start(doc: str):
    """Parse an A/B script's arguments (--rounds, --db-host); return them and the bench user.

    Sets Django up on the gallery benchmark's database with the floor's settings.
    """
    import argparse

    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--db-host", default="127.0.0.1")
    args = parser.parse_args()
    from benchmarks.bench_gallery import in_process_user

    return args, in_process_user(args.db_host)


def ab_requests_time(clients: dict, cases: list[tuple], sides: dict, rounds: int) -> dict:
    """Time two (or more) versions of the code on the same requests, switched request by request.

    `cases` are (label, client name in `clients`, path, expected status); `sides` maps a name
    to a callable that puts that version in place. In each round every case is requested once
    per side, right after its switch, so load from elsewhere falls on all sides alike. Each
    side goes first in every other round: the second of two requests to the same path finds
    warmer caches. Returns {(case, side name): [ms, ...]}.
    """
    import time

    names = list(sides)
    for _label, client, path, status in cases:
        for _ in range(50):
            assert clients[client].get(path).status_code == status, path
    timings = {(case, name): [] for case in cases for name in names}
    for round_number in range(rounds):
        order = names if round_number % 2 == 0 else names[::-1]
        for case in cases:
            for name in order:
                sides[name]()
                started = time.perf_counter()
                clients[case[1]].get(case[2])
                timings[case, name].append((time.perf_counter() - started) * 1000)
    return timings


def ab_table(timings: dict, *, request: str, side: str) -> list[str]:
    """Return the markdown rows of `ab_requests_time`'s timings, p50 and p95 per case and side."""
    import statistics

    rows = [
        f"| {request} | signed in | {side} | p50 ms | p95 ms |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for (case, name), values in timings.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        rows.append(f"| {case[0]} | {case[1]} | {name} | {p50:.2f} | {p95:.2f} |")
    return rows


def floor_clients(user) -> dict:
    """Return test Clients for the floor: anonymous, signed in by session, and by API token."""
    from django.test import Client

    from forge.tokens import api_token_create, api_token_list, api_token_revoke

    session = Client()
    session.force_login(user)
    # One token per run; earlier runs' are revoked first (a user may hold 50 at most).
    for old in api_token_list(user=user).filter(name="bench floor"):
        api_token_revoke(user=user, token_id=old.id)
    _, raw = api_token_create(user=user, name="bench floor")
    token = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return {"anonymous": Client(), "session": session, "token": token}


def floor_cases(clients: dict) -> list[tuple[str, tuple]]:
    """Return the floor's cases: the bare Django path, the minimal DRF view, expected errors."""
    import random

    from django.test import Client

    cases = [("404 (bare Django path, anonymous)", (clients["anonymous"], NOT_FOUND_PATH, 404))]
    for name, client in clients.items():
        cases.append((f"minimal DRF view, {name}", (client, FLOOR_PATH, 200)))
    # Expected client errors: refused before the view runs, and (429) counted by the errors app.
    cases.append(
        ("401 not authenticated (anonymous)", (clients["anonymous"], "/api/v1/tokens/", 401))
    )
    # A fresh address: its own throttle window, which the first two requests use up.
    address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"  # noqa: S311
    throttled = Client(REMOTE_ADDR=address)
    for _ in range(2):
        throttled.get(THROTTLED_PATH)
    cases.append(
        ("429 throttled (anonymous, counted as an error)", (throttled, THROTTLED_PATH, 429))
    )
    return cases


def _stats(values) -> tuple[float, float]:
    import statistics

    return statistics.median(values), percentile(values, 0.95)


def floor_table(floor: dict, cases: list[tuple[str, str, dict]]) -> tuple[list[str], list[str]]:
    """Return the markdown rows for the floor and for each endpoint against its floor.

    `cases` are (label, way of signing in, timings). An endpoint meets the goal when its p95
    is at most twice the minimal view's p95 (same way of signing in) plus its own query p95.
    """
    rows = [
        "| case | p50 ms | p95 ms | queries | SQL p50 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, timing in floor.items():
        p50, p95 = _stats(timing["wall"])
        rows.append(
            f"| {label} | {p50:.2f} | {p95:.2f} | {max(timing['queries'])} | "
            f"{_stats(timing['sql'])[0]:.2f} |"
        )
    endpoint_rows = [
        "| endpoint | signed in | p50 ms | p95 ms | × floor p50 | × floor p95 | queries | "
        "SQL p95 ms | goal p95 ms (2 × floor p95 + SQL p95) | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, auth, timing in cases:
        base50, base95 = _stats(floor[f"minimal DRF view, {auth}"]["wall"])
        p50, p95 = _stats(timing["wall"])
        sql95 = percentile(timing["sql"], 0.95)
        goal = 2 * base95 + sql95
        endpoint_rows.append(
            f"| {label} | {auth} | {p50:.2f} | {p95:.2f} | {p50 / base50:.1f} | "
            f"{p95 / base95:.1f} | {max(timing['queries'])} | {sql95:.2f} | {goal:.2f} | "
            f"{'yes' if p95 <= goal else '**no**'} |"
        )
    return rows, endpoint_rows


# -- Each middleware's own time ---------------------------------------------------------------


def _mark_class(index: int, stamps: list):
    """Return a middleware that notes when a request passes it on the way in and out."""
    import time

    class Mark:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            stamps.append(("in", index, time.perf_counter()))
            response = self.get_response(request)
            stamps.append(("out", index, time.perf_counter()))
            return response

        def process_view(self, request, view_func, view_args, view_kwargs):
            stamps.append(("view", index, time.perf_counter()))

    Mark.__name__ = Mark.__qualname__ = f"Mark{index}"
    return Mark


def middleware_costs(client_factory, url: str, iterations: int) -> list[tuple[str, list[float]]]:
    """Time each middleware of settings.MIDDLEWARE alone around GETs of `url` (µs per request).

    A marker middleware sits between every two; a middleware's time is the gap between its
    markers on the way in (plus its `process_view`) and on the way out. The last row is the
    view itself (URL resolution, DRF, rendering) between the innermost markers.
    """
    import sys
    import types

    from django.conf import settings
    from django.test.utils import override_settings

    stamps: list = []
    module = types.ModuleType("bench_middleware_marks")
    names = list(settings.MIDDLEWARE)
    chain = []
    for index, name in enumerate([*names, None]):
        mark = _mark_class(index, stamps)
        setattr(module, mark.__name__, mark)
        chain.append(f"bench_middleware_marks.{mark.__name__}")
        if name is not None:
            chain.append(name)
    sys.modules[module.__name__] = module
    costs: dict[int, list[float]] = {i: [] for i in range(len(names) + 1)}
    with override_settings(MIDDLEWARE=chain):
        client = client_factory()
        for _ in range(5):
            client.get(url)
        for _ in range(iterations):
            stamps.clear()
            client.get(url)
            at = {(kind, i): t for kind, i, t in stamps}
            last = len(names)
            for i in range(last):
                inward = at[("in", i + 1)] - at[("in", i)]
                outward = at[("out", i)] - at[("out", i + 1)]
                view = at.get(("view", i + 1), 0) - at.get(("view", i), 0)
                costs[i].append((inward + outward + view) * 1e6)
            view_time = at[("out", last)] - at[("in", last)]
            view_time -= at.get(("view", last), 0) - at.get(("view", 0), 0)
            costs[last].append(view_time * 1e6)
    return [(name, costs[i]) for i, name in enumerate([*names, "(the view: resolve, DRF, render)"])]


def middleware_table(costs: list[tuple[str, list[float]]]) -> list[str]:
    """Return the markdown rows of `middleware_costs`."""
    import statistics

    rows = ["| middleware | p50 µs | p95 µs |", "| --- | ---: | ---: |"]
    for name, values in costs:
        rows.append(
            f"| `{name}` | {statistics.median(values):.0f} | {percentile(values, 0.95):.0f} |"
        )
    return rows

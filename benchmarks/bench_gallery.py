"""Gallery benchmark: page-numbered lists over a million assets, ours against stock DRF.

    make bench-gallery BENCH_ARGS="--rows 1000000"
    .venv/bin/python benchmarks/bench_gallery.py --rows 1000000 [--iterations 300] [--reload]

Loads `--rows` assets into the separate database `forge_bench_gallery` (rows share one GLB
and one thumbnail; `INSERT ... SELECT generate_series` with secondary indexes dropped and
rebuilt afterwards), then times requests in-process through the Django test `Client` (the
whole middleware, DRF and template stack; no network) for: API list page 1, API list page
10,000, a filtered and searched API page, the gallery HTML page and an asset detail; and the
stock approach (DRF `ListAPIView` + `PageNumberPagination` + `ModelSerializer`, i.e. COUNT(*)
and OFFSET) for pages 1 and 10,000 on the same data. Warm numbers are after the first
request of each case; the first (cold) request of our list cases is reported too. Prints p50
and p95 and writes them into the `## Gallery` section of docs/benchmarks.md.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    FLOOR_PATH,
    FLOOR_URLCONF,
    database_ensure,
    floor_cases,
    floor_clients,
    floor_table,
    middleware_costs,
    middleware_table,
    percentile,
    requests_time_interleaved,
    results_section_write,
)

BENCH_DB = "forge_bench_gallery"
PAGE_SIZE = 24
DEEP_PAGE = 10_000


def _configure(args) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.db_host}:5432/{BENCH_DB}"
    os.environ.setdefault("FORGE_CACHE_PREFIX", "forge-bench-gallery")
    os.environ.setdefault("FORGE_CHANNEL_PREFIX", "forge-bench-gallery")
    # Production-like: DEBUG off (no query recording), quiet logs, no throttling in the way.
    os.environ["DEBUG"] = "off"
    os.environ["SECRET_KEY"] = "bench-gallery-" + "x" * 40
    os.environ["SECURE_SSL_REDIRECT"] = "off"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["CONN_MAX_AGE"] = "600"  # persistent connections, as in production
    os.environ["FORGE_THROTTLE_ANON"] = "100000000/min"
    os.environ["FORGE_THROTTLE_USER"] = "100000000/min"
    os.environ["MEDIA_ROOT"] = str(Path(tempfile.gettempdir()) / "forge-bench-gallery-media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "forge.settings"


def in_process_user(db_host: str):
    """Set Django up here against the loaded benchmark database, as the floor runs; return bench0.

    For the scripts that look closer at one request path (profile_request.py,
    ab_timestamps.py) after `make bench-gallery` has loaded the rows.
    """
    import argparse

    _configure(argparse.Namespace(db_host=db_host, rows=0))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test.utils import setup_test_environment

    setup_test_environment()
    return get_user_model().objects.get(username="bench0")


NOUNS = {
    "weapon": ["sword", "axe", "bow", "spear", "dagger", "hammer", "mace", "staff"],
    "armor": ["helmet", "shield", "gauntlet", "breastplate", "boots"],
    "prop": ["barrel", "crate", "chest", "lantern", "table", "chair", "bottle", "book"],
    "building": ["house", "tower", "castle", "tavern", "bridge", "well", "temple"],
    "vehicle": ["cart", "wagon", "boat", "spaceship", "car", "airship"],
    "character": ["knight", "wizard", "merchant", "archer", "robot", "pirate"],
    "creature": ["dragon", "goblin", "wolf", "slime", "golem", "spider"],
    "environment": ["tree", "rock", "cliff", "bush", "mushroom", "crystal"],
    "other": ["statue", "banner", "totem", "orb"],
}
ADJECTIVES = [
    "ancient", "rusty", "golden", "wooden", "crystal", "cursed", "royal", "broken", "tiny",
    "giant", "frozen", "burning", "elven", "dwarven", "haunted", "mossy", "iron", "silver",
    "shiny", "old", "sturdy", "ornate", "simple", "dark", "bright",
]  # fmt: skip
STYLES = ["realistic", "stylized", "low_poly", "cartoon", "voxel", "painterly"]


def _sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _load(rows: int) -> None:
    """Replace the benchmark database's assets with `rows` generated ones."""
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage
    from django.db import connection

    from assets.models import MaterialPreset
    from assets.thumbnails import thumbnail_render

    sys.path.insert(0, str(ROOT))
    from tests.assets.glb_samples import box_glb

    glb = box_glb(size=(1.0, 1.4, 0.8), color=(170, 120, 70, 255))
    model_name = "bench/model.glb"
    thumb_name = "bench/thumbnail.png"
    if not default_storage.exists(model_name):
        from django.core.files.base import ContentFile

        default_storage.save(model_name, ContentFile(glb))
        default_storage.save(thumb_name, ContentFile(thumbnail_render(glb, size=256)))

    User = get_user_model()
    users = [User(username=f"bench{i}", email=f"bench{i}@example.com") for i in range(100)]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users, ignore_conflicts=True)
    user_ids = list(User.objects.filter(username__startswith="bench").values_list("id", flat=True))
    presets = []
    for i, (slug, category, color) in enumerate(
        [
            ("gold", "metal", "#d4af37"),
            ("oak", "wood", "#8b5a2b"),
            ("marble", "stone", "#e8e4da"),
            ("ruby", "crystal", "#b0122b"),
        ]  # fmt: skip
    ):
        preset, _ = MaterialPreset.objects.get_or_create(
            slug=f"bench-{slug}",
            defaults=dict(
                name=slug.title(),
                category=category,
                base_color=color,
                metallic=0.5,
                roughness=0.5,
                display_order=i,
            ),  # fmt: skip
        )
        presets.append(preset.id)

    kinds = list(NOUNS)
    # noun lists padded to one length so one random index picks a noun of the row's kind
    width = max(len(v) for v in NOUNS.values())
    noun_matrix = [(NOUNS[k] * width)[:width] for k in kinds]
    noun_sql = "ARRAY[" + ",".join(_sql_array(row) for row in noun_matrix) + "]"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "TRUNCATE assets_assetvariant, assets_variantstatistics, assets_asset CASCADE"
        )
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'assets_asset' "
            "AND indexname <> 'assets_asset_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            f"""
            INSERT INTO assets_asset (
                id, owner_id, name, description, kind, art_style, tags, visibility, status,
                source, model_file, thumbnail, file_size, sha256, vertex_count, triangle_count,
                bounding_box, generation_params, created_at, updated_at)
            SELECT
                md5('bench' || g)::uuid,
                (%(users)s::int[])[1 + (g %% %(nusers)s)],
                initcap(adj) || ' ' || noun || CASE WHEN g %% 3 = 0 THEN ' ' || (g %% 97) ELSE '' END,
                'A ' || adj || ' ' || noun || ' for ' || (%(kinds)s::text[])[k] || ' scenes.',
                (%(kinds)s::text[])[k],
                (%(styles)s::text[])[1 + floor(random() * %(nstyles)s)::int],
                ARRAY[noun, adj, (%(kinds)s::text[])[k]]::varchar(40)[],
                CASE WHEN r < 0.90 THEN 'public' WHEN r < 0.95 THEN 'unlisted' ELSE 'private' END,
                CASE WHEN r2 < 0.95 THEN 'ready' WHEN r2 < 0.98 THEN 'failed' ELSE 'processing' END,
                CASE WHEN g %% 4 = 0 THEN 'uploaded' ELSE 'generated' END,
                %(model)s, %(thumb)s, %(size)s, repeat('a', 64),
                (50 + floor(random() * 50000))::int, tri,
                '{{"min": [-0.5, -0.7, -0.4], "max": [0.5, 0.7, 0.4]}}'::jsonb,
                '{{}}'::jsonb,
                now() - (g * interval '30 seconds') - (random() * interval '20 seconds'),
                now()
            FROM (
                SELECT g, random() AS r, random() AS r2,
                       1 + floor(random() * %(nkinds)s)::int AS k,
                       (%(adjs)s::text[])[1 + floor(random() * %(nadjs)s)::int] AS adj,
                       1 + floor(random() * %(width)s)::int AS n,
                       (100 + floor(random() * 100000))::int AS tri
                FROM generate_series(1, %(rows)s) AS g
            ) AS base
            CROSS JOIN LATERAL (SELECT ({noun_sql})[k][n] AS noun) AS picked
            """,
            {
                "users": user_ids,
                "nusers": len(user_ids),
                "kinds": kinds,
                "nkinds": len(kinds),
                "styles": STYLES,
                "nstyles": len(STYLES),
                "adjs": ADJECTIVES,
                "nadjs": len(ADJECTIVES),
                "width": width,
                "rows": rows,
                "model": model_name,
                "thumb": thumb_name,
                "size": len(glb),
            },  # fmt: skip
        )
        print(f"  inserted {rows:,} assets in {time.perf_counter() - started:.1f} s")
        for name, definition in indexes:
            t = time.perf_counter()
            cursor.execute(definition)
            print(f"  index {name}: {time.perf_counter() - t:.1f} s")
        cursor.execute(
            "INSERT INTO assets_variantstatistics (asset_id, total, ready, failed, pending, "
            "last_generated_at, updated_at) SELECT id, 0, 0, 0, 0, NULL, now() FROM assets_asset"
        )
        # Four ready variants each for 500 public assets (the detail case reads these).
        cursor.execute(
            """
            INSERT INTO assets_assetvariant (id, asset_id, preset_id, status, model_file,
                thumbnail, file_size, external_task_id, error_message, display_order,
                created_at, updated_at)
            SELECT md5(a.id::text || p.ord)::uuid, a.id, p.id, 'ready', %s, %s, %s, '', '',
                   p.ord, now(), now()
            FROM (SELECT id FROM assets_asset WHERE visibility = 'public' AND status = 'ready'
                  ORDER BY id LIMIT 500) a
            CROSS JOIN unnest(%s::bigint[]) WITH ORDINALITY AS p(id, ord)
            """,
            [model_name, thumb_name, len(glb), presets],
        )
        cursor.execute(
            "UPDATE assets_variantstatistics s SET total = 4, ready = 4, last_generated_at = now() "
            "WHERE asset_id IN (SELECT DISTINCT asset_id FROM assets_assetvariant)"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) assets_asset")
        cursor.execute("VACUUM (ANALYZE) assets_assetvariant")
        cursor.execute("VACUUM (ANALYZE) assets_variantstatistics")
    print(f"  loaded in {time.perf_counter() - started:.1f} s")


def _stock_urlconf():
    """Build a URLconf with the stock DRF list mounted at /bench/stock/assets/."""
    import types

    from django.urls import include, path
    from rest_framework import generics, serializers
    from rest_framework.pagination import PageNumberPagination
    from rest_framework.permissions import AllowAny

    from assets.models import Asset

    class StockAssetSerializer(serializers.ModelSerializer):
        class Meta:
            model = Asset
            fields = [
                "id", "name", "owner", "kind", "art_style", "tags", "visibility", "status",
                "source", "model_file", "thumbnail", "file_size", "vertex_count",
                "triangle_count", "created_at", "updated_at",
            ]  # fmt: skip

    class StockPagination(PageNumberPagination):
        page_size = PAGE_SIZE

    class StockAssetList(generics.ListAPIView):
        serializer_class = StockAssetSerializer
        pagination_class = StockPagination
        permission_classes = [AllowAny]
        queryset = (
            Asset.objects.filter(visibility="public", status="ready")
            .defer("search_vector", "description", "bounding_box", "generation_params")
            .order_by("-created_at", "-id")
        )

    module = types.ModuleType("bench_gallery_urls")
    module.urlpatterns = [
        path("bench/stock/assets/", StockAssetList.as_view()),
        path("", include("forge.urls")),
    ]
    sys.modules["bench_gallery_urls"] = module
    return "bench_gallery_urls"


def _time(client, url: str, iterations: int, expect: int = 200) -> tuple[list[float], float]:
    t = time.perf_counter()
    first = client.get(url)
    cold = (time.perf_counter() - t) * 1000
    assert first.status_code == expect, (url, first.status_code, first.content[:300])
    for _ in range(5):
        client.get(url)
    samples = []
    for _ in range(iterations):
        t = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == expect
    return samples, cold


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument(
        "--reload", action="store_true", help="reload even if the row count matches"
    )
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--floor-only",
        action="store_true",
        help="only measure the floor (fixed cost per request) and each endpoint against it",
    )
    parser.add_argument(
        "--instrumentation-only",
        action="store_true",
        help="only measure the cost of metrics and traces (benchmarks/instrumentation.py)",
    )
    args = parser.parse_args()
    _configure(args)
    database_ensure(BENCH_DB, host=args.db_host)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from assets.gallery import gallery_version_bump
    from assets.models import Asset

    setup_test_environment()  # lets the test Client run against this (real) database
    call_command("migrate", verbosity=0, interactive=False)
    count = Asset.objects.count()
    if args.reload or count != args.rows:
        print(f"Loading {args.rows:,} assets into {BENCH_DB} (had {count:,}) ...")
        _load(args.rows)
    else:
        print(f"Reusing {count:,} assets in {BENCH_DB}.")
    gallery_version_bump()
    public = Asset.objects.filter(visibility="public", status="ready").count()
    deep_page = min(DEEP_PAGE, max(1, public // PAGE_SIZE))
    detail_ids = list(
        Asset.objects.filter(variants__isnull=False).values_list("id", flat=True).distinct()[:50]
    )
    if args.instrumentation_only:
        _instrumentation(args, public, detail_ids)
        return
    if args.floor_only:
        _floor(args, public, detail_ids)
        return
    client = Client()
    probe = client.get("/api/v1/assets/?tag=dragon&q=ancient&sort=name&page_size=24").json()
    search_page = min(5, probe["meta"]["pagination"]["total_pages"])
    cases = [
        ("API list, page 1", f"/api/v1/assets/?page=1&page_size={PAGE_SIZE}"),
        (
            f"API list, page {deep_page:,}",
            f"/api/v1/assets/?page={deep_page}&page_size={PAGE_SIZE}",
        ),
        (
            "API list, filtered + searched (kind=weapon, q=sword)",
            f"/api/v1/assets/?kind=weapon&q=sword&page=1&page_size={PAGE_SIZE}",
        ),  # fmt: skip
        (
            f"API list, filtered + searched, page {search_page} (tag=dragon, q=ancient, sort=name)",
            f"/api/v1/assets/?tag=dragon&q=ancient&sort=name&page={search_page}&page_size={PAGE_SIZE}",
        ),  # fmt: skip
        ("Gallery HTML page 1", "/"),
        (f"Gallery HTML page {deep_page:,}", f"/?page={deep_page}"),
    ]
    results = []
    print(
        f"\n{public:,} public ready assets of {Asset.objects.count():,}; {args.iterations} requests per case\n"
    )
    for label, url in cases:
        samples, cold = _time(client, url, args.iterations)
        results.append((label, samples, cold))
    detail_samples = []
    for i in range(args.iterations):
        url = f"/api/v1/assets/{detail_ids[i % len(detail_ids)]}/"
        t = time.perf_counter()
        response = client.get(url)
        detail_samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    results.append(("API asset detail (4 variants)", detail_samples, None))
    with override_settings(ROOT_URLCONF=_stock_urlconf()):
        stock_iterations = max(30, args.iterations // 5)
        for label, url in [
            ("Stock DRF PageNumberPagination, page 1", "/bench/stock/assets/?page=1"),
            (
                f"Stock DRF PageNumberPagination, page {deep_page:,}",
                f"/bench/stock/assets/?page={deep_page}",
            ),
        ]:
            samples, cold = _time(client, url, stock_iterations)
            results.append((label, samples, cold))

    lines = ["| case | p50 ms | p95 ms | first request ms |", "| --- | ---: | ---: | ---: |"]
    for label, samples, cold in results:
        p50, p95 = statistics.median(samples), percentile(samples, 0.95)
        cold_text = f"{cold:.1f}" if cold is not None else "–"
        print(f"  {label:<75} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   first {cold_text} ms")
        lines.append(f"| {label} | {p50:.2f} | {p95:.2f} | {cold_text} |")
    if not args.no_docs:
        _write_docs(args, public, lines)
    _floor(args, public, detail_ids)
    _instrumentation(args, public, detail_ids)


def _floor(args, public: int, detail_ids: list) -> None:
    """Measure the fixed cost of a request and each real endpoint as a multiple of it."""
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    user = get_user_model().objects.get(username="bench0")
    iterations = max(200, args.iterations)
    print(f"\nFloor: {iterations} requests per case …")
    with override_settings(ROOT_URLCONF=FLOOR_URLCONF):
        clients = floor_clients(user)
        session, token = clients["session"], clients["token"]
        endpoints = [
            ("presets list", "/api/v1/presets/", session),
            ("assets list, page 1", f"/api/v1/assets/?page=1&page_size={PAGE_SIZE}", session),
            ("assets list, page 1", f"/api/v1/assets/?page=1&page_size={PAGE_SIZE}", token),
            ("asset detail (4 variants)", f"/api/v1/assets/{detail_ids[0]}/", session),
            ("asset detail (4 variants)", f"/api/v1/assets/{detail_ids[0]}/", token),
            ("pipelines list", "/api/v1/pipelines/", session),
            ("exports list", "/api/v1/exports/", session),
            ("export presets list", "/api/v1/exports/presets/", session),
            ("characters list", "/api/v1/characters/", session),
        ]
        base = floor_cases(clients)
        timings = requests_time_interleaved(
            [case for _, case in base] + [(client, url, 200) for _, url, client in endpoints],
            iterations,
        )
        floor = {label: timing for (label, _), timing in zip(base, timings, strict=False)}
        cases = [
            (label, "session" if client is session else "token", timing)
            for (label, _, client), timing in zip(endpoints, timings[len(base) :], strict=True)
        ]

        def session_client():
            from django.test import Client

            client = Client()
            client.force_login(user)
            return client

        costs = middleware_costs(session_client, FLOOR_PATH, iterations)
    floor_rows, endpoint_rows = floor_table(floor, cases)
    cost_rows = middleware_table(costs)
    print("\n".join(floor_rows))
    print("\n".join(endpoint_rows))
    print("\n".join(cost_rows))
    if args.no_docs:
        return
    section = "\n".join(
        [
            "## Floor (gallery)",
            "",
            f'`make bench-gallery BENCH_ARGS="--rows {args.rows} --floor-only"` (also run at '
            f"the end of a full gallery run): {iterations} requests per case, in-process through "
            "the Django test Client, all cases taking turns request by request (so load from "
            "elsewhere falls on all alike), DEBUG off, persistent connections, the whole middleware "
            f"stack, {public:,} public assets, on {platform.machine()} with {os.cpu_count()} "
            "cores shared with other work. The floor is what every request pays before its own "
            "work: an enveloped 404 (URL resolution, middleware, envelope) and a DRF view that "
            "returns a constant (`tests/forge/urls.py`, a test-only URLconf) through the default "
            "authentication, permission and throttles, anonymous, with a session cookie and with "
            "a bearer token. SQL time is measured per request with `connection.execute_wrapper`.",
            "",
            *floor_rows,
            "",
            "Each endpoint against the minimal view signed in the same way:",
            "",
            *endpoint_rows,
            "",
            "Goals: the minimal view ≤ 1 ms p50 with a session or a token; every endpoint's p95 "
            "≤ 2 × the minimal view's p95 + its own SQL p95.",
            "",
            "Where the minimal view's time goes (session cookie), each middleware timed alone "
            "between marker middlewares (its way in, its `process_view` and its way out):",
            "",
            *cost_rows,
            "",
        ]
    )
    path = results_section_write("Floor (gallery)", section)
    print(f"\nWrote the figures to {path.relative_to(ROOT)}.")


def _instrumentation(args, public: int, detail_ids: list) -> None:
    """Measure the cost of metrics and traces per request, on and off in this run."""
    from benchmarks import instrumentation

    print("\nInstrumentation: off / metrics / metrics + traces, interleaved …")
    iterations = max(100, args.iterations)
    rows = instrumentation.requests_compare(
        [
            ("API list, page 1", f"/api/v1/assets/?page=1&page_size={PAGE_SIZE}"),
            ("API asset detail (4 variants)", f"/api/v1/assets/{detail_ids[0]}/"),
            ("Gallery HTML page 1", "/"),
        ],
        iterations,
    )
    alone = instrumentation.middleware_cost()
    table = instrumentation.table_requests(rows)
    print("\n".join(table))
    alone_rows = [
        "| measured alone | metrics p50 / p95 µs | traces p50 / p95 µs (on top of metrics) |",
        "| --- | ---: | ---: |",
        *instrumentation.table_alone("the middleware around a view that does nothing", alone),
    ]
    print("\n".join(alone_rows))
    if args.no_docs:
        return
    section = "\n".join(
        [
            "## Instrumentation (gallery)",
            "",
            f"`.venv/bin/python benchmarks/bench_gallery.py --rows {args.rows} "
            f"--instrumentation-only` (also run at the end of a full gallery run): {iterations} "
            f"requests per case and mode, the three modes interleaved in random order request by "
            f"request, in-process through the Django test Client, DEBUG off, {public:,} public "
            f"assets, on {platform.machine()} with {os.cpu_count()} cores shared with other "
            "work. Modes: `off` (no `InstrumentationMiddleware`), `metrics` (as shipped: "
            "Prometheus series, query counts, SQL access aggregates), `metrics + traces` "
            "(OpenTelemetry on, spans batched to an exporter that drops them).",
            "",
            *table,
            "",
            "Goals: metrics add ≤ 0.3 ms p95 per request, traces ≤ 1 ms. Whole-request p95s "
            "move by more than that between runs on a busy machine, so the instrumentation's "
            "own work is also timed alone (20,000 calls per mode, interleaved):",
            "",
            *alone_rows,
            "",
        ]
    )
    path = results_section_write("Instrumentation (gallery)", section)
    print(f"\nWrote the figures to {path.relative_to(ROOT)}.")


STOCK_NOTE = (
    '"Stock" is DRF `ListAPIView` + `PageNumberPagination` (`COUNT(*)` + `OFFSET`) with a plain '
    "`ModelSerializer` over the same public rows and sort (owner as an id, no joins: the "
    "cheapest stock variant). The machine was shared with other running work, so absolute "
    "figures carry some noise; both approaches ran in the same process, one after the other."
)


def _write_docs(args, public: int, table: list[str]) -> None:
    section = "\n".join(
        [
            "## Gallery",
            "",
            f'`make bench-gallery BENCH_ARGS="--rows {args.rows}"` '
            f"(= `.venv/bin/python benchmarks/bench_gallery.py --rows {args.rows}`), "
            f"{args.iterations} requests per case ({max(30, args.iterations // 5)} for stock), "
            f"in-process through the Django test Client (full middleware, DRF, envelope, "
            f"templates; no network), DEBUG off, on {platform.machine()} with "
            f"{os.cpu_count()} cores, PostgreSQL and Redis on localhost. "
            f"{args.rows:,} assets, {public:,} of them public and ready; page size {PAGE_SIZE}. "
            '"First request" is the first call after the data version changed '
            "(cold count and, for deep pages, the one boundary pass); p50/p95 are warm.",
            "",
            *table,
            "",
            "Goals: p95 ≤ 10 ms for API page 1, page 10,000 and detail; ≤ 25 ms for the "
            "filtered + searched page and the gallery HTML page. The technique is described "
            "in docs/gallery.md.",
            "",
            STOCK_NOTE,
            "",
        ]
    )
    path = results_section_write("Gallery", section)
    print(f"\nWrote the figures to {path.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()

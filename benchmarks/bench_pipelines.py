"""Pipelines benchmark: throughput, end-to-end latency and orchestration overhead.

    make bench-pipelines
    .venv/bin/python benchmarks/bench_pipelines.py [--runs 20] [--batch 20] [--no-docs]

Uses its own database `forge_bench_pipelines` and the local provider. Measures:

1. Orchestration overhead per stage, in-process: `pipeline_run(timings=...)` reports each
   stage function's time and the orchestrator's total for that stage (claim/fenced writes,
   checkpoint files, event publishing); overhead = total - function. The naive approach is
   the same stage functions called back to back in one process with no persistence, no
   lease, no checkpoints and no events, then the same `asset_create_generated`.
2. End-to-end time of one draft asset with two presets through a real qcluster (2 workers):
   from the creating transaction's commit to the `succeeded` event on the channel layer (what
   a watching browser sees), one pipeline at a time. Run with Forge's `FORGE_Q_POLL=0.05` and
   with django-q2's default poll of 0.2 s.
3. Throughput: a batch of pipelines per quality created at once, two workers; pipelines
   completed per minute from the first commit to the last `succeeded`.
4. The local provider's catalogue: prompt parsing per prompt (goal ≤ 1 ms p95), the build
   time of the largest kinds, and the draft end-to-end time of the largest kind through a
   qcluster (goal ≤ 2 s). `--catalogue-only` measures parsing and builds alone, without a
   database.

Prints p50/p95 and writes them into the `## Pipelines` section of docs/benchmarks.md.
"""

import argparse
import asyncio
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import database_ensure, percentile, results_section_write  # noqa: E402

BENCH_DB = "forge_bench_pipelines"
PRESETS = ["gold", "oak"]
STAGES = ["prepare", "generate_mesh", "optimize", "texture_variants", "thumbnail", "publish"]


def _configure(args) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.db_host}:5432/{args.db_name}"
    os.environ["FORGE_CACHE_PREFIX"] = args.db_name
    os.environ["FORGE_CHANNEL_PREFIX"] = args.db_name
    os.environ["DEBUG"] = "off"
    os.environ["SECRET_KEY"] = "bench-pipelines-" + "x" * 40
    os.environ["SECURE_SSL_REDIRECT"] = "off"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ["MEDIA_ROOT"] = str(Path(tempfile.gettempdir()) / f"{args.db_name}-media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "forge.settings"


def ms(value: float) -> str:
    return f"{value * 1000:.1f}"


def _config(i: int, quality: str = "draft", prompt: str | None = None) -> dict:
    prompts = ["a rusty iron sword", "a wooden treasure chest", "an old oak tree", "a stone tower"]
    return {
        "prompt": prompt or prompts[i % len(prompts)],
        "quality": quality,
        "presets": PRESETS,
        "seed": i,
    }


def bench_overhead(user, runs: int) -> dict:
    """Stage function time vs orchestrator total per stage, in-process."""
    from pipelines.services import pipeline_create, pipeline_run

    per_stage = {name: [] for name in STAGES}
    functions = {name: [] for name in STAGES}
    totals = []
    for i in range(runs + 2):
        pipeline, _ = pipeline_create(user=user, config=_config(i), enqueue=False)
        timings: list[dict] = []
        started = time.perf_counter()
        result = pipeline_run(pipeline_id=pipeline.id, timings=timings)
        elapsed = time.perf_counter() - started
        assert result is not None and result.status == "succeeded", result
        if i < 2:
            continue  # warm-up: imports, first connections
        totals.append(elapsed)
        for t in timings:
            per_stage[t["stage"]].append(t["total_s"] - t["function_s"])
            functions[t["stage"]].append(t["function_s"])
    return {"overhead": per_stage, "functions": functions, "totals": totals}


def bench_naive(user, runs: int) -> list[float]:
    """The same stage functions back to back: no rows, no lease, no checkpoints, no events."""
    from assets.models import MaterialPreset
    from assets.services import VariantInput, asset_create_generated
    from pipelines.providers import provider_get
    from pipelines.providers.base import PresetSpec
    from pipelines.stages.generate_mesh import generate_mesh
    from pipelines.stages.optimize import optimize
    from pipelines.stages.prepare import prepare
    from pipelines.stages.publish import publish_plan
    from pipelines.stages.texture_variants import texture_variants
    from pipelines.stages.thumbnail import thumbnails

    presets = {p.slug: p for p in MaterialPreset.objects.filter(slug__in=PRESETS)}
    totals = []
    for i in range(runs + 2):
        started = time.perf_counter()
        config = {**_config(i), "kind": "prop", "art_style": "realistic", "visibility": "private"}
        prepared = prepare(config=config)
        provider = provider_get("local")
        mesh = generate_mesh(prepared=prepared, provider=provider, should_cancel=lambda: False)
        optimized = optimize(glb=mesh.glb, triangle_budget=prepared["triangle_budget"])
        variants: dict[str, bytes] = {}

        def keep(preset, result, variants=variants) -> None:
            variants[preset.slug] = result.glb

        texture_variants(
            glb=optimized.glb,
            presets=[
                PresetSpec(
                    slug=p.slug,
                    name=p.name,
                    base_color=p.base_color,
                    metallic=p.metallic,
                    roughness=p.roughness,
                    emissive=p.emissive or None,
                    texture_prompt=p.texture_prompt,
                )
                for p in presets.values()
            ],
            seed=prepared["seed"],
            provider=provider,
            should_cancel=lambda: False,
            on_variant=keep,
        )
        main_png, pngs = thumbnails(glb=optimized.glb, variants=variants)
        plan = publish_plan(
            prepared=prepared,
            mesh={"object_kind": mesh.object_kind, "notes": mesh.notes},
            optimized=optimized.stats,
            provider_name="local",
        )
        asset_create_generated(
            owner=user,
            name=plan["name"],
            description=plan["description"],
            kind="prop",
            art_style="realistic",
            tags=plan["tags"],
            glb=optimized.glb,
            thumbnail_png=main_png,
            generation_params=plan["generation_params"],
            variants=[
                VariantInput(preset=presets[slug], glb=glb, thumbnail_png=pngs[slug])
                for slug, glb in variants.items()
            ],
        )
        if i >= 2:
            totals.append(time.perf_counter() - started)
    return totals


class Cluster:
    """A real qcluster against the bench database, stopped through its sentinel."""

    def __init__(self, poll: str, log_path: Path):
        env = {**os.environ, "FORGE_Q_WORKERS": "2", "FORGE_Q_POLL": poll, "DEBUG": "off"}
        self.log = open(log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        time.sleep(3)  # sentinel, workers, pusher, monitor up

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


async def _wait_events(layer, channel, pipeline_ids: set[str], timeout: float) -> dict[str, float]:
    """Return the receive time of each pipeline's terminal event."""
    done: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(pipeline_ids):
        message = await asyncio.wait_for(layer.receive(channel), deadline - time.monotonic())
        event = message["event"]
        if event["pipeline_id"] in pipeline_ids and event["status"] in (
            "succeeded",
            "failed",
            "canceled",
            "expired",
        ):
            if event["status"] != "succeeded":
                raise RuntimeError(f"pipeline {event['pipeline_id']} ended {event['status']}")
            done.setdefault(event["pipeline_id"], time.perf_counter())
    return done


# Prompts the parser is timed on: plain, composed, and ones it can only approximate.
PARSE_PROMPTS = [
    "a rusty iron sword",
    "a steampunk robot owl with a lantern",
    "an ornate golden crown with three rubies and gold trim",
    "a huge mossy stone tower with battlements",
    "a knight holding a lantern",
    "a table with three legs and a candle",
    "a cozy armchair",
    "a spaceship",
    "a castle with six towers",
    "a blorptastic zazzle",
    "a submarine",
    "a sowrd",
]


def bench_catalogue(runs: int) -> dict:
    """Prompt parsing per prompt, and build time of every kind at draft quality."""
    from pipelines.providers.local import LocalProvider
    from pipelines.providers.procedural.catalogue import KINDS
    from pipelines.providers.procedural.prompt import read_prompt

    for prompt in PARSE_PROMPTS:
        read_prompt(prompt)
    parse = []
    for _ in range(max(runs, 20) * 5):
        for prompt in PARSE_PROMPTS:
            started = time.perf_counter()
            read_prompt(prompt)
            parse.append(time.perf_counter() - started)
    provider = LocalProvider()

    def build(kind: str, style: str) -> float:
        started = time.perf_counter()
        provider.text_to_3d(
            prompt=f"a {kind.replace('_', ' ')}",
            negative_prompt="",
            kind="",
            art_style=style,
            quality="draft",
            seed=1,
            should_cancel=lambda: False,
        )
        return time.perf_counter() - started

    first = {(k, s): build(k, s) for k in KINDS for s in ("realistic", "voxel")}
    largest = sorted(first, key=first.get, reverse=True)[:5]
    builds = {key: [build(*key) for _ in range(max(runs, 5))] for key in largest}
    return {"parse": parse, "builds": builds, "largest": largest[0][0], "kinds": len(KINDS)}


def bench_worker_e2e(
    user, runs: int, poll: str, tmp: Path, prompt: str | None = None
) -> list[float]:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from pipelines.events import pipeline_user_group_name
    from pipelines.services import pipeline_create

    layer = get_channel_layer()
    cluster = Cluster(poll, tmp / f"qcluster-e2e-{poll}.log")
    results = []

    async def one(i: int) -> float:
        channel = await layer.new_channel()
        await layer.group_add(pipeline_user_group_name(user.id), channel)
        from asgiref.sync import sync_to_async

        started = time.perf_counter()
        config = _config(1000 + i, prompt=prompt)
        pipeline, _ = await sync_to_async(pipeline_create)(user=user, config=config)
        done = await _wait_events(layer, channel, {str(pipeline.id)}, timeout=60)
        await layer.group_discard(pipeline_user_group_name(user.id), channel)
        return done[str(pipeline.id)] - started

    try:
        for i in range(runs + 2):
            took = async_to_sync(one)(i)
            if i >= 2:
                results.append(took)
    finally:
        cluster.stop()
    return results


def bench_throughput(user, batch: int, quality: str, tmp: Path) -> tuple[float, float]:
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from pipelines.events import pipeline_user_group_name
    from pipelines.services import pipeline_create

    layer = get_channel_layer()
    cluster = Cluster("0.05", tmp / f"qcluster-{quality}.log")

    async def run() -> float:
        channel = await layer.new_channel()
        await layer.group_add(pipeline_user_group_name(user.id), channel)
        started = time.perf_counter()
        ids = set()
        for i in range(batch):
            pipeline, _ = await sync_to_async(pipeline_create)(
                user=user, config=_config(2000 + i, quality)
            )
            ids.add(str(pipeline.id))
        done = await _wait_events(layer, channel, ids, timeout=600)
        return max(done.values()) - started

    try:
        elapsed = async_to_sync(run)()
    finally:
        cluster.stop()
    return batch / elapsed * 60, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="measured runs per latency case")
    parser.add_argument("--batch", type=int, default=20, help="pipelines per throughput batch")
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument(
        "--db-name",
        default=BENCH_DB,
        help="database (created if missing) and Redis prefix, so parallel runs do not collide",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--catalogue-only",
        action="store_true",
        help="only time prompt parsing and the largest builders (no database, no docs)",
    )
    parser.add_argument(
        "--overhead-only",
        action="store_true",
        help="only measure the orchestration overhead per stage (section 'Pipelines: stage overhead')",
    )
    parser.add_argument(
        "--instrumentation-only",
        action="store_true",
        help="only measure the cost of metrics and traces (benchmarks/instrumentation.py)",
    )
    args = parser.parse_args()
    _configure(args)
    if args.catalogue_only:
        import django

        django.setup()
        print("\n".join(_catalogue_rows(bench_catalogue(args.runs), None)))
        return
    database_ensure(args.db_name, host=args.db_host)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django_q.models import OrmQ, Schedule

    from assets.seed import presets_ensure

    presets_ensure()
    Schedule.objects.all().delete()  # no reaper or cleanup runs during the measurements
    OrmQ.objects.all().delete()
    user, _ = get_user_model().objects.get_or_create(username="bench-pipelines")
    tmp = Path(tempfile.mkdtemp(prefix="bench-pipelines-"))
    if args.instrumentation_only:
        bench_instrumentation(args, user)
        return

    if args.overhead_only:
        _overhead_only(args, user)
        return

    print(f"Orchestration overhead: {args.runs} draft pipelines with {len(PRESETS)} presets …")
    overhead = bench_overhead(user, args.runs)
    naive = bench_naive(user, args.runs)
    print(f"End to end through a qcluster: {args.runs} runs per poll setting …")
    e2e_fast = bench_worker_e2e(user, args.runs, "0.05", tmp)
    e2e_default = bench_worker_e2e(user, args.runs, "0.2", tmp)
    print("Catalogue: prompt parsing and the largest builders …")
    catalogue = bench_catalogue(args.runs)
    largest = f"a {catalogue['largest'].replace('_', ' ')}"
    print(f"End to end through a qcluster for the largest kind ({largest}) …")
    e2e_largest = bench_worker_e2e(user, args.runs, "0.05", tmp, prompt=largest)
    throughput = {}
    for quality in ("draft", "standard", "high"):
        print(f"Throughput, {quality}: {args.batch} pipelines, two workers …")
        throughput[quality] = bench_throughput(user, args.batch, quality, tmp)

    rows = overhead_rows(overhead)
    summary = [
        "| Case | p50 (ms) | p95 (ms) |",
        "| --- | ---: | ---: |",
        f"| In-process run, Forge orchestrator (draft, 2 presets) | {ms(statistics.median(overhead['totals']))} | {ms(percentile(overhead['totals'], 0.95))} |",
        f"| In-process run, naive back-to-back stages, no persistence | {ms(statistics.median(naive))} | {ms(percentile(naive, 0.95))} |",
        f"| End to end via qcluster, `FORGE_Q_POLL=0.05` | {ms(statistics.median(e2e_fast))} | {ms(percentile(e2e_fast, 0.95))} |",
        f"| End to end via qcluster, poll 0.2 s (django-q2's and Forge's default) | {ms(statistics.median(e2e_default))} | {ms(percentile(e2e_default, 0.95))} |",
    ]
    tput = [
        "| Quality | pipelines / minute (2 workers) | batch wall time (s) |",
        "| --- | ---: | ---: |",
        *[
            f"| {quality} | {per_minute:.0f} | {elapsed:.1f} |"
            for quality, (per_minute, elapsed) in throughput.items()
        ],
    ]
    cat_rows = _catalogue_rows(catalogue, e2e_largest)
    print("\n".join(["", *summary, "", *rows, "", *tput, "", *cat_rows]))
    if not args.no_docs:
        _write_docs(args, summary, rows, tput, cat_rows)
    bench_instrumentation(args, user)


def bench_instrumentation(args, user) -> None:
    """Measure what metrics and traces add to a pipeline run, on and off in this run."""
    import random

    from django.test.utils import override_settings

    from benchmarks import instrumentation
    from pipelines.services import pipeline_create, pipeline_run

    print(f"Instrumentation: {args.runs} in-process draft runs per mode, interleaved …")
    tracing = instrumentation._Tracing()
    samples: dict[str, list[float]] = {mode: [] for mode in instrumentation.MODES}
    try:
        for i in range(args.runs + 1):
            order = list(instrumentation.MODES)
            random.shuffle(order)
            for mode in order:
                pipeline, _ = pipeline_create(user=user, config=_config(i), enqueue=False)
                tracing.set(mode == "metrics + traces")
                with override_settings(FORGE_METRICS=mode != "off"):
                    started = time.perf_counter()
                    result = pipeline_run(pipeline_id=pipeline.id)
                    elapsed = time.perf_counter() - started
                assert result is not None and result.status == "succeeded", result
                if i >= 1:
                    samples[mode].append(elapsed)
    finally:
        tracing.close()
    hooks = instrumentation.run_hooks_cost()
    runs_table = [
        "| mode | p50 ms | p95 ms |",
        "| --- | ---: | ---: |",
        *(
            f"| {mode} | {ms(statistics.median(s))} | {ms(percentile(s, 0.95))} |"
            for mode, s in samples.items()
        ),
    ]
    alone = [
        "| measured alone | metrics p50 / p95 µs | traces p50 / p95 µs (on top of metrics) |",
        "| --- | ---: | ---: |",
        *instrumentation.table_alone(
            "one run's hooks: the run, 6 stages, 3 provider calls, around no work", hooks
        ),
    ]
    print("\n".join(["", *runs_table, "", *alone]))
    if args.no_docs:
        return
    section = "\n".join(
        [
            "## Instrumentation (pipelines)",
            "",
            f"`.venv/bin/python benchmarks/bench_pipelines.py --runs {args.runs} "
            "--instrumentation-only` (also run at the end of a full pipelines run): draft "
            f"pipelines with two presets run in-process, {args.runs} per mode, the modes "
            "interleaved in random order, on "
            f"{platform.machine()} with {os.cpu_count()} cores shared with other work. Modes: "
            "`off` (FORGE_METRICS off, no tracing), `metrics` (as shipped), `metrics + traces` "
            "(OpenTelemetry on, spans batched to an exporter that drops them).",
            "",
            *runs_table,
            "",
            "A run takes hundreds of milliseconds and varies by tens between runs, far more "
            "than its instrumentation; the hooks' own work is timed alone (5,000 runs per "
            "mode, interleaved):",
            "",
            *alone,
            "",
            "Reading: the spread between runs swamps the instrumentation. Timed alone, a "
            "run's metrics and its eleven spans (run, queue, six stages, three provider "
            "calls) cost microseconds, against runs of a few hundred milliseconds.",
            "",
        ]
    )
    path = results_section_write("Instrumentation (pipelines)", section)
    print(f"\nWrote the figures to {path.relative_to(ROOT)}.")


def _catalogue_rows(catalogue: dict, e2e_largest: list[float] | None) -> list[str]:
    parse = catalogue["parse"]
    rows = [
        "| Case | p50 (ms) | p95 (ms) |",
        "| --- | ---: | ---: |",
        f"| Prompt parsing, {len(PARSE_PROMPTS)} prompts (plain, composed, approximate) | "
        f"{statistics.median(parse) * 1000:.3f} | {percentile(parse, 0.95) * 1000:.3f} |",
    ]
    for (kind, style), times in catalogue["builds"].items():
        rows.append(
            f"| Build `{kind}`, draft, {style} | {ms(statistics.median(times))} | "
            f"{ms(percentile(times, 0.95))} |"
        )
    if e2e_largest:
        rows.append(
            f"| End to end via qcluster, largest kind (`{catalogue['largest']}`, draft, "
            f"2 presets, poll 0.05) | {ms(statistics.median(e2e_largest))} | "
            f"{ms(percentile(e2e_largest, 0.95))} |"
        )
    return rows


READING = (
    "Reading: the draft end-to-end goal (≤ 2 s) is met with a wide margin; most of the time "
    "is the three 512 px thumbnail renders (one layout for the shared geometry, then one "
    "shading per file). Every stage's orchestration "
    "overhead is within 10 ms at p95. The largest are `texture_variants` (one fenced "
    "checkpoint write and one file per finished variant but the last, the price of never "
    "redoing a variant after a crash) and `publish` (its fenced write also links the asset "
    "and marks the pipeline succeeded; the checkpoint files are deleted by a background "
    "thread after the commit). Later stages read this run's checkpoints from memory; only a "
    "resumed run reads them back from storage. Each stage boundary costs one transaction (the "
    "write that finishes a stage also starts the next; the first stage starts in the claim). "
    "Compared with the naive run, the difference also includes the claim, heartbeat thread "
    "start and noise from the thumbnail renderer. django-q2's default 0.2 s poll adds about "
    "half a poll interval of queue wait per pipeline; `FORGE_Q_POLL=0.05` trades that for 20 "
    "idle queue polls a second."
)


def overhead_rows(overhead: dict) -> list[str]:
    """Return the markdown rows of orchestration overhead per stage: p50 and p95, goal 10 ms."""
    rows = [
        "| Stage | stage function p50 (ms) | overhead p50 (ms) | overhead p95 (ms) | ≤ 10 ms p95 |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name in STAGES:
        p95 = percentile(overhead["overhead"][name], 0.95)
        rows.append(
            f"| {name} | {ms(statistics.median(overhead['functions'][name]))} | "
            f"{ms(statistics.median(overhead['overhead'][name]))} | {ms(p95)} | "
            f"{'yes' if p95 <= 0.010 else '**no**'} |"
        )
    all_overhead = [v for values in overhead["overhead"].values() for v in values]
    rows.append(
        f"| **all stages** | | **{ms(statistics.median(all_overhead))}** | "
        f"**{ms(percentile(all_overhead, 0.95))}** | |"
    )
    return rows


def _overhead_only(args, user) -> None:
    """Measure the orchestration overhead per stage alone and write its own section."""
    print(f"Orchestration overhead: {args.runs} draft pipelines with {len(PRESETS)} presets …")
    overhead = bench_overhead(user, args.runs)
    rows = overhead_rows(overhead)
    print("\n".join(rows))
    if args.no_docs:
        return
    section = "\n".join(
        [
            "## Pipelines: stage overhead",
            "",
            f'`make bench-pipelines BENCH_ARGS="--overhead-only --runs {args.runs}"` (also in '
            "the full `make bench-pipelines` run): draft pipelines with two presets run "
            "in-process by `pipeline_run(timings=...)`, local provider, DEBUG off, on "
            f"{platform.machine()} with {os.cpu_count()} cores shared with other work. Overhead "
            "is the orchestrator's wall time for a stage minus the stage function's own time "
            "(fenced writes, checkpoint files, events, the end-of-run clean-up). Goal: ≤ 10 ms "
            "p95 for every stage.",
            "",
            *rows,
            "",
        ]
    )
    path = results_section_write("Pipelines: stage overhead", section)
    print(f"\nWrote the figures to {path.relative_to(ROOT)}.")


def _write_docs(args, summary, rows, tput, cat_rows) -> None:
    section = "\n".join(
        [
            "## Pipelines",
            "",
            f"`make bench-pipelines` (= `.venv/bin/python benchmarks/bench_pipelines.py "
            f"--runs {args.runs} --batch {args.batch}"
            f"{'' if args.db_name == BENCH_DB else ' --db-name ' + args.db_name}`), local "
            "provider, on "
            f"{platform.machine()} with {os.cpu_count()} cores, PostgreSQL and Redis on "
            "localhost, DEBUG off. Two warm-up runs are excluded from every latency case.",
            "",
            "End to end, one draft asset with two presets (goal ≤ 2 s): from the creating "
            "transaction's commit to the `succeeded` event arriving on the channel layer.",
            "",
            *summary,
            "",
            "Orchestration overhead per stage (goal ≤ 10 ms): the orchestrator's wall time for "
            "a stage minus the stage function's own time — the fenced write that finishes one "
            "stage and starts the next, checkpoint files written and read, the per-variant "
            "checkpoint writes of `texture_variants`, event snapshots. `publish`'s function "
            "time includes merging the variants into the asset's GLB and `asset_create_generated` "
            "(its GLB checks and six files).",
            "",
            *rows,
            "",
            "Throughput: a batch created at once, two qcluster workers, first commit to last "
            "`succeeded` event.",
            "",
            *tput,
            "",
            READING,
            "",
            "Local provider catalogue: prompt parsing (goal ≤ 1 ms p95) and the five slowest "
            "kinds to build at draft quality, and the draft end-to-end time of the slowest "
            "(goal ≤ 2 s).",
            "",
            *cat_rows,
            "",
        ]
    )
    path = results_section_write("Pipelines", section)
    print(f"\nWrote the figures to {path.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()

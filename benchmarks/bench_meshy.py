"""Meshy benchmark: orchestration overhead per stage, and workers held by runs waiting on Meshy.

    make bench-pipelines-meshy
    .venv/bin/python benchmarks/bench_meshy.py [--runs 20] [--waiting 100] [--window 20] [--no-docs]

Uses its own database `forge_bench_meshy` and the fake Meshy server (`tests/fakes/meshy/`)
on a local port. Measures:

1. Orchestration overhead per stage with the Meshy provider, in-process, the fake's task
   latency set to zero: the orchestrator's wall time for a stage minus the stage
   function's own (which includes the HTTP calls to the fake). Goal ≤ 10 ms p95.
2. `--waiting` pipelines waiting on remote tasks at once (the fake's tasks take their
   documented 30 s and more) through a real qcluster with two workers: once every run has
   its remote task and was parked, the CPU time of each cluster process over `--window`
   seconds (from /proc). Goal: at most one worker process busy.

Prints the figures and writes them into the `## Pipelines with Meshy` section of
docs/benchmarks.md.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pipelines import STAGES, Cluster, _config, _configure, ms  # noqa: E402
from benchmarks.common import database_ensure, percentile, results_section_write  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
BENCH_DB = "forge_bench_meshy"


def bench_overhead(user, runs: int) -> dict:
    """Stage function time vs orchestrator total per stage, Meshy provider, zero latency."""
    from pipelines.services import pipeline_create, pipeline_run

    per_stage = {name: [] for name in STAGES}
    functions = {name: [] for name in STAGES}
    for i in range(runs + 2):
        config = {**_config(i), "provider": "meshy"}
        pipeline, _ = pipeline_create(user=user, config=config, enqueue=False)
        timings: list[dict] = []
        result = pipeline_run(pipeline_id=pipeline.id, timings=timings)
        assert result is not None and result.status == "succeeded", result
        if i < 2:
            continue
        for t in timings:
            per_stage[t["stage"]].append(t["total_s"] - t["function_s"])
            functions[t["stage"]].append(t["function_s"])
    return {"overhead": per_stage, "functions": functions}


def _group_cpu(pgid: int) -> dict[int, tuple[str, float]]:
    """Return {pid: (command, CPU seconds)} for every process in process group `pgid`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) != pgid:
            continue
        found[int(entry.name)] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def bench_waiting(user, fake, waiting: int, window: float, tmp: Path) -> dict:
    """Park `waiting` runs on long remote tasks; measure each cluster process's CPU."""
    from pipelines.models import GenerationPipeline, PipelineStage
    from pipelines.services import pipeline_create

    fake.configure(time_scale=1.0)  # a preview takes 30 s, a refine 120 s
    os.environ.update(
        FORGE_PIPELINE_REMOTE_WAIT_SECONDS="0.5",
        FORGE_PIPELINE_REMOTE_POLL_MIN_SECONDS="5",
        FORGE_PIPELINE_REMOTE_POLL_MAX_SECONDS="30",
    )
    GenerationPipeline.objects.all().delete()
    ids = [
        pipeline_create(user=user, config={**_config(i), "presets": [], "provider": "meshy"})[0].id
        for i in range(waiting)
    ]
    cluster = Cluster("0.2", tmp / "qcluster-meshy.log")
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            remembered = PipelineStage.objects.filter(
                pipeline_id__in=ids, name="generate_mesh", output__has_key="remote_tasks"
            ).count()
            if remembered == waiting:
                break
            time.sleep(1)
        setup_s = time.monotonic() - (deadline - 600)
        before = _group_cpu(cluster.proc.pid)
        started = time.monotonic()
        running_samples = []
        while time.monotonic() - started < window:
            running_samples.append(
                GenerationPipeline.objects.filter(id__in=ids, status="running").count()
            )
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        after = _group_cpu(cluster.proc.pid)
        creates = fake.stats()["creates"]
    finally:
        cluster.stop()
    shares = sorted(
        (
            (after[pid][1] - before[pid][1]) / elapsed,
            after[pid][0],
        )
        for pid in after
        if pid in before
    )[::-1]
    return {
        "waiting": waiting,
        "setup_s": setup_s,
        "window_s": elapsed,
        "shares": shares,
        "running_max": max(running_samples),
        "running_mean": sum(running_samples) / len(running_samples),
        "creates": creates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--waiting", type=int, default=100)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-name", default=BENCH_DB)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    _configure(args)
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.db_host}:5432/{BENCH_DB}"
    os.environ["FORGE_CACHE_PREFIX"] = os.environ["FORGE_CHANNEL_PREFIX"] = BENCH_DB
    from tests.fakes.meshy import FakeMeshyServer

    fake = FakeMeshyServer(time_scale=0).start()
    os.environ.update(
        FORGE_PROVIDER="meshy",
        FORGE_ENABLED_PROVIDERS="local,meshy",
        MESHY_API_KEY="msy_bench_" + "k" * 26,
        MESHY_BASE_URL=fake.url,
        MESHY_MAX_TASKS_PER_USER="0",
        MESHY_MAX_TASKS_PER_WORKER="0",
    )
    database_ensure(BENCH_DB, host=args.db_host)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django_q.models import OrmQ, Schedule

    from assets.seed import presets_ensure

    presets_ensure()
    Schedule.objects.all().delete()
    OrmQ.objects.all().delete()
    user, _ = get_user_model().objects.get_or_create(username="bench-meshy")
    tmp = Path(tempfile.mkdtemp(prefix="bench-meshy-"))

    print(f"Orchestration overhead, Meshy (fake, zero latency): {args.runs} runs …")
    overhead = bench_overhead(user, args.runs)
    print(f"{args.waiting} pipelines waiting on Meshy, CPU over {args.window} s …")
    waiting = bench_waiting(user, fake, args.waiting, args.window, tmp)
    fake.stop()

    rows = [
        "| Stage | stage function p50 (ms) | orchestration overhead p50 (ms) | overhead p95 (ms) |",
        "| --- | ---: | ---: | ---: |",
    ]
    everything = []
    for name in STAGES:
        values = overhead["overhead"][name]
        if not values:
            continue  # not timed by the engine (the last stage ends inside its finish)
        everything += values
        rows.append(
            f"| {name} | {ms(percentile(overhead['functions'][name], 0.5))} | "
            f"{ms(percentile(values, 0.5))} | {ms(percentile(values, 0.95))} |"
        )
    rows.append(
        f"| **all stages** | | **{ms(percentile(everything, 0.5))}** | "
        f"**{ms(percentile(everything, 0.95))}** |"
    )
    busy = [(share, name) for share, name in waiting["shares"] if share > 0.5]
    cpu_rows = [
        "| Process | CPU share during the window |",
        "| --- | ---: |",
        *[f"| {name} | {share * 100:.1f} % |" for share, name in waiting["shares"][:6]],
    ]
    text = "\n".join(rows + [""] + cpu_rows)
    print(text)
    print(
        f"busy processes (>50 % CPU): {len(busy)}; runs holding a worker: max "
        f"{waiting['running_max']}, mean {waiting['running_mean']:.2f}; creates {waiting['creates']}"
    )
    if args.no_docs:
        return
    section = f"""## Pipelines with Meshy

`make bench-pipelines-meshy` (= `.venv/bin/python benchmarks/bench_meshy.py --runs {args.runs} --waiting {args.waiting} --window {args.window:g}`), Meshy provider against the fake Meshy server (`tests/fakes/meshy/`, in-process thread), on {platform.machine()} with {os.cpu_count()} cores, PostgreSQL and Redis on localhost, DEBUG off.

Orchestration overhead per stage with the fake's latency at zero (goal ≤ 10 ms p95): the orchestrator's wall time for a stage minus the stage function's own time (which includes the HTTP calls to the fake, its GLB building and the downloads). Meshy stages add the fenced write of each remote task ID before the wait (`remote_tasks` on the stage) to the local provider's costs.

{chr(10).join(rows)}

{waiting["waiting"]} pipelines waiting on remote tasks at once (goal: at most one worker process busy-waiting). Every run created its preview task (creates: {waiting["creates"]}), followed it for `FORGE_PIPELINE_REMOTE_WAIT_SECONDS=0.5`, and was parked; polls every 5 s growing to 30 s. Over a {waiting["window_s"]:.0f} s window (after {waiting["setup_s"]:.0f} s to park all of them), runs holding a worker at once: max {waiting["running_max"]}, mean {waiting["running_mean"]:.2f}; processes of the two-worker qcluster by CPU share:

{chr(10).join(cpu_rows)}

Processes above 50 % CPU: {len(busy)}. A waiting run holds no worker: it is queued with `next_attempt_at`; the waker job (one per cluster, asleep between due runs) enqueues each one when due, and the worker that picks it up looks at the task once (one SSE event or GET) and parks it again."""
    results_section_write("Pipelines with Meshy", section)


if __name__ == "__main__":
    main()

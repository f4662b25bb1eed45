"""bench-cluster: one daphne + one qcluster vs HAProxy + two daphne + two qclusters, one run.

    make bench-cluster BENCH_ARGS="--clients 1000 --pipelines 24 --seconds 10"

For each topology, on this machine, against a benchmark database of its own
(`forge_bench_cluster`), all on loopback, ports 8320-8349:

1. Gallery API (`GET /api/v1/assets/?page_size=24`, token-authenticated): a load generator in
   a separate process (asyncio + httpx, `--concurrency` connections for `--seconds`);
   requests/s, p50 and p95.
2. Draft pipelines per minute: `--pipelines` drafts (local provider, no presets) created at
   once; from the first commit to the last `finished_at`. Each qcluster runs FORGE_Q_WORKERS=2.
3. Websocket status latency: `--clients` watchers (through the balancer, so split across
   both daphnes) each on its own pipeline, state changes committed and published by a separate
   process (benchmarks/bench_ws.py's driver and clients); p50/p95 from commit to receipt, events
   lost.

Prints a table and writes the `## Cluster` section of docs/benchmarks.md.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import bench_ws  # noqa: E402
from benchmarks.common import percentile, results_section_write  # noqa: E402

BENCH_DB = "forge_bench_cluster"


def cluster_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("cluster_script", ROOT / "scripts/cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_port(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@contextmanager
def process(args, env, log: Path):
    proc = subprocess.Popen(  # noqa: S603
        args, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        start_new_session=True,
    )  # fmt: skip
    try:
        yield proc
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait()


@contextmanager
def topology(name: str, *, webs: int, clusters: int, env: dict, workdir: Path):
    """Run `webs` daphnes (behind HAProxy when more than one) and `clusters` qclusters."""
    script = cluster_script()
    base_port = 8320 if webs == 1 else 8330
    web_ports = [base_port + 1 + i for i in range(webs)]
    with ExitStack() as stack:
        for port in web_ports:
            stack.enter_context(
                process(
                    script.daphne_command(port),
                    {**env, "FORGE_DB_POOL": "on"},
                    workdir / f"{name}-web{port}.log",
                )
            )
        for i in range(clusters):
            stack.enter_context(
                process(script.qcluster_command(), env, workdir / f"{name}-q{i}.log")
            )
        for port in web_ports:
            wait_port(port)
        entry = web_ports[0]
        if webs > 1:
            config = workdir / f"{name}-haproxy.cfg"
            config.write_text(script.haproxy_config(port=base_port, backends=web_ports))
            haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
            stack.enter_context(
                process([haproxy, "-db", "-f", str(config)], env, workdir / f"{name}-lb.log")
            )
            wait_port(base_port)
            entry = base_port
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{entry}/health/", timeout=5).status_code < 500:
                    break
            time.sleep(0.3)
        time.sleep(2)  # both daphnes marked up by the balancer's checks (1 s interval)
        yield entry


# ---------------------------------------------------------------------------------------
# Gallery load generator: a process of its own
# ---------------------------------------------------------------------------------------


async def _load(url: str, token: str, concurrency: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=30
    ) as client:
        stop_at = time.perf_counter() + seconds

        async def one_client():
            nonlocal errors
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                response = await client.get(url)
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def load_main(url, token, concurrency, seconds, out_path):
    Path(out_path).write_text(json.dumps(asyncio.run(_load(url, token, concurrency, seconds))))


def bench_gallery(ctx, port: int, token: str, args, workdir: Path) -> dict:
    out = workdir / "cluster-gallery.json"
    url = f"http://127.0.0.1:{port}/api/v1/assets/?page_size=24"
    # Warm-up: imports, pools.
    warm = ctx.Process(target=load_main, args=(url, token, 4, 2, out))
    warm.start()
    warm.join()
    proc = ctx.Process(target=load_main, args=(url, token, args.concurrency, args.seconds, out))
    proc.start()
    proc.join()
    data = json.loads(out.read_text())
    lat = data["latencies"]
    return {
        "rps": len(lat) / data["elapsed"],
        "p50_ms": statistics.median(lat) * 1000,
        "p95_ms": percentile(lat, 0.95) * 1000,
        "errors": data["errors"],
    }


def bench_pipelines(user, count: int) -> dict:
    from django.db.models import Max, Min

    from pipelines.models import FINISHED_STATUSES, GenerationPipeline
    from pipelines.services import pipeline_create

    ids = [
        pipeline_create(
            user=user,
            config={"prompt": f"a wooden crate number {i}", "quality": "draft", "seed": i},
        )[0].id
        for i in range(count)
    ]
    batch = GenerationPipeline.objects.filter(id__in=ids)
    deadline = time.monotonic() + 600
    while batch.exclude(status__in=FINISHED_STATUSES).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("pipelines did not finish in 10 minutes")
        time.sleep(0.25)
    span = batch.aggregate(first=Min("created_at"), last=Max("finished_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    durations = [
        (p.finished_at - p.created_at).total_seconds()
        for p in batch.only("created_at", "finished_at")
    ]
    return {
        "per_minute": count / seconds * 60,
        "succeeded": batch.filter(status="succeeded").count(),
        "e2e_p50_s": statistics.median(durations),
        "e2e_p95_s": percentile(durations, 0.95),
    }


def bench_websockets(ctx, port, token, pipeline_ids, env, args, workdir: Path) -> dict:
    ready_path, out_path = workdir / "cluster-ws-ready.txt", workdir / "cluster-ws-received.json"
    for path in (ready_path, out_path, Path(str(out_path) + ".stop")):
        path.unlink(missing_ok=True)
    clients = ctx.Process(
        target=bench_ws.clients_main,
        args=(f"ws://127.0.0.1:{port}", token, pipeline_ids, 3.0, ready_path, out_path),
    )
    clients.start()
    deadline = time.monotonic() + 180
    while not ready_path.exists() and time.monotonic() < deadline and clients.is_alive():
        time.sleep(0.2)
    if not ready_path.exists():
        clients.kill()
        return {"connected": 0, "error": "clients failed to connect (see the daphne logs)"}
    connected = int(ready_path.read_text())
    commits_path = workdir / "cluster-ws-commits.json"
    driver = ctx.Process(
        target=bench_ws.driver_main,
        args=(env, pipeline_ids, args.rounds, args.rate, commits_path, time.time() + 0.5),
    )
    driver.start()
    driver.join()
    Path(str(out_path) + ".stop").write_text("stop")
    clients.join(60)
    commits = json.loads(commits_path.read_text())["commits"]
    received = json.loads(out_path.read_text())
    latencies = [(received[k] - t) * 1000 for k, t in commits.items() if k in received]
    return {
        "connected": connected,
        "sent": len(commits),
        "lost": len([k for k in commits if k not in received]),
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": percentile(latencies, 0.95),
    }


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--pipelines", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    prefix = f"bench-cluster-{os.getpid()}"
    env = {
        **bench_ws.bench_env(prefix),
        "DATABASE_URL": bench_ws.BASE_DB_URL + BENCH_DB,
        "FORGE_Q_WORKERS": "2",
        "FORGE_Q_POLL": "0.05",
        "MEDIA_ROOT": str(workdir / "cluster-media"),
        "FORGE_THROTTLE_ANON": "1000000/min",
    }
    env.pop("FORGE_DB_POOL")  # on for daphne only (the qcluster forks)
    token, pipeline_ids = bench_ws.setup_data(args.clients, env)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench-ws")
    ctx = multiprocessing.get_context("spawn")
    results = {}
    for name, webs, clusters in (("1 daphne + 1 qcluster", 1, 1), ("HAProxy + 2 + 2", 2, 2)):
        print(f"== {name}", flush=True)
        with topology(
            name.split()[0], webs=webs, clusters=clusters, env=env, workdir=workdir
        ) as port:
            before = cpu_busy()
            pipelines = bench_pipelines(user, args.pipelines)
            after = cpu_busy()
            pipelines["cpu_busy"] = (after[0] - before[0]) / max(1, after[1] - before[1])
            print("   pipelines", pipelines, flush=True)
            gallery = bench_gallery(ctx, port, token, args, workdir)
            print("   gallery", gallery, flush=True)
            sockets = bench_websockets(ctx, port, token, pipeline_ids, env, args, workdir)
            print("   websockets", sockets, flush=True)
        results[name] = {"pipelines": pipelines, "gallery": gallery, "websockets": sockets}
    single, double = results.values()
    ratio = double["pipelines"]["per_minute"] / single["pipelines"]["per_minute"]
    gallery_ratio = double["gallery"]["rps"] / single["gallery"]["rps"]
    print(f"pipelines/min ratio {ratio:.2f}x, gallery r/s ratio {gallery_ratio:.2f}x")
    (workdir / "cluster-results.json").write_text(json.dumps(results, indent=1))
    if not args.no_docs:
        write_docs(args, results, ratio, gallery_ratio)


def write_docs(args, results, ratio, gallery_ratio) -> None:
    rows = []
    for name, r in results.items():
        p, g, w = r["pipelines"], r["gallery"], r["websockets"]
        rows.append(
            f"| {name} | {g['rps']:.0f} | {g['p50_ms']:.0f} / {g['p95_ms']:.0f} | "
            f"{p['per_minute']:.1f} ({p['succeeded']}/{args.pipelines} ok) | {p['cpu_busy']:.0%} | "
            f"{p['e2e_p50_s']:.1f} / {p['e2e_p95_s']:.1f} | "
            f"{w.get('connected', 0)} | {w.get('p50_ms', float('nan')):.0f} / "
            f"{w.get('p95_ms', float('nan')):.0f} | {w.get('lost', '—')} of {w.get('sent', '—')} |"
        )
    cores = os.cpu_count()
    busy = [r["pipelines"]["cpu_busy"] for r in results.values()]
    bottleneck = (
        f"\nThe pipeline goal (≥ 1.7×) is not reached on this machine, and the cause is measured: "
        f"the draft batch kept all {cores} cores {busy[0]:.0%} busy with one qcluster "
        f"(2 workers) and {busy[1]:.0%} with two. Draft pipelines are CPU-bound (mesh "
        "generation, decimation, texturing and thumbnail rendering in Python/numpy), so a second "
        "qcluster adds worker processes but no cores; throughput grows with cores, i.e. with a "
        "second machine. The gallery API scales better because one daphne is one Python "
        "process (one core at most) and two can use both cores.\n"
        if ratio < 1.7
        else ""
    )
    section = f"""## Cluster

`make bench-cluster BENCH_ARGS="--clients {args.clients} --pipelines {args.pipelines} --seconds {args.seconds:g}"`
(benchmarks/bench_cluster.py, database `forge_bench_cluster`, {cores} cores shared by every
process: the load generators, daphnes, qclusters, PostgreSQL and Redis). Gallery: `GET
/api/v1/assets/?page_size=24`, {args.concurrency} connections for {args.seconds:g} s from a separate
process. Pipelines: {args.pipelines} drafts (local provider, no presets) created at once, 2 workers
per qcluster. Websockets: {args.clients} watchers through the entry point (split round-robin across
both daphnes), {args.rounds} committed changes each at {args.rate:g}/s from a separate process.

| Topology | gallery r/s | gallery p50 / p95 ms | draft pipelines/min | CPU busy (all cores) | pipeline p50 / p95 s | sockets | status p50 / p95 ms | lost |
|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Two of each / one of each: **{ratio:.2f}× pipelines/min**, {gallery_ratio:.2f}× gallery r/s.
{bottleneck}"""
    results_section_write("Cluster", section)


if __name__ == "__main__":
    main()

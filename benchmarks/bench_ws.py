"""bench-ws: live pipeline status for many watchers on one daphne process.

Opens N websocket clients (default 1,000) on one daphne process, each watching its own
pipeline, drives state changes from a separate worker process (a transaction per change, the
event published after commit exactly as the orchestrator does), and reports the latency from
each commit to each client's receipt, messages lost, and daphne's memory per connection.
Then, in the same run, the naive alternative: clients polling the REST API once a second.

    make bench-ws BENCH_ARGS="--clients 1000 --rounds 5 --rate 500"

Everything runs against a benchmark database of its own (`forge_bench_ws`), on loopback.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile  # noqa: E402

BENCH_DB = "forge_bench_ws"
BASE_DB_URL = "postgres://postgres@127.0.0.1:5432/"


def bench_env(prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": BASE_DB_URL + BENCH_DB,
        "DEBUG": "off",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "off",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "FORGE_DB_POOL": "on",  # as the Procfile runs daphne
        "FORGE_CHANNEL_PREFIX": prefix,
        "FORGE_CACHE_PREFIX": prefix,
        "FORGE_THROTTLE_USER": "1000000/min",
        "DJANGO_SETTINGS_MODULE": "forge.settings",
    }


def rss_kib(pid: int) -> int:
    total = 0
    for child in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return []
    return [int(x) for x in out.split()]


# --------------------------------------------------------------------------------------
# Set-up: database, user, token, pipelines (in this process, with Django)
# --------------------------------------------------------------------------------------


def setup_data(count: int, env: dict[str, str]) -> tuple[str, list[str]]:
    subprocess.run(
        [sys.executable, "manage.py", "services_check", "--create-db"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from forge.tokens import api_token_create
    from pipelines.models import GenerationPipeline, PipelineStatus
    from tests.factories import UserFactory

    GenerationPipeline.objects.filter(user__username="bench-ws").delete()
    user = UserFactory(username="bench-ws")
    _, raw = api_token_create(user=user, name=f"bench {time.time()}")
    now = timezone.now()
    pipelines = GenerationPipeline.objects.bulk_create(
        GenerationPipeline(
            user=user,
            config={"prompt": f"benchmark pipeline {i}", "quality": "draft"},
            provider="local",
            status=PipelineStatus.RUNNING,
            event_seq=1,
            expires_at=now + timedelta(days=1),
        )
        for i in range(count)
    )
    from django.db import connection

    connection.close()
    return raw, [str(p.id) for p in pipelines]


# --------------------------------------------------------------------------------------
# The worker process: state changes, each committed and then published
# --------------------------------------------------------------------------------------


def driver_main(env, pipeline_ids, rounds, rate, out_path, start_at):
    os.environ.update(env)
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import F

    from pipelines.events import pipeline_event_publish_on_commit
    from pipelines.models import GenerationPipeline

    commits: dict[str, float] = {}
    published: dict[str, float] = {}
    failures = 0
    interval = 1.0 / rate
    while time.time() < start_at:
        time.sleep(0.01)
    next_at = time.perf_counter()
    for round_no in range(rounds):
        for pipeline_id in pipeline_ids:
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with transaction.atomic():
                GenerationPipeline.objects.filter(pk=pipeline_id).update(
                    progress=round_no % 100, event_seq=F("event_seq") + 1
                )
                pipeline = GenerationPipeline.objects.get(pk=pipeline_id)
                key = f"{pipeline_id}:{pipeline.event_seq}"
                # Registered before the publish, so it runs first: the moment of commit.
                transaction.on_commit(lambda key=key: commits.__setitem__(key, time.time()))
                pipeline_event_publish_on_commit(pipeline, stages=[])
                transaction.on_commit(lambda key=key: published.__setitem__(key, time.time()))
    Path(out_path).write_text(
        json.dumps({"commits": commits, "published": published, "failures": failures})
    )


# --------------------------------------------------------------------------------------
# The watchers: websocket clients in a process of their own
# --------------------------------------------------------------------------------------


async def _watch(url, token, pipeline_id, received, ready, stop):
    import websockets

    async with websockets.connect(
        url,
        subprotocols=["forge.token", token],
        origin="http://127.0.0.1",
        open_timeout=60,
        max_queue=None,
    ) as ws:
        first = json.loads(await ws.recv())
        assert first["type"] == "snapshot", first
        ready.append(pipeline_id)
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            now = time.time()
            frame = json.loads(raw)
            if frame["type"] == "update":
                received[f"{pipeline_id}:{frame['pipeline']['seq']}"] = now


async def _clients(base_ws, token, pipeline_ids, duration, ready_path, out_path):
    received: dict[str, float] = {}
    ready: list[str] = []
    stop = asyncio.Event()
    tasks = []
    for index, pipeline_id in enumerate(pipeline_ids):
        tasks.append(
            asyncio.create_task(
                _watch(
                    f"{base_ws}/ws/pipelines/{pipeline_id}/",
                    token,
                    pipeline_id,
                    received,
                    ready,
                    stop,
                )
            )
        )
        if index % 10 == 9:  # ramp up at about 100 connections a second
            await asyncio.sleep(0.1)
    deadline = time.monotonic() + 120
    while len(ready) < len(pipeline_ids) and time.monotonic() < deadline:
        failed = [t for t in tasks if t.done() and t.exception()]
        if failed:
            raise failed[0].exception()
        await asyncio.sleep(0.1)
    Path(ready_path).write_text(str(len(ready)))
    while not Path(str(out_path) + ".stop").exists():
        await asyncio.sleep(0.1)
    await asyncio.sleep(duration)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    Path(out_path).write_text(json.dumps(received))


def clients_main(base_ws, token, pipeline_ids, drain, ready_path, out_path):
    asyncio.run(_clients(base_ws, token, pipeline_ids, drain, ready_path, out_path))


# --------------------------------------------------------------------------------------
# The naive approach: poll the REST API once a second
# --------------------------------------------------------------------------------------


async def _poll(base_http, token, pipeline_id, seen, stop, counter, interval):
    import httpx

    async with httpx.AsyncClient(
        base_url=base_http, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        last = None
        while not stop.is_set():
            started = time.monotonic()
            response = await client.get(f"/api/v1/pipelines/{pipeline_id}/")
            counter[0] += 1
            if response.status_code == 200:
                progress = response.json()["data"]["progress"]
                if progress != last:
                    seen[f"{pipeline_id}:{progress}"] = time.time()
                    last = progress
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


async def _pollers(base_http, token, pipeline_ids, seconds, interval):
    seen: dict[str, float] = {}
    counter = [0]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(_poll(base_http, token, p, seen, stop, counter, interval))
        for p in pipeline_ids
    ]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return seen, counter[0]


def naive_driver_main(env, pipeline_ids, rounds, period, out_path, start_at):
    os.environ.update(env)
    import django

    django.setup()
    from django.db import transaction

    from pipelines.models import GenerationPipeline

    commits = {}
    while time.time() < start_at:
        time.sleep(0.01)
    for round_no in range(rounds):
        round_start = time.monotonic()
        progress = 50 + round_no
        for pipeline_id in pipeline_ids:
            with transaction.atomic():
                GenerationPipeline.objects.filter(pk=pipeline_id).update(progress=progress)
            commits[f"{pipeline_id}:{progress}"] = time.time()
        time.sleep(max(0.0, period - (time.monotonic() - round_start)))
    Path(out_path).write_text(json.dumps(commits))


# --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="state changes per pipeline")
    parser.add_argument(
        "--rate", type=float, default=500, help="state changes per second, all pipelines"
    )
    parser.add_argument("--poll-clients", type=int, default=100)
    parser.add_argument("--poll-seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    prefix = f"bench-ws-{os.getpid()}"
    env = bench_env(prefix)
    token, pipeline_ids = setup_data(args.clients, env)

    daphne = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(args.port),
            "--access-log",
            "/dev/null",
            "forge.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(workdir / "ws-daphne.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            try:
                import socket

                with socket.create_connection(("127.0.0.1", args.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        import httpx

        httpx.get(f"http://127.0.0.1:{args.port}/health/", timeout=10)
        rss_idle = rss_kib(daphne.pid)

        # Push: N websocket watchers, one worker driving changes.
        ctx = multiprocessing.get_context("spawn")
        ready_path, out_path = workdir / "ws-ready.txt", workdir / "ws-received.json"
        for path in (ready_path, out_path, Path(str(out_path) + ".stop")):
            path.unlink(missing_ok=True)
        clients = ctx.Process(
            target=clients_main,
            args=(f"ws://127.0.0.1:{args.port}", token, pipeline_ids, 3.0, ready_path, out_path),
        )
        clients.start()
        deadline = time.monotonic() + 180
        while not ready_path.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        connected = int(ready_path.read_text()) if ready_path.exists() else 0
        time.sleep(1)
        rss_connected = rss_kib(daphne.pid)
        commits_path = workdir / "ws-commits.json"
        driver = ctx.Process(
            target=driver_main,
            args=(env, pipeline_ids, args.rounds, args.rate, commits_path, time.time() + 0.5),
        )
        driver.start()
        driver.join()
        Path(str(out_path) + ".stop").write_text("stop")
        clients.join(60)
        driven = json.loads(commits_path.read_text())
        commits, published = driven["commits"], driven["published"]
        publish_ms = [(published[k] - t) * 1000 for k, t in commits.items() if k in published]
        received = json.loads(out_path.read_text())
        latencies = [(received[k] - t) * 1000 for k, t in commits.items() if k in received]
        lost = len([k for k in commits if k not in received])

        # Naive: polling the REST API once a second.
        poll_ids = pipeline_ids[: args.poll_clients]
        naive_commits_path = workdir / "ws-naive-commits.json"
        rounds = max(1, int(args.poll_seconds // 2) - 1)
        naive_driver = ctx.Process(
            target=naive_driver_main,
            args=(env, poll_ids, rounds, 2.0, naive_commits_path, time.time() + 1.0),
        )
        naive_driver.start()
        seen, requests = asyncio.run(
            _pollers(f"http://127.0.0.1:{args.port}", token, poll_ids, args.poll_seconds, 1.0)
        )
        naive_driver.join()
        naive_commits = json.loads(naive_commits_path.read_text())
        naive_latencies = [(seen[k] - t) * 1000 for k, t in naive_commits.items() if k in seen]
        naive_missed = len([k for k in naive_commits if k not in seen])
    finally:
        daphne.terminate()
        daphne.wait(10)

    per_conn = (rss_connected - rss_idle) / max(1, connected)
    result = {
        "clients": args.clients,
        "connected": connected,
        "events_sent": len(commits),
        "events_received": len(latencies),
        "lost": lost,
        "rate_per_s": round(
            len(commits) / max(1e-9, max(commits.values()) - min(commits.values())), 1
        ),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 2) if latencies else None,
            "p95": round(percentile(latencies, 0.95), 2),
            "p99": round(percentile(latencies, 0.99), 2),
            "max": round(max(latencies), 2) if latencies else None,
        },
        "publish_ms": {
            "p50": round(statistics.median(publish_ms), 2),
            "p95": round(percentile(publish_ms, 0.95), 2),
        },
        "daphne_rss_mib": {
            "idle": round(rss_idle / 1024, 1),
            "connected": round(rss_connected / 1024, 1),
        },
        "daphne_kib_per_connection": round(per_conn, 1),
        "naive_polling": {
            "clients": len(poll_ids),
            "changes": len(naive_commits),
            "seen": len(naive_latencies),
            "missed": naive_missed,
            "requests_per_s": round(requests / args.poll_seconds, 1),
            "latency_ms": {
                "p50": round(statistics.median(naive_latencies), 1) if naive_latencies else None,
                "p95": round(percentile(naive_latencies, 0.95), 1),
                "p99": round(percentile(naive_latencies, 0.99), 1),
            },
        },
    }
    print(json.dumps(result, indent=2))
    (workdir / "bench-ws.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

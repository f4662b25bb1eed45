"""Exports benchmark: end-to-end latency per format, throughput, request time, naive approach.

    make bench-exports
    .venv/bin/python benchmarks/bench_exports.py [--runs 5] [--batch 12] [--no-docs]

Uses its own database `forge_bench_exports`, a real qcluster with two workers and two
textured assets: a 10k-triangle torus and a 100k-triangle one (two 1024² textures each).
Measures:

1. End to end, per format and asset: from the commit of the creating request to the run's
   `succeeded` event on the channel layer (what a watching browser sees), one export at a
   time, quality `full`, original textures (the whole conversion, nothing skipped).
2. The web request that accepts an export (`POST /api/v1/exports/` through Django's full
   middleware stack, in-process): validate, write the run, its stages and the export job,
   enqueue, answer 202.
3. Throughput: a batch of 10k exports (GLB, OBJ, STL, PLY in turn) created at once, two
   workers; exports completed per minute.
4. The naive approach beside it: the conversion done inside the web request (read the
   asset, `quality_apply`, `format_write`, store the file): the time a user's request waits.

Prints p50/p95 and writes them into the `## Exports` section of docs/benchmarks.md.
"""

import argparse
import asyncio
import hashlib
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import database_ensure, percentile, results_section_write  # noqa: E402

BENCH_DB = "forge_bench_exports"
FORMATS = ["glb", "gltf", "obj", "stl", "ply", "usdz", "fbx"]
GOALS = {"glb": 1.0, "gltf": 1.0, "obj": 1.0, "stl": 1.0, "ply": 1.0, "usdz": 2.0, "fbx": 5.0}


def _configure(args) -> None:
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.db_host}:5432/{BENCH_DB}"
    os.environ["FORGE_CACHE_PREFIX"] = "forge-bench-exports"
    os.environ["FORGE_CHANNEL_PREFIX"] = "forge-bench-exports"
    os.environ["DEBUG"] = "off"
    os.environ["SECRET_KEY"] = "bench-exports-" + "x" * 40
    os.environ["SECURE_SSL_REDIRECT"] = "off"
    os.environ["FORGE_HTTPS"] = "off"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ["MEDIA_ROOT"] = str(Path(tempfile.gettempdir()) / "forge-bench-exports-media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "forge.settings"


def ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def torus_glb(major: int, minor: int) -> bytes:
    """A textured torus of 2·major·minor triangles with a 1024² base colour and metal-rough."""
    import trimesh
    from PIL import Image

    from tests.pipelines.export.conftest import torus_base_color, torus_mesh

    mesh = torus_mesh(major, minor)
    material = trimesh.visual.material.PBRMaterial(
        name="torus",
        baseColorTexture=torus_base_color(),
        metallicRoughnessTexture=Image.new("RGB", (1024, 1024), (0, 150, 50)),
        metallicFactor=0.8,
        roughnessFactor=0.4,
    )
    mesh.visual = trimesh.visual.TextureVisuals(uv=mesh.visual.uv, material=material)
    return trimesh.Scene({"torus": mesh}).export(file_type="glb", include_normals=True)


def assets_ensure(user) -> dict[str, object]:
    from assets.models import Asset
    from assets.services import asset_upload

    made = {}
    for label, (major, minor) in {"10k": (100, 50), "100k": (500, 100)}.items():
        name = f"Bench torus {label}"
        asset = Asset.objects.filter(owner=user, name=name).first()
        if asset is None:
            asset = asset_upload(owner=user, name=name, glb=torus_glb(major, minor))
        made[label] = asset
    return made


class Cluster:
    """A real qcluster (two workers) against the bench database."""

    def __init__(self, log_path: Path):
        env = {**os.environ, "FORGE_Q_WORKERS": "2", "FORGE_Q_POLL": "0.05"}
        self.log = open(log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        time.sleep(3)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


async def _wait_done(layer, channel, ids: set[str], timeout: float) -> dict[str, float]:
    done: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(ids):
        message = await asyncio.wait_for(layer.receive(channel), deadline - time.monotonic())
        event = message["event"]
        if event["pipeline_id"] in ids and event["status"] in ("succeeded", "failed", "canceled"):
            if event["status"] != "succeeded":
                raise RuntimeError(f"export {event['pipeline_id']} ended {event['status']}")
            done.setdefault(event["pipeline_id"], time.perf_counter())
    return done


def _create(user, asset, fmt: str) -> str:
    from assets.exports.services import export_create

    job, _ = export_create(user=user, assets=[str(asset.pk)], format=fmt)
    return str(job.pk)


def bench_end_to_end(user, assets, runs: int) -> dict[tuple[str, str], list[float]]:
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from pipelines.events import pipeline_user_group_name

    layer = get_channel_layer()
    results: dict[tuple[str, str], list[float]] = {}

    async def one(asset, fmt: str) -> float:
        channel = await layer.new_channel()
        await layer.group_add(pipeline_user_group_name(user.id), channel)
        started = time.perf_counter()
        export_id = await sync_to_async(_create)(user, asset, fmt)
        done = await _wait_done(layer, channel, {export_id}, timeout=300)
        await layer.group_discard(pipeline_user_group_name(user.id), channel)
        return done[export_id] - started

    async def warm_up() -> None:
        # Both workers import every converter (and start Blender once) before anything is
        # timed: two exports of each format at once, one per worker.
        channel = await layer.new_channel()
        await layer.group_add(pipeline_user_group_name(user.id), channel)
        ids = set()
        for fmt in FORMATS:
            for _ in range(2):
                ids.add(await sync_to_async(_create)(user, assets["10k"], fmt))
        await _wait_done(layer, channel, ids, timeout=600)
        await layer.group_discard(pipeline_user_group_name(user.id), channel)

    async_to_sync(warm_up)()
    for label, asset in assets.items():
        for fmt in FORMATS:
            times = [async_to_sync(one)(asset, fmt) for _ in range(runs + 1)]
            results[(label, fmt)] = times[1:]  # the first is a warm-up (file caches)
            print(f"  {label} {fmt}: p50 {ms(percentile(times[1:], 0.5))} ms")
    return results


def bench_throughput(user, asset, batch: int) -> tuple[float, float]:
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from pipelines.events import pipeline_user_group_name

    layer = get_channel_layer()

    async def run() -> float:
        channel = await layer.new_channel()
        await layer.group_add(pipeline_user_group_name(user.id), channel)
        started = time.perf_counter()
        ids = set()
        for i in range(batch):
            fmt = ["glb", "obj", "stl", "ply"][i % 4]
            ids.add(await sync_to_async(_create)(user, asset, fmt))
        done = await _wait_done(layer, channel, ids, timeout=600)
        return max(done.values()) - started

    elapsed = async_to_sync(run)()
    return batch / elapsed * 60, elapsed


def bench_request(user, asset, runs: int) -> list[float]:
    """The API request that accepts an export, through the full middleware stack."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    times = []
    for _ in range(runs + 3):
        started = time.perf_counter()
        response = client.post(
            "/api/v1/exports/",
            {"assets": [str(asset.pk)], "format": "glb"},
            content_type="application/json",
        )
        times.append(time.perf_counter() - started)
        assert response.status_code == 202, response.content
    return times[3:]


def bench_naive(asset, fmt: str, runs: int) -> list[float]:
    """The conversion inside the web request: what the request would wait for."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from pipelines.stages.export import format_write, quality_apply

    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        with asset.model_file.open("rb") as handle:
            glb = handle.read()
        reduced = quality_apply(glb, geometry="full", textures="original")
        written = format_write(reduced.glb, fmt, name="torus")
        hashlib.sha256(written.content).hexdigest()
        key = default_storage.save(
            f"bench-naive/{i}-{written.filename}", ContentFile(written.content)
        )
        default_storage.delete(key)
        times.append(time.perf_counter() - started)
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured runs per format and asset")
    parser.add_argument("--batch", type=int, default=12, help="exports in the throughput batch")
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    _configure(args)
    database_ensure(BENCH_DB, host=args.db_host)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django_q.models import OrmQ, Schedule

    from pipelines.stages.export import fbx_available

    if not fbx_available():
        FORMATS.remove("fbx")
    Schedule.objects.all().delete()  # no reaper or cleanup runs during the measurements
    OrmQ.objects.all().delete()
    # Staff: the benchmark's many exports are not rate limited.
    user, _ = get_user_model().objects.get_or_create(
        username="bench-exports", defaults={"is_staff": True}
    )
    assets = assets_ensure(user)
    tmp = Path(tempfile.mkdtemp(prefix="bench-exports-"))

    print(f"Web request accepting an export: {max(args.runs * 6, 30)} requests …")
    request = bench_request(user, assets["10k"], max(args.runs * 6, 30))
    OrmQ.objects.all().delete()  # those exports are not run
    print("Naive: the conversion inside the request …")
    naive = {
        (label, fmt): bench_naive(asset, fmt, args.runs)
        for label, asset in assets.items()
        for fmt in FORMATS
    }
    cluster = Cluster(tmp / "qcluster.log")
    try:
        print(f"End to end through a qcluster (two workers), {args.runs} runs each …")
        e2e = bench_end_to_end(user, assets, args.runs)
        print(f"Throughput: {args.batch} exports of the 10k asset at once …")
        per_minute, elapsed = bench_throughput(user, assets["10k"], args.batch)
    finally:
        cluster.stop()

    rows = [
        "| Format | 10k: Forge p50 / p95 (ms) | 10k goal (p95) | 10k: naive in-request p50 (ms) "
        "| 100k: Forge p50 / p95 (ms) | 100k: naive in-request p50 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for fmt in FORMATS:
        small, large = e2e[("10k", fmt)], e2e[("100k", fmt)]
        goal = GOALS[fmt]
        met = "✓" if percentile(small, 0.95) <= goal else "✗"
        rows.append(
            f"| {fmt} | {ms(percentile(small, 0.5))} / {ms(percentile(small, 0.95))} | "
            f"≤ {goal * 1000:.0f} {met} | {ms(percentile(naive[('10k', fmt)], 0.5))} | "
            f"{ms(percentile(large, 0.5))} / {ms(percentile(large, 0.95))} | "
            f"{ms(percentile(naive[('100k', fmt)], 0.5))} |"
        )
    request_row = (
        f"| Accept an export (`POST /api/v1/exports/` → 202) | "
        f"{percentile(request, 0.5) * 1000:.1f} | {percentile(request, 0.95) * 1000:.1f} | ≤ 20 |"
    )
    naive_glb = naive[("10k", "glb")]
    naive_fbx = naive[("10k", FORMATS[-1])]
    summary = [
        "| Web request | p50 (ms) | p95 (ms) | goal p95 (ms) |",
        "| --- | ---: | ---: | ---: |",
        request_row,
        f"| Naive: convert inside the request, 10k GLB | {ms(percentile(naive_glb, 0.5))} | "
        f"{ms(percentile(naive_glb, 0.95))} | |",
        f"| Naive: convert inside the request, 10k {FORMATS[-1].upper()} | "
        f"{ms(percentile(naive_fbx, 0.5))} | {ms(percentile(naive_fbx, 0.95))} | |",
    ]
    tput = [
        "| Throughput (two workers, 10k asset, GLB/OBJ/STL/PLY in turn) | value |",
        "| --- | ---: |",
        f"| exports per minute | {per_minute:.0f} |",
        f"| batch of {args.batch}, wall time (s) | {elapsed:.1f} |",
    ]
    print("\n".join(["", *summary, "", *rows, "", *tput]))
    if args.no_docs:
        return
    section = "\n".join(
        [
            "## Exports",
            "",
            f'`make bench-exports BENCH_ARGS="--runs {args.runs} --batch {args.batch}"` '
            f"(benchmarks/bench_exports.py) on {platform.machine()}, "
            f"{os.cpu_count()} cores shared with other work, Python {platform.python_version()}. "
            "End to end is from the commit of the creating request to the run's `succeeded` "
            "event on the channel layer, through a real qcluster with two workers "
            "(`FORGE_Q_POLL=0.05`), quality `full` with original textures; the assets are "
            "textured tori (two 1024² PNG textures). “Naive” is the same conversion done "
            "inside the web request (read, `quality_apply`, `format_write`, store): the time "
            "the user's request would block, and a web worker with it.",
            "",
            *summary,
            "",
            *rows,
            "",
            *tput,
            "",
        ]
    )
    print(f"\nWrote {results_section_write('Exports', section)}")


if __name__ == "__main__":
    main()

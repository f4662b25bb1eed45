"""Benchmark files on the local disk against files in S3 (SeaweedFS), in one run.

    make bench-storage BENCH_ARGS="--runs 15"

- Draft pipeline end to end: `pipeline_run` in this process (every stage, its checkpoints,
  the model, thumbnail and cleanup through the storage API), the same prompts alternately on
  the disk and in the bucket. Goal (issue 15): S3 adds at most 20 %.
- Serving a private model to its owner through `/media/` (the access check included): on the
  disk Forge streams the file; in S3 it redirects to a presigned URL and the client fetches it
  from the bucket. Beside it, the naive S3 approach: Forge reading the object and streaming it
  (a proxy), which holds a web worker for the whole transfer.

The S3 server is the one tests use (scripts/s3_server.py), on ports 8340-8349.
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import database_ensure, percentile, results_section_write  # noqa: E402

BENCH_DB = "forge_bench_storage"
PROMPTS = ["a wooden crate", "an iron sword", "a stone well", "a golden crown with rubies"]


def _row(name: str, values: list[float]) -> str:
    return f"| {name} | {percentile(values, 0.5):.0f} | {percentile(values, 0.95):.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="pipelines per backend")
    parser.add_argument("--reads", type=int, default=60, help="file reads per approach")
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@{args.db_host}:5432/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
    database_ensure(BENCH_DB, host=args.db_host)
    import django

    django.setup()
    import httpx
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.http import FileResponse
    from django.test import Client, override_settings

    from pipelines.services import pipeline_create, pipeline_run
    from scripts.s3_server import S3Server

    call_command("migrate", verbosity=0, interactive=False)
    user, _ = get_user_model().objects.get_or_create(username="bench-storage")
    media = tempfile.mkdtemp(prefix="forge-bench-storage-")
    server = S3Server(port=8340, data_dir=Path(tempfile.mkdtemp(prefix="forge-bench-s3-")))
    server.start()
    backends = {
        "disk": override_settings(MEDIA_ROOT=media),
        "s3": override_settings(
            STORAGES={**settings.STORAGES, "default": server.storage(uuid.uuid4().hex[:8])}
        ),
    }
    try:
        # Alternate blocks (disk, S3, disk, S3) so drift in the machine's load hits both;
        # a block's first run is dropped: entering a backend makes a new storage object, and
        # its first S3 call builds the boto3 session (once per process and thread in Forge).
        pipelines = {name: [] for name in backends}
        assets = {}
        block = max(1, args.runs // 2)
        for round_ in range(2):
            for name, override in backends.items():
                with override:
                    for i in range(block + 1):
                        seed = round_ * 1000 + i
                        config = {"prompt": PROMPTS[i % len(PROMPTS)], "quality": "draft"}
                        started = time.perf_counter()
                        pipeline, _ = pipeline_create(
                            user=user, config={**config, "seed": seed}, enqueue=False
                        )
                        result = pipeline_run(pipeline_id=pipeline.id)
                        elapsed = (time.perf_counter() - started) * 1000
                        assert result.status == "succeeded", result
                        if i:
                            pipelines[name].append(elapsed)
                    pipeline.refresh_from_db()
                    assets[name] = pipeline.asset
        client = Client()
        client.force_login(user)
        reads = {
            "disk: stream": [],
            "s3: redirect + fetch from the bucket": [],
            "s3 naive: proxy": [],
        }
        with httpx.Client() as bucket:
            with backends["disk"]:
                url = assets["disk"].model_file.url
                for _ in range(args.reads + 3):
                    started = time.perf_counter()
                    response = client.get(url)
                    b"".join(response.streaming_content)
                    reads["disk: stream"].append((time.perf_counter() - started) * 1000)
            with backends["s3"]:
                url = assets["s3"].model_file.url
                name = assets["s3"].model_file.name
                for _ in range(args.reads + 3):
                    started = time.perf_counter()
                    response = client.get(url)
                    assert response.status_code == 302
                    assert bucket.get(response["Location"]).status_code == 200
                    reads["s3: redirect + fetch from the bucket"].append(
                        (time.perf_counter() - started) * 1000
                    )
                    started = time.perf_counter()
                    proxied = FileResponse(default_storage.open(name))
                    b"".join(proxied.streaming_content)
                    reads["s3 naive: proxy"].append((time.perf_counter() - started) * 1000)
        reads = {name: values[3:] for name, values in reads.items()}
    finally:
        server.stop()

    disk, s3 = percentile(pipelines["disk"], 0.5), percentile(pipelines["s3"], 0.5)
    disk95, s395 = percentile(pipelines["disk"], 0.95), percentile(pipelines["s3"], 0.95)
    size = assets["s3"].file_size
    command = f'make bench-storage BENCH_ARGS="--runs {args.runs} --reads {args.reads}"'
    lines = [
        "## Storage: disk and S3",
        "",
        f"`{command}` (benchmarks/bench_storage.py) on {os.uname().machine}, 2 cores shared "
        "with other work. SeaweedFS 4.48 (`weed mini`) on the same machine; every request "
        "signed. Pipelines run in this process (no queue), the same prompts on each backend, "
        "in alternating blocks (disk, S3, disk, S3; each block's first run dropped).",
        "",
        "| draft pipeline, end to end | p50 (ms) | p95 (ms) |",
        "| --- | ---: | ---: |",
        _row("files on the disk", pipelines["disk"]),
        _row("files in S3", pipelines["s3"]),
        "",
        f"S3 adds **{(s3 / disk - 1) * 100:+.0f} %** at the median and "
        f"{(s395 / disk95 - 1) * 100:+.0f} % at p95 (goal: at most +20 %).",
        "",
        f"| the owner reads a private model ({size / 1024:.0f} KiB) | p50 (ms) | p95 (ms) |",
        "| --- | ---: | ---: |",
        *(_row(name, values) for name, values in reads.items()),
        "",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_docs:
        print(f"written to {results_section_write('Storage: disk and S3', section)}")


if __name__ == "__main__":
    main()

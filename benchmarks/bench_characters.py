"""Benchmark character builds: the editor's draft preview and the full build, p50/p95.

Pure (no database): each iteration changes the sliders (a new configuration, so nothing
is cached) and times `character_build`. Usage:

    make bench-characters BENCH_ARGS="--runs 40"

Measured in the same run:
- preview: the draft build the editor's `/characters/preview.glb` returns, against two
  naive approaches: rebuilding the full-detail character on every change, and running
  what saving runs (full detail and the thumbnail) on every change;
- full build: full detail with every armor piece, shield and sword and five clips
  (idle, walk, run, wave, grip) plus its 512 px thumbnail.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile, results_section_write  # noqa: E402

ARMORED = {
    "species": "humanoid",
    "colours": {
        "skin": "#c68642", "hair": "#2b1b10", "eyes": "#2a4d8f", "shirt": "#8c2f2f",
        "trousers": "#3a3f4a", "boots": "#5a3a22", "armor": "#b8bec6", "trim": "#c9a043",
        "fur": "#8a6a4a",
    },
    "armor": ["helmet", "breastplate", "pauldrons", "gauntlets", "greaves"],
    "held": ["shield", "weapon"],
    "gallery_armor": {},
    "clips": ["idle", "walk", "run", "wave", "grip"],
    "presets": [],
    "borrowed_clips": [],
}  # fmt: skip


def _configs(runs: int, seed: int):
    rng = random.Random(seed)
    for _ in range(runs):
        yield {
            **ARMORED,
            "body": {
                "height": round(rng.uniform(1.3, 2.2), 3),
                "build": round(rng.uniform(0, 1), 3),
                "head_size": round(rng.uniform(0.8, 1.4), 3),
                "limb_length": round(rng.uniform(0.85, 1.15), 3),
            },
        }


def _time(fn, configs) -> list[float]:
    out = []
    for config in configs:
        started = time.perf_counter()
        fn(config)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")
    import django

    django.setup()
    from assets.thumbnails import thumbnail_render
    from pipelines.stages.character.build import character_build

    def preview(config):
        return character_build(config, draft=True)

    def preview_naive(config):
        return character_build(config, draft=False)

    def full(config):
        return thumbnail_render(character_build(config).glb, size=512)

    character_build(
        ARMORED | {"body": {"height": 1.75, "build": 0.5, "head_size": 1.0, "limb_length": 1.0}}
    )  # fmt: skip  (warm-up)
    configs = list(_configs(args.runs, args.seed))
    results = {
        "preview (draft, in-process)": _time(preview, configs),
        "preview, naive: full detail": _time(preview_naive, configs),
        "full build + 512 px thumbnail (also the naive preview)": _time(full, configs),
    }
    full_times = results["full build + 512 px thumbnail (also the naive preview)"]
    sample = character_build(configs[0]).stats
    rows = [
        f"| {name} | {len(v)} | {statistics.median(v):,.0f} | {percentile(v, 0.95):,.0f} |"
        for name, v in results.items()
    ]
    command = f'make bench-characters BENCH_ARGS="--runs {args.runs}"'
    section = (
        "## Characters\n\n"
        f"`{command}` (pure, no database; every run a new configuration). Full build: every "
        f"armor piece, shield, sword and 5 clips: {sample['triangle_count']:,} triangles, "
        f"{sample['joint_count']} joints, {sample['file_size'] / 1024:,.0f} KB.\n\n"
        "| build | runs | p50 ms | p95 ms |\n|---|---:|---:|---:|\n" + "\n".join(rows) + "\n\n"
        "Goals: preview rebuild ≤ 300 ms p95 — "
        + ("met" if percentile(results["preview (draft, in-process)"], 0.95) <= 300 else "missed")
        + "; full build ≤ 3 s p95 — "
        + ("met" if percentile(full_times, 0.95) <= 3000 else "missed")
        + ". The full build row is the `build_character` stage plus the main thumbnail; a run "
        "adds its queueing and one role-aware recolour and thumbnail per material preset.\n"
    )
    print(section)
    if not args.no_write:
        print(f"written to {results_section_write('Characters', section)}")


if __name__ == "__main__":
    main()

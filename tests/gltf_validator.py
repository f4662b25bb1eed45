"""Run the Khronos glTF-Validator (npm `gltf-validator`) on GLB bytes from tests."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gltf_validate.cjs"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the glTF validator cannot run")
    if not (ROOT / "node_modules" / "gltf-validator").exists():
        pytest.fail("node_modules/gltf-validator is missing; run `npm ci`")
    return node


def validate_many(files: dict[str, bytes]) -> dict[str, dict]:
    """Return the validator's report for each GLB in `files`, running one validator process."""
    node = _node()
    names = list(files)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, name in enumerate(names):
            path = Path(tmp) / f"{i}.glb"
            path.write_bytes(files[name])
            paths.append(str(path))
        proc = subprocess.run(
            [node, str(SCRIPT), *paths, *([paths[0]] if len(paths) == 1 else [])],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode not in (0, 1) or len(lines) < len(names):
        pytest.fail(f"glTF validator failed to run (exit {proc.returncode}): {proc.stderr}")
    return {name: json.loads(line) for name, line in zip(names, lines, strict=False)}


def validate_glb(data: bytes) -> dict:
    """Return the validator's report for `data`; fail the test if the validator cannot run."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "asset.glb"
        path.write_bytes(data)
        return validate_file(path)


def validate_file(path: Path) -> dict:
    """Return the validator's report for a .glb, or a .gltf with its files beside it."""
    node = _node()
    proc = subprocess.run(
        [node, str(SCRIPT), str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    if proc.returncode not in (0, 1) or not proc.stdout:
        pytest.fail(f"glTF validator failed to run (exit {proc.returncode}): {proc.stderr}")
    return json.loads(proc.stdout)

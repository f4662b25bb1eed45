"""Run the Khronos glTF-Validator (npm `gltf-validator`) on GLB bytes from tests."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gltf_validate.cjs"


def validate_glb(data: bytes) -> dict:
    """Return the validator's report for `data`; fail the test if the validator cannot run."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "asset.glb"
        path.write_bytes(data)
        return validate_file(path)


def validate_file(path: Path) -> dict:
    """Return the validator's report for a .glb, or a .gltf with its files beside it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the glTF validator cannot run")
    if not (ROOT / "node_modules" / "gltf-validator").exists():
        pytest.fail("node_modules/gltf-validator is missing; run `npm ci`")
    proc = subprocess.run(
        [node, str(SCRIPT), str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    if proc.returncode not in (0, 1) or not proc.stdout:
        pytest.fail(f"glTF validator failed to run (exit {proc.returncode}): {proc.stderr}")
    return json.loads(proc.stdout)

"""Run zeux's gltfpack (npm `gltfpack`, WebAssembly, offline) on a GLB.

gltfpack is the one simplifier here that keeps skins, animations and
`KHR_materials_variants` (verified in the exports reference). It runs under Node.js from the
project's `node_modules`, installed by `npm ci`.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import structlog

from pipelines.stages.export.errors import ExportToolError, ExportToolMissingError

log = structlog.get_logger("pipelines.stages.export.gltfpack")

ROOT = Path(__file__).resolve().parents[3]
CLI = ROOT / "node_modules" / "gltfpack" / "cli.js"
TIMEOUT_SECONDS = 120


def gltfpack_simplify(glb: bytes, ratio: float, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Return `glb` with every mesh simplified to about `ratio` of its triangles.

    Materials, named nodes and extras are kept and nothing is quantized or compressed, so
    the result needs no glTF extension the input did not use.
    """
    node = shutil.which("node")
    if node is None or not CLI.exists():
        raise ExportToolMissingError(
            "gltfpack is not installed: install Node.js and run `npm ci` (or `make node`)."
        )
    ratio = min(max(float(ratio), 0.0), 1.0)
    with tempfile.TemporaryDirectory(prefix="forge-gltfpack-") as tmp:
        source, target = Path(tmp) / "in.glb", Path(tmp) / "out.glb"
        source.write_bytes(glb)
        command = [node, str(CLI), "-i", str(source), "-o", str(target)]
        command += ["-si", f"{ratio:.6f}", "-sa", "-noq", "-km", "-kn", "-ke"]
        try:
            proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ExportToolError(f"gltfpack took longer than {timeout:.0f} s.") from exc
        if proc.returncode != 0 or not target.exists():
            log.warning(
                "export_gltfpack_failed", returncode=proc.returncode, stderr=proc.stderr[-2000:]
            )
            raise ExportToolError("gltfpack could not simplify this model.")
        return target.read_bytes()

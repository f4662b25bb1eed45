"""FBX for Unity and Unreal, through Blender as a Python module (optional extra).

No pip-installable open FBX writer exists and Debian's assimp 5.2 writes unreadable binary
FBX, so the route is Blender (`bpy` 5.0.1). bpy pins numpy 1.x, so it lives in its own venv
(`make blender`, about 1 GB) and this converter runs `blender_fbx.py` there as a
subprocess with a timeout. FBX keeps the meshes, UVs, embedded textures, the armature and
every animation clip; its material model is the legacy Phong one, so PBR maps beyond the
base colour are approximate.
"""

import json
import subprocess
import tempfile
from pathlib import Path

import structlog
from django.conf import settings

from pipelines.stages.export.errors import ExportToolError, ExportToolMissingError
from pipelines.stages.export.gltfdoc import gltf_load

log = structlog.get_logger("pipelines.stages.export.fbx")

SCRIPT = Path(__file__).resolve().parent / "blender_fbx.py"
NOT_INSTALLED = (
    "FBX export needs Blender as a Python module, an optional extra: run `make blender` "
    "(about 380 MB to download, 1 GB installed), or set FORGE_BLENDER_PYTHON to a Python "
    "that has `bpy` 5.0.1."
)


def blender_python() -> Path:
    """Return the configured interpreter that has `bpy` (it may not exist)."""
    return Path(settings.FORGE_BLENDER_PYTHON)


def fbx_available() -> bool:
    """Say whether FBX export can run here (the Blender venv is installed)."""
    return blender_python().is_file()


def glb_to_fbx(glb: bytes, *, timeout: float | None = None) -> bytes:
    """Return the model as binary FBX (meshes, UVs, embedded textures, armature, all clips).

    Raise ExportToolMissingError when Blender is not installed and ExportToolError when it
    fails or runs past `timeout` seconds (FORGE_BLENDER_TIMEOUT_SECONDS by default).
    """
    gltf_load(glb)  # refuse what is not a GLB before starting Blender
    python = blender_python()
    if not python.is_file():
        raise ExportToolMissingError(NOT_INSTALLED)
    timeout = settings.FORGE_BLENDER_TIMEOUT_SECONDS if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="forge-fbx-") as tmp:
        source, target = Path(tmp) / "model.glb", Path(tmp) / "model.fbx"
        source.write_bytes(glb)
        try:
            proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [str(python), str(SCRIPT), str(source), str(target)],
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=tmp,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ExportToolError(
                f"Blender took longer than {timeout:.0f} s to write the FBX."
            ) from exc
        if proc.returncode != 0 or not target.is_file():
            log.warning("export_fbx_failed", returncode=proc.returncode, stderr=proc.stderr[-2000:])
            if "No module named 'bpy'" in proc.stderr:
                raise ExportToolMissingError(NOT_INSTALLED)
            raise ExportToolError("Blender could not convert this model to FBX.")
        summary = _summary(proc.stdout)
        log.info("export_fbx_written", size=target.stat().st_size, **summary)
        return target.read_bytes()


def _summary(stdout: str) -> dict:
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                break
    return {}

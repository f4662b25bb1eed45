"""The built character file: glTF validator clean, Blender imports every bone, mesh and clip."""

import json
import subprocess
from pathlib import Path

import pytest

from pipelines.stages.character.build import character_build
from tests.gltf_validator import validate_many

ROOT = Path(__file__).resolve().parents[3]
BLENDER_PYTHON = ROOT / ".venv-blender" / "bin" / "python"
READER = Path(__file__).with_name("blender_read_glb.py")


def test_characters_pass_the_gltf_validator_without_errors_or_warnings(full_config):
    bare = {**full_config, "armor": [], "held": [], "clips": ["idle"]}
    quadruped = {**full_config, "species": "quadruped", "clips": ["idle", "walk", "run"]}
    files = {
        "knight": character_build(full_config).glb,
        "knight-draft": character_build(full_config, draft=True).glb,
        "bare": character_build(bare).glb,
        "quadruped": character_build(quadruped).glb,
    }
    reports = validate_many(files)
    for name, report in reports.items():
        issues = report["issues"]
        assert (issues["numErrors"], issues["numWarnings"]) == (0, 0), (name, issues["messages"])
        assert report["info"]["hasSkins"] is True
    assert reports["knight"]["info"]["animationCount"] == 6
    assert reports["quadruped"]["info"]["animationCount"] == 3


def test_blender_imports_every_bone_and_clip(full_config, tmp_path):
    if not BLENDER_PYTHON.exists():
        pytest.skip("Blender (bpy) is not installed: `make blender` adds it.")
    path = tmp_path / "knight.glb"
    path.write_bytes(character_build(full_config).glb)
    proc = subprocess.run(
        [str(BLENDER_PYTHON), str(READER), str(path)], capture_output=True, text=True,
        timeout=300, check=True,
    )  # fmt: skip
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    (armature,) = found["armatures"]
    assert len(armature["bones"]) == 52
    assert {"leftIndexDistal", "rightThumbMetacarpal", "hips", "head"} <= set(armature["bones"])
    for clip in ("idle", "walk", "run", "wave", "grip", "attack"):
        assert any(action.startswith(clip) for action in found["actions"]), found["actions"]
    assert {"body", "armor"} <= set(found["skinned"])
    assert "head/helmet" in found["bone_children"]
    assert "rightHand/weapon" in found["bone_children"]

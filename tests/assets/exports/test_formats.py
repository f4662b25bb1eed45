"""Every format × one quality, from a generated asset, through the API and the export run."""

import io
import zipfile

import pytest
import trimesh
from pygltflib import GLTF2

from assets.exports.models import ExportJob
from pipelines.stages.export import fbx_available
from tests.assets.exports.conftest import run_export
from tests.gltf_validator import validate_file, validate_glb
from tests.pipelines.export.test_fbx import read_back
from tests.pipelines.export.test_usdz import validation_errors

pytestmark = pytest.mark.django_db(transaction=True)


def export_and_download(client, asset, **body):
    response = client.post("/api/v1/exports/", {"assets": [str(asset.pk)], **body}, format="json")
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert response["Location"] == f"/api/v1/exports/{data['id']}/"
    assert data["websocket_url"] == f"/ws/pipelines/{data['id']}/"
    job = run_export(ExportJob.objects.get(pk=data["id"]))
    detail = client.get(f"/api/v1/exports/{job.pk}/").json()["data"]
    assert detail["status"] == "succeeded", detail["error"]
    download = client.get(detail["download_url"])
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    file = detail["files"][0]
    assert download["Content-Type"] == file["content_type"]
    assert f'filename="{file["name"]}"' in download["Content-Disposition"]
    assert len(content) == file["size"] == detail["size_after"]
    return detail, content


def scene_triangles(path) -> int:
    loaded = trimesh.load(str(path), force="scene", process=False)
    return sum(len(g.faces) for g in loaded.geometry.values())


@pytest.mark.parametrize("fmt", ["glb", "gltf", "obj", "stl", "ply", "usdz", "fbx"])
def test_every_format_of_a_generated_asset_reads_back(
    fmt, user, user_client, generated_asset, tmp_path
):
    if fmt == "fbx" and not fbx_available():
        pytest.skip("Blender is not installed: run `make blender` for the FBX export test.")
    detail, content = export_and_download(
        user_client, generated_asset, format=fmt, quality="low", texture_size="512"
    )
    triangles = detail["triangles_after"]
    assert 0 < triangles < generated_asset.triangle_count
    assert detail["triangles_before"] == generated_asset.triangle_count
    path = tmp_path / detail["files"][0]["name"]
    path.write_bytes(content)
    if fmt == "glb":
        assert validate_glb(content)["issues"]["numErrors"] == 0
    elif fmt == "gltf":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            archive.extractall(tmp_path / "gltf")
        gltf = next((tmp_path / "gltf").glob("*.gltf"))
        assert validate_file(gltf)["issues"]["numErrors"] == 0
    elif fmt == "obj":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            archive.extractall(tmp_path / "obj")
        obj = next((tmp_path / "obj").glob("*.obj"))
        assert scene_triangles(obj) == triangles
    elif fmt in ("stl", "ply"):
        assert scene_triangles(path) == triangles
    elif fmt == "usdz":
        assert validation_errors(path) == []
    elif fmt == "fbx":
        info = read_back(content, tmp_path)
        assert sum(mesh["triangles"] for mesh in info["meshes"]) == triangles


def test_a_glb_with_variants_carries_each_chosen_look(user_client, generated_asset):
    detail, content = export_and_download(
        user_client, generated_asset, format="glb", variants=["gold", "oak"]
    )
    assert validate_glb(content)["issues"]["numErrors"] == 0
    document = GLTF2.load_from_bytes(content)
    names = [v["name"] for v in document.extensions["KHR_materials_variants"]["variants"]]
    assert names == ["Original", "Gold", "Oak"]
    assert detail["variants"] == ["gold", "oak"]

"""Small files that ask for huge work are refused with a 400 before the work is done."""

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets.glb import GlbInvalidError, glb_inspect
from assets.models import Asset
from tests.assets.glb_samples import (
    many_nodes_glb,
    png_header_only,
    shared_accessor_glb,
    textured_triangle_glb,
)

LIST = "/api/v1/assets/"


def _upload(client, data: bytes):
    upload = SimpleUploadedFile("bomb.glb", data, content_type="model/gltf-binary")
    return client.post(LIST, {"name": "Bomb", "file": upload}, format="multipart")


def _reason(data: bytes) -> str:
    with pytest.raises(GlbInvalidError) as caught:
        glb_inspect(data)
    return caught.value.details["reason"]


@pytest.mark.django_db
def test_one_accessor_drawn_many_times_is_refused_in_the_envelope(user_client, settings):
    settings.FORGE_GLB_MAX_VERTICES = 100_000
    data = shared_accessor_glb(vertices=30_000, primitives=20)  # 360 KB, 600k drawn vertices
    response = _upload(user_client, data)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"]["reason"] == "too_complex"
    assert "600000 vertices" in error["message"] and "100000" in error["message"]
    assert not Asset.objects.exists()


def test_refusing_a_reference_bomb_allocates_nothing_per_reference(settings):
    settings.FORGE_GLB_MAX_VERTICES = 100_000
    data = shared_accessor_glb(vertices=30_000, primitives=200)
    tracemalloc.start()
    with pytest.raises(GlbInvalidError):
        glb_inspect(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 3 * len(data)  # the file's own copy, not 200 copies of its vertices


def test_the_same_file_under_the_limit_is_measured(settings):
    settings.FORGE_GLB_MAX_VERTICES = 600_000
    info = glb_inspect(shared_accessor_glb(vertices=30_000, primitives=20))
    assert info.vertex_count == 600_000 and info.triangle_count == 200_000


def test_too_many_nodes_and_too_deep_a_chain_are_refused(settings):
    settings.FORGE_GLB_MAX_NODES = 1000
    settings.FORGE_GLB_MAX_NODE_DEPTH = 64
    assert _reason(many_nodes_glb(nodes=1001)) == "too_complex"
    assert glb_inspect(many_nodes_glb(nodes=1000)).triangle_count == 1000
    assert _reason(many_nodes_glb(nodes=65, chain=True)) == "too_complex"
    assert glb_inspect(many_nodes_glb(nodes=64, chain=True)).triangle_count == 64


def test_default_limits_refuse_the_reported_node_bombs():
    assert _reason(many_nodes_glb(nodes=20_000)) == "too_complex"
    assert _reason(many_nodes_glb(nodes=20_000, chain=True)) == "too_complex"


def test_a_huge_texture_is_refused_from_its_header_alone(settings):
    settings.FORGE_GLB_MAX_TEXTURE_SIZE = 4096
    with pytest.raises(GlbInvalidError) as caught:
        glb_inspect(textured_triangle_glb(png_header_only(30_000, 30_000)))
    assert caught.value.details["reason"] == "texture_too_large"
    assert "30000x30000" in caught.value.message and "4096" in caught.value.message
    assert _reason(textured_triangle_glb(png_header_only(4097, 16))) == "texture_too_large"


def test_a_texture_within_the_limit_is_accepted():
    out = io.BytesIO()
    Image.new("RGB", (64, 32), (10, 200, 30)).save(out, format="PNG")
    assert glb_inspect(textured_triangle_glb(out.getvalue())).triangle_count == 1


def test_an_oversized_json_chunk_is_refused_before_parsing(settings):
    settings.FORGE_GLB_MAX_JSON_BYTES = 1024
    data = many_nodes_glb(nodes=100)
    assert _reason(data) == "json_too_large"


def test_a_jpeg_texture_is_measured_from_its_header(settings):
    settings.FORGE_GLB_MAX_TEXTURE_SIZE = 64
    out = io.BytesIO()
    Image.new("RGB", (65, 8), (10, 200, 30)).save(out, format="JPEG")
    assert _reason(textured_triangle_glb(out.getvalue())) == "texture_too_large"

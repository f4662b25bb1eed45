"""Where Forge's files live: the local disk by default, S3-compatible object storage by setting.

Every model, variant, thumbnail, checkpoint and export goes through Django's storage API
(`default_storage`, `FieldFile.open`), never through paths, so both backends behave the same
(`docs/scaling.md`, "Files"):

- `MediaFileSystemStorage` (`FORGE_STORAGE=local`, the default): files under `MEDIA_ROOT`;
  deleting a file also removes the folders it leaves empty.
- `MediaS3Storage` (`FORGE_STORAGE=s3`): django-storages' S3 backend. Buckets stay private;
  `url()` is Forge's own `/media/<name>`, which checks access like the asset's page and then
  redirects to a short-lived presigned URL (`file_response`). Presigning uses one botocore
  client per process: django-storages builds a boto3 resource per thread, which under ASGI
  means per request (about 150 ms of CPU each; django-storages#1472).

Both answer `file_response(name, ...)` for the views that hand a stored file to a reader after
their own access check: the filesystem streams it, S3 redirects to a presigned URL.
"""

import os
import re
import threading
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Names whose URL is the name itself: every character one `quote()` leaves alone, and no
# segment starting with "." (which `urljoin` would resolve) or empty (`//`).
_PLAIN_NAME = re.compile(r"(?:[A-Za-z0-9_~-][A-Za-z0-9_.~-]*/)*[A-Za-z0-9_~-][A-Za-z0-9_.~-]*")


class MediaFileSystemStorage(FileSystemStorage):
    """Django's file storage; a delete also removes the folders it leaves empty.

    Top-level folders (`assets/`, `pipelines/`, `exports/`) stay, so a concurrent save never
    finds its parent gone; object storage has no folders to leave behind.
    """

    def url(self, name: str) -> str:
        """Django's URL of `name`, without `quote` and `urljoin` for the plain names Forge makes.

        A gallery page shows two files per row; Django's `url()` cost about 10 µs each.
        """
        if name and _PLAIN_NAME.fullmatch(name):
            return self.base_url + name
        return super().url(name)

    def delete(self, name: str) -> None:
        super().delete(name)
        root = os.path.normpath(self.location)
        folder = os.path.dirname(os.path.normpath(self.path(name)))
        while os.path.relpath(folder, root).count(os.sep) >= 1:  # below a top-level folder
            try:
                os.rmdir(folder)
            except OSError:
                break  # not empty (a file arrived meanwhile) or already gone
            folder = os.path.dirname(folder)


class MediaS3Storage(S3Storage):
    """django-storages' S3 backend behind Forge's access checks (see the module docstring)."""

    _signer = None
    _signer_lock = threading.Lock()

    def url(self, name: str, parameters=None, expire=None, http_method=None) -> str:
        """Forge's own URL of `name`: readers reach the bucket only through the access check."""
        return f"{settings.MEDIA_URL}{clean_name(name)}"

    def _signing_client(self):
        cls = type(self)
        if cls._signer is None:
            with cls._signer_lock:
                if cls._signer is None:
                    cls._signer = self._create_session().client(
                        "s3",
                        region_name=self.region_name,
                        use_ssl=self.use_ssl,
                        endpoint_url=self.endpoint_url,
                        config=self.client_config,
                        verify=self.verify,
                    )
        return cls._signer

    def presigned_url(self, name: str, *, expire: int, filename: str = "", content_type: str = ""):
        """A GET URL of `name` valid for `expire` seconds (as an attachment if `filename`)."""
        params = {"Bucket": self.bucket_name, "Key": self._normalize_name(clean_name(name))}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        if content_type:
            params["ResponseContentType"] = content_type
        return self._signing_client().generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expire
        )


def file_response(
    name: str, *, content_type: str, filename: str = "", size: int | None = None
) -> HttpResponse:
    """Hand the stored file `name` to a reader the caller has already checked.

    The filesystem streams it; object storage redirects to a presigned URL that lives
    `FORGE_S3_URL_SECONDS`. Raises FileNotFoundError when a local file is missing.
    """
    storage = storages["default"]
    if isinstance(storage, MediaS3Storage):
        url = storage.presigned_url(
            name,
            expire=settings.FORGE_S3_URL_SECONDS,
            filename=filename,
            content_type=content_type,
        )
        return HttpResponseRedirect(url)
    handle = default_storage.open(name, "rb")
    response = FileResponse(handle, as_attachment=bool(filename), filename=filename or None)
    response["Content-Type"] = content_type
    if size is not None:
        response["Content-Length"] = str(size)
    return response


def storage_replace(name: str, content: File) -> str:
    """Store `content` under exactly `name`, replacing what is there; return `name`.

    For files whose name is theirs alone (a run's checkpoints): no search for a free name.
    S3 replaces an object in one PUT; the disk deletes the old file first.
    """
    storage = storages["default"]
    if isinstance(storage, MediaS3Storage):
        return storage._save(name, content)  # one PUT; `save()` would look for a free name
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, content)


def _s3_tree_delete(storage: MediaS3Storage, path: str) -> int:
    """One listing of every key under `path` and batched deletes (1,000 keys a request)."""
    client = storage.connection.meta.client
    prefix = storage._normalize_name(clean_name(path)).rstrip("/") + "/"
    deleted = 0
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=storage.bucket_name, Prefix=prefix
    ):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(
                Bucket=storage.bucket_name, Delete={"Objects": keys, "Quiet": True}
            )
            deleted += len(keys)
    return deleted


def storage_tree_delete(path: str) -> int:
    """Delete every file under `path` in the default storage; return how many were deleted."""
    storage = storages["default"]
    if isinstance(storage, MediaS3Storage):
        return _s3_tree_delete(storage, path)
    try:
        directories, files = default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    deleted = 0
    for name in files:
        default_storage.delete(f"{path}/{name}")
        deleted += 1
    for name in directories:
        deleted += storage_tree_delete(f"{path}/{name}")
    return deleted


def storage_tree_newest(path: str) -> datetime | None:
    """Return when the newest file under `path` was last modified, or None if there is none."""
    try:
        directories, files = default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    times = [default_storage.get_modified_time(f"{path}/{name}") for name in files]
    times += [t for name in directories if (t := storage_tree_newest(f"{path}/{name}"))]
    return max(times, default=None)

"""Serve stored files of assets and variants after the same access check as their asset.

Every name under `MEDIA_URL` goes through `media_serve`: the name must be a model or thumbnail
of an asset (or of one of its variants) that the reader may see, by the rule of
`asset_get_for_user`; anything else, whatever its length or bytes, is a plain 404. After the
check, `forge.storage.file_response` streams the file from the disk, or (FORGE_STORAGE=s3)
redirects to a presigned URL of the private bucket.
Public assets' files may be cached by anyone for `FORGE_MEDIA_PUBLIC_MAX_AGE` seconds; files
of unlisted and private assets are `Cache-Control: private`.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from assets.models import AssetVisibility
from assets.selectors import asset_file_get_for_user
from forge.auththrottle import wait_phrase
from forge.clientip import client_ip
from forge.exceptions import NotFoundError
from forge.storage import file_response
from forge.tokens import api_token_attempt

CONTENT_TYPES = {".glb": "model/gltf-binary", ".png": "image/png"}


class _LockedOut(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


def _reader(request: HttpRequest):
    """Return the session's user, else the user of a valid `Authorization: Bearer` token.

    A token is held to the same brute-force rule as on the API (`api_token_attempt`): a
    wrong one counts against the client's address, and a locked-out address is refused
    whatever it sent.
    """
    if request.user.is_authenticated:
        return request.user
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        attempt = api_token_attempt(raw=raw.strip(), address=client_ip(request))
        if attempt.locked_out_seconds:
            raise _LockedOut(attempt.locked_out_seconds)
        if attempt.token is not None:
            return attempt.token.user
    return AnonymousUser()


def _file_response(name: str) -> HttpResponse:
    suffix = name[name.rfind(".") :]
    try:
        return file_response(name, content_type=CONTENT_TYPES[suffix])
    except (FileNotFoundError, IsADirectoryError) as exc:  # the row outlived its file
        raise Http404("No such file.") from exc


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Stream the stored file `path` if the reader may see its asset, else answer 404."""
    # Lazy: a public or unlisted asset never looks at the session, so its files stay cacheable.
    user = SimpleLazyObject(lambda: _reader(request))
    try:
        asset = asset_file_get_for_user(name=path, user=user)
    except NotFoundError as exc:
        raise Http404("No such file.") from exc
    except _LockedOut as exc:
        response = HttpResponse(
            f"Too many wrong tokens from your address. Try again {wait_phrase(exc.wait)}.\n",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(exc.wait)
        return response
    response = _file_response(path)
    # A redirect to a presigned URL may be reused only while that URL is valid.
    max_age = (
        settings.FORGE_S3_URL_SECONDS // 2
        if response.status_code == 302
        else settings.FORGE_MEDIA_PUBLIC_MAX_AGE
    )
    if asset.visibility == AssetVisibility.PUBLIC:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, private=True)
        if response.status_code == 302:
            patch_cache_control(response, max_age=max_age)
        patch_vary_headers(response, ["Cookie", "Authorization"])
    return response

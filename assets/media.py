"""Serve stored files of assets and variants after the same access check as their asset.

Every name under `MEDIA_URL` goes through `media_serve`: the name must be a model or thumbnail
of an asset (or of one of its variants) that the reader may see, by the rule of
`asset_get_for_user`; anything else, whatever its length or bytes, is a plain 404. Files are
read through `default_storage` only, so another storage backend can answer the same check
with a presigned URL (a redirect) instead of streaming, in `_file_response` alone.
Public assets' files may be cached by anyone for `FORGE_MEDIA_PUBLIC_MAX_AGE` seconds; files
of unlisted and private assets are `Cache-Control: private`.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from assets.models import AssetVisibility
from assets.selectors import asset_file_get_for_user
from forge.exceptions import NotFoundError
from forge.tokens import api_token_authenticate

CONTENT_TYPES = {".glb": "model/gltf-binary", ".png": "image/png"}


def _reader(request: HttpRequest):
    """Return the session's user, else the user of a valid `Authorization: Bearer` token."""
    if request.user.is_authenticated:
        return request.user
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        token = api_token_authenticate(raw=raw.strip())
        if token is not None:
            return token.user
    return AnonymousUser()


def _file_response(name: str) -> HttpResponse:
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError) as exc:  # the row outlived its file
        raise Http404("No such file.") from exc
    suffix = name[name.rfind(".") :]
    return FileResponse(handle, content_type=CONTENT_TYPES[suffix])


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponse:
    """Stream the stored file `path` if the reader may see its asset, else answer 404."""
    # Lazy: a public or unlisted asset never looks at the session, so its files stay cacheable.
    user = SimpleLazyObject(lambda: _reader(request))
    try:
        asset = asset_file_get_for_user(name=path, user=user)
    except NotFoundError as exc:
        raise Http404("No such file.") from exc
    response = _file_response(path)
    if asset.visibility == AssetVisibility.PUBLIC:
        patch_cache_control(response, public=True, max_age=settings.FORGE_MEDIA_PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Cookie", "Authorization"])
    return response

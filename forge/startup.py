"""Start-up checks that must stop a misconfigured production process at once."""

import sys


def require_secret_key(*, debug: bool, secret_key: str, default: str) -> None:
    """Exit with one line saying what to set when production runs without a real key."""
    if debug:
        return
    if not secret_key or secret_key == default or len(secret_key) < 32:
        sys.stderr.write(
            "Forge refuses to start: DEBUG is off and SECRET_KEY is missing, the development "
            "default or shorter than 32 characters; set SECRET_KEY to a long random value.\n"
        )
        raise SystemExit(2)


def require_provider_keys(*, default: str, enabled: list[str], meshy_api_key: str) -> None:
    """Exit with one line when the Meshy provider is chosen or enabled without an API key."""
    if "meshy" in (default, *enabled) and not meshy_api_key.strip():
        sys.stderr.write(
            "Forge refuses to start: the meshy provider is the default (FORGE_PROVIDER) or "
            "enabled (FORGE_ENABLED_PROVIDERS) but MESHY_API_KEY is empty; set MESHY_API_KEY "
            "or remove meshy from those settings.\n"
        )
        raise SystemExit(2)


def require_storage(*, storage: str, bucket: str) -> None:
    """Exit with one line when FORGE_STORAGE is unknown, or s3 without a bucket."""
    if storage not in {"local", "s3"}:
        sys.stderr.write(
            f"Forge refuses to start: FORGE_STORAGE is {storage!r}; set it to local (files "
            "under MEDIA_ROOT) or s3 (with FORGE_S3_BUCKET and its endpoint and keys).\n"
        )
        raise SystemExit(2)
    if storage == "s3" and not bucket.strip():
        sys.stderr.write(
            "Forge refuses to start: FORGE_STORAGE is s3 but FORGE_S3_BUCKET is empty; set the "
            "bucket (and FORGE_S3_ENDPOINT_URL, FORGE_S3_ACCESS_KEY, FORGE_S3_SECRET_KEY).\n"
        )
        raise SystemExit(2)

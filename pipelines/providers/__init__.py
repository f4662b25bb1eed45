"""Generation providers: look one up by name from `settings.FORGE_PROVIDERS`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forge.exceptions import ValidationFailedError

if TYPE_CHECKING:
    from pipelines.providers.base import Provider

DEFAULT_PROVIDERS = {
    "local": "pipelines.providers.local.LocalProvider",
    "meshy": "pipelines.providers.meshy.MeshyProvider",
}


def provider_get(name: str) -> Provider:
    """Return a new instance of the provider registered under `name`."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    registry = getattr(settings, "FORGE_PROVIDERS", None) or DEFAULT_PROVIDERS
    path = registry.get(name)
    if path is None:
        raise ValidationFailedError(
            f"Unknown provider {name!r}.",
            details={"provider": name, "known": sorted(registry)},
        )
    from pipelines.observe import provider_observe

    return provider_observe(import_string(path)(), name)

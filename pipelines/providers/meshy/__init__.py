"""The Meshy provider (docs/providers.md, "Meshy"): `MeshyProvider`, its client and errors."""

from pipelines.providers.meshy.provider import MeshyProvider

__all__ = ["MeshyProvider"]

"""django-q2 entry points of the assets app: call a service."""

from assets import services


def assets_orphan_files_sweep() -> dict[str, int]:
    """Delete stored folders that no asset or variant row owns (left by a crash)."""
    return services.asset_orphan_files_sweep()

"""django-q2 entry points of the assets app: call a service."""

from assets import services


def assets_orphan_files_sweep() -> dict[str, int]:
    """Delete stored folders that no asset or variant row owns (left by a crash)."""
    return services.asset_orphan_files_sweep()


def exports_cleanup() -> dict[str, int]:
    """Delete expired export files and export records past their retention."""
    from assets.exports.cleanup import exports_cleanup as cleanup

    report = cleanup()
    return {"expired_files": len(report.expired_files), "old_records": len(report.old_records)}

"""Template context: what Forge's pages need to report their JavaScript errors."""

import structlog
from django.conf import settings
from django.http import HttpRequest

from errors.selectors import error_frontend_key
from errors.services import error_project_frontend_ensure

log = structlog.get_logger("errors")


def error_reporting(request: HttpRequest) -> dict:
    """Give base.html the browser SDK's settings (`forge_error_reporting`), or nothing if off.

    The project comes from a migration; a database without it gets it on first use.
    """
    if not settings.FORGE_INGEST_BROWSER_SDK:
        return {}
    try:
        key = error_frontend_key()
        if key is None:
            error_project_frontend_ensure()
            key = error_frontend_key()
        project_id, public_key = key
    except Exception:  # a page must render even when error reporting cannot be set up
        log.warning("error_reporting_unavailable", exc_info=True)
        return {}
    scheme, host = request.build_absolute_uri("/").rstrip("/").split("://", 1)
    return {
        "forge_error_reporting": {
            "dsn": f"{scheme}://{public_key}@{host}/{project_id}",
            "environment": "development" if settings.DEBUG else "production",
        }
    }

"""Error projects and their DSN keys: create, rotate, revoke; Forge's own front-end project."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from errors.models import ErrorProject, ErrorProjectKey, ErrorProjectPlatform


def _key_new(project: ErrorProject) -> ErrorProjectKey:
    key = ErrorProjectKey(
        project=project, public_key=secrets.token_hex(16), created_at=timezone.now()
    )
    key.full_clean()
    key.save()
    return key


@transaction.atomic
def error_project_create(
    *,
    name: str,
    platform: str,
    rate_limit_per_minute: int = 600,
    retention_days: int = 90,
    allowed_origins: str = "",
) -> ErrorProject:
    """Create a project with one active DSN key."""
    project = ErrorProject(
        name=name.strip(),
        platform=platform,
        rate_limit_per_minute=rate_limit_per_minute,
        retention_days=retention_days,
        allowed_origins=allowed_origins.strip(),
        created_at=timezone.now(),
    )
    project.full_clean()
    project.save()
    _key_new(project)
    return project


@transaction.atomic
def error_project_key_rotate(*, project: ErrorProject) -> ErrorProjectKey:
    """Add a new active key to `project`; the old ones keep working until revoked."""
    project = ErrorProject.objects.select_for_update().get(pk=project.pk)
    return _key_new(project)


def error_project_key_revoke(*, key: ErrorProjectKey) -> ErrorProjectKey:
    """Revoke `key`: the endpoints refuse it (403) once their key cache expires."""
    if key.is_active:
        key.is_active = False
        key.revoked_at = timezone.now()
        key.save(update_fields=["is_active", "revoked_at"])
    return key


def error_project_dsn(*, key: ErrorProjectKey, base_url: str) -> str:
    """Return the DSN an SDK is given: `<scheme>://<key>@<host>[/<path>]/<project id>`."""
    parts = urlsplit(base_url.rstrip("/"))
    return f"{parts.scheme}://{key.public_key}@{parts.netloc}{parts.path}/{key.project_id}"


def error_project_frontend_ensure() -> ErrorProject:
    """Return the project Forge's own pages report into, creating it (with a key) if missing."""
    name = settings.FORGE_INGEST_FRONTEND_PROJECT
    project = ErrorProject.objects.filter(name=name).first()
    if project is None:
        project = error_project_create(name=name, platform=ErrorProjectPlatform.JAVASCRIPT)
    elif not project.keys.filter(is_active=True).exists():
        _key_new(project)
    return project


def error_project_update(*, project: ErrorProject, **fields) -> ErrorProject:
    """Change a project's name, platform, limit, retention or allowed origins."""
    allowed = {"name", "platform", "rate_limit_per_minute", "retention_days", "allowed_origins"}
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(name)
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    project.full_clean()
    project.save(update_fields=sorted(fields))
    return project

"""The naive ingest path the benchmark compares against: group and write inside the request.

A plain Django view behind the whole middleware stack: look the key up, inflate, parse,
then `get_or_create` the group, `times_seen + 1`, `save()`, and create the occurrence with
ORM calls, all before answering. Served by its own daphne process:

    daphne benchmarks.ingest_naive:application
"""

import gzip
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forge.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from errors.ingest import protocol  # noqa: E402
from errors.ingest.event import event_prepare  # noqa: E402
from errors.models import ErrorGroup, ErrorOccurrence, ErrorProjectKey  # noqa: E402


@csrf_exempt
def naive_envelope(request, project_id: int):
    """Authenticate, parse, group and record one envelope with ORM calls, then answer."""
    key = protocol.key_from_auth_header(request.headers.get("X-Sentry-Auth", ""))
    if not ErrorProjectKey.objects.filter(
        project_id=project_id, public_key=key, is_active=True
    ).exists():
        return JsonResponse({"detail": "Invalid DSN key."}, status=403)
    body = request.body
    if request.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    parsed = protocol.envelope_parse(body, max_event_bytes=1024 * 1024)
    import json

    now = timezone.now()
    prepared = event_prepare(
        json.loads(parsed.event.payload),
        project_id=project_id,
        event_id=parsed.event.event_id.hex,
        received_at=now,
    )
    with transaction.atomic():
        group, created = ErrorGroup.objects.get_or_create(
            fingerprint=prepared.fingerprint,
            defaults={
                "title": prepared.title,
                "culprit": prepared.culprit,
                "error_type": prepared.error_type,
                "severity": prepared.severity,
                "category": prepared.category,
                "first_seen": now,
                "last_seen": now,
            },
        )
        if not created:
            ErrorGroup.objects.filter(pk=group.pk).update(
                times_seen=F("times_seen") + 1, last_seen=now
            )
        ErrorOccurrence.objects.create(
            group=group,
            occurred_at=now,
            severity=prepared.severity,
            category=prepared.category,
            error_type=prepared.error_type,
            message=prepared.message,
            stack_trace=prepared.stack_trace,
            context=prepared.context,
            fingerprint=prepared.fingerprint,
            project_id=project_id,
            environment=prepared.environment,
            release=prepared.release,
        )
    return JsonResponse({"id": parsed.event.event_id.hex})


urlpatterns = [path("api/<int:project_id>/envelope/", naive_envelope)]
settings.ROOT_URLCONF = __name__

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()

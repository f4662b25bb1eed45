"""Staff create reporting projects, read reported events, merge and unmerge groups in the admin."""

import json
import uuid

import pytest
from django.utils import timezone

from errors import services
from errors.models import ErrorFingerprintAlias, ErrorGroup, ErrorIngestEvent, ErrorProject
from tests.errors.factories import PROJECT_FORM
from tests.errors.ingest_helpers import event

pytestmark = pytest.mark.django_db
LIST = "/admin/errors/errorgroup/"


@pytest.fixture
def admin_client(staff_session):
    return staff_session


def _report(project, evt):
    ErrorIngestEvent.objects.create(
        project=project,
        event_id=uuid.UUID(evt["event_id"]),
        received_at=timezone.now(),
        payload=json.dumps(evt).encode(),
    )
    services.ingest_batch_process()


def _rich_event(message="tick overran", **fields):
    evt = event(message, environment="prod", release="server@3.1", tags={"map": "harbor"}, **fields)
    frame = evt["exception"]["values"][0]["stacktrace"]["frames"][0]
    frame.update(pre_context=["def tick(msg):"], post_context=["    return"])
    evt["exception"]["values"][0]["stacktrace"]["frames"].insert(
        0, {"module": "asyncio.events", "function": "_run", "lineno": 80, "in_app": False}
    )
    evt["breadcrumbs"] = {"values": [{"category": "net", "message": "player 7 joined"}]}
    return evt


def test_staff_create_a_project_and_get_its_dsn(admin_client):
    response = admin_client.post(
        "/admin/errors/errorproject/add/",
        PROJECT_FORM,
    )
    assert response.status_code == 302
    project = ErrorProject.objects.get(name="game-server")
    key = project.keys.get(is_active=True)
    page = admin_client.get(f"/admin/errors/errorproject/{project.pk}/change/").content.decode()
    assert f"http://{key.public_key}@testserver/{project.pk}" in page


def test_a_reported_event_shows_frames_breadcrumbs_tags_and_filters(admin_client):
    project = services.error_project_create(name="game-server", platform="python")
    _report(project, _rich_event())
    group = ErrorGroup.objects.get()
    page = admin_client.get(f"{LIST}{group.pk}/change/").content.decode()
    assert "errors-frame errors-frame-app" in page  # the app's own frame highlighted
    assert "errors-line errors-line-current" in page and "raise ValueError(msg)" in page
    assert "asyncio.events" in page
    assert "player 7 joined" in page
    assert "harbor" in page  # tag facet
    for query in ({"project": project.pk}, {"environment": "prod"}, {"release": "server@3.1"}):
        assert "tick overran" in admin_client.get(LIST, query).content.decode()
    assert "tick overran" not in admin_client.get(LIST, {"environment": "qa"}).content.decode()


def test_merge_then_unmerge_from_the_admin(admin_client):
    project = services.error_project_create(name="game-server", platform="python")
    _report(project, _rich_event("first"))
    _report(project, _rich_event("second"))
    _report(project, _rich_event("second"))
    first, second = (
        ErrorGroup.objects.get(title="ValueError: first"),
        ErrorGroup.objects.get(title="ValueError: second"),
    )
    response = admin_client.post(
        LIST, {"action": "merge_groups", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    kept = ErrorGroup.objects.get()
    assert kept.pk == second.pk and kept.times_seen == 3
    alias = ErrorFingerprintAlias.objects.get()
    page = admin_client.get(f"{LIST}{kept.pk}/change/").content.decode()
    assert "Unmerge" in page and "Merged group #" in page

    url = f"{LIST}{kept.pk}/unmerge/?fingerprint={alias.fingerprint}"
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"fingerprint": alias.fingerprint, "note": "different bugs"})
    assert ErrorGroup.objects.count() == 2
    assert ErrorGroup.objects.get(title="ValueError: first").times_seen == 1
    assert ErrorGroup.objects.get(pk=kept.pk).times_seen == 2


def test_ignore_per_environment_from_the_admin(admin_client):
    project = services.error_project_create(name="game-server", platform="python")
    _report(project, _rich_event())
    group = ErrorGroup.objects.get()
    url = f"{LIST}{group.pk}/environments/"
    assert admin_client.post(url, {"environments": "staging\nqa\n"}).status_code == 302
    group.refresh_from_db()
    assert group.ignored_environments == ["qa", "staging"]
    assert group.activity.get().note == "Ignored in qa, staging."


def test_staff_find_the_events_that_could_not_be_recorded(admin_client):
    project = services.error_project_create(name="launcher", platform="python")
    broken = ErrorIngestEvent.objects.create(
        project=project,
        event_id=uuid.uuid4(),
        received_at=timezone.now(),
        payload=b'{"message": <script>x</script>',
    )
    _report(project, event("recorded fine"))
    page = admin_client.get("/admin/errors/erroringestevent/?outcome=failed").content.decode()
    assert broken.event_id.hex[:8] in page.replace("-", "")
    assert "JSONDecodeError" in page
    detail = admin_client.get(f"/admin/errors/erroringestevent/{broken.pk}/change/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x</script>" not in body
    recorded = admin_client.get("/admin/errors/erroringestevent/?outcome=recorded").content.decode()
    assert "JSONDecodeError" not in recorded

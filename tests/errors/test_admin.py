import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from errors.models import ErrorGroup, ErrorGroupActivity
from tests.errors.factories import record

pytestmark = pytest.mark.django_db

LIST = "/admin/errors/errorgroup/"


@pytest.fixture
def admin_client(staff_session):
    return staff_session


@pytest.fixture
def groups():
    a = record(
        "token=abc123secret broke the build", fingerprint="a", route="/api/v1/assets/{id}/"
    ).group
    b = record(
        "meshy timed out", fingerprint="b", external_service="meshy", category="timeout"
    ).group
    return a, b


def test_group_list_shows_filters_counts_and_sparklines(admin_client, groups):
    response = admin_client.get(LIST, {"external_service": "meshy"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "meshy timed out" in html and "broke the build" not in html
    assert '<svg class="errors-spark"' in html and "1 in the last 24 hours" in html
    assert admin_client.get(LIST, {"q": "broke"}).status_code == 200


def test_bulk_resolve_asks_for_a_note_then_logs_it(admin_client, staff_user, groups):
    ids = [str(g.pk) for g in groups]
    page = admin_client.post(LIST, {"action": "resolve_groups", "_selected_action": ids})
    assert page.status_code == 200 and b"Resolve these 2 groups" in page.content
    assert not ErrorGroup.objects.filter(status="resolved").exists()

    done = admin_client.post(
        LIST,
        {"action": "resolve_groups", "_selected_action": ids, "apply": "1", "note": "deployed fix"},
    )
    assert done.status_code == 302
    assert ErrorGroup.objects.filter(status="resolved", resolved_by=staff_user).count() == 2
    notes = set(ErrorGroupActivity.objects.values_list("note", "actor"))
    assert notes == {("deployed fix", staff_user.pk)}


def test_ignore_forever_without_a_reason_is_refused_and_changes_nothing(admin_client, groups):
    ids = [str(groups[1].pk)]
    response = admin_client.post(
        LIST,
        {
            "action": "ignore_groups",
            "_selected_action": ids,
            "apply": "1",
            "ignore_condition": "forever",
        },
    )
    assert response.status_code == 200
    assert b"Ignoring forever needs a reason." in response.content
    assert ErrorGroup.objects.get(pk=groups[1].pk).status == "unresolved"

    admin_client.post(
        LIST,
        {
            "action": "ignore_groups",
            "_selected_action": ids,
            "apply": "1",
            "ignore_condition": "until_rate",
            "ignore_threshold": "20",
            "note": "flaky vendor",
        },
    )
    group = ErrorGroup.objects.get(pk=groups[1].pk)
    assert (group.status, group.ignore_condition, group.ignore_threshold) == (
        "ignored",
        "until_rate",
        20,
    )


def test_group_page_shows_occurrences_stack_context_and_activity_without_secrets(
    admin_client, staff_user, groups
):
    group = groups[0]
    url = f"/admin/errors/errorgroup/{group.pk}/"
    admin_client.post(f"{url}transition/resolve/", {"apply": "1", "note": "fixed the token leak"})
    assert ErrorGroup.objects.get(pk=group.pk).status == "resolved"
    html = admin_client.get(f"{url}change/").content.decode()
    assert "Recent occurrences" in html and "Traceback (most recent call last)" in html
    assert "fixed the token leak" in html and "Activity log" in html
    assert "abc123secret" not in html and "token=[Filtered]" in html
    assert 'name="_save"' not in html


def test_overview_is_linked_from_the_index_and_charts_seven_days(admin_client, groups):
    index = admin_client.get("/admin/").content.decode()
    assert "/admin/errors/erroroverview/" in index
    html = admin_client.get("/admin/errors/erroroverview/").content.decode()
    assert '<svg class="errors-chart"' in html
    assert "Top groups, last 24 hours" in html and "meshy timed out" in html
    assert "New groups today" in html


def test_non_staff_cannot_open_the_dashboard(groups):
    user = get_user_model().objects.create_user("plain", password="x-very-long-pass")
    client = Client()
    client.force_login(user)
    assert client.get(LIST).status_code == 302


def test_group_page_lists_each_recent_occurrence_with_its_time_and_events(admin_client, groups):
    occurrence = record("token=abc123secret broke the build", fingerprint="a")
    html = admin_client.get(
        f"/admin/errors/errorgroup/{occurrence.group_id}/change/"
    ).content.decode()
    page = f"/admin/errors/erroroccurrence/{occurrence.pk}/change/"
    assert f'<a href="{page}">{occurrence.occurred_at:%Y-%m-%d %H:%M:%S}</a>' in html
    assert "When (UTC)" in html and "Events" in html

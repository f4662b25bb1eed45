"""Bad input to the errors admin is refused the way Django's admin refuses it, never a 500.

A filter value the database cannot take redirects the list to `?e=1`; a bad value in an
action or a page's form is a message or a form error, and nothing changes.
"""

import pytest
from django.contrib.messages import get_messages

from errors import services
from errors.models import ErrorFingerprintAlias, ErrorGroup, ErrorGroupActivity, ErrorProject
from tests.errors.factories import PROJECT_FORM, record

pytestmark = pytest.mark.django_db

GROUPS = "/admin/errors/errorgroup/"
OCCURRENCES = "/admin/errors/erroroccurrence/"
NUL = "\x00"
PG_INT_MAX = 2_147_483_647


@pytest.fixture
def admin_client(staff_session):
    return staff_session


@pytest.fixture
def groups():
    a = record("first bug", fingerprint="a").group
    b = record("second bug", fingerprint="b", external_service="meshy").group
    return a, b


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (GROUPS, {"project": "abc"}),
        (GROUPS, {"status": NUL}),
        (GROUPS, {"external_service": NUL}),
        (GROUPS, {"fingerprint": NUL}),
        (GROUPS, {"environment": NUL}),
        (GROUPS, {"release": NUL}),
        (GROUPS, {"q": NUL}),
        (GROUPS, {"title__regex": "("}),
        (GROUPS, {"title__iregex": "("}),
        (GROUPS, {"title__regex": "first"}),
        (GROUPS, {"ignored_environments": "abc"}),
        (GROUPS, {"title__unaccent": "first"}),
        (GROUPS, {"project": "1", "title__trigram_similar": "first"}),
        (OCCURRENCES, {"project": "abc"}),
        (OCCURRENCES, {"environment": NUL}),
        (OCCURRENCES, {"release": NUL}),
        (OCCURRENCES, {"external_service": NUL}),
        (OCCURRENCES, {"fingerprint": NUL}),
        (OCCURRENCES, {"message__regex": "("}),
        ("/admin/errors/errorgroupactivity/", {"note": NUL}),
        ("/admin/errors/errorproject/", {"name": NUL}),
        ("/admin/errors/errorprojectkey/", {"public_key": NUL}),
        ("/admin/errors/erroringestevent/", {"failure": NUL}),
    ],
)
def test_a_filter_the_database_cannot_take_redirects_to_the_error_flag(
    admin_client, groups, url, query
):
    response = admin_client.get(url, query)
    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"


def _ignore_until_rate(admin_client, group, threshold: str):
    body = {
        "action": "ignore_groups",
        "_selected_action": [str(group.pk)],
        "apply": "1",
        "ignore_condition": "until_rate",
        "ignore_threshold": threshold,
    }
    return admin_client.post(GROUPS, body)


@pytest.mark.parametrize("threshold", ["99999999999", str(PG_INT_MAX + 1)])
def test_an_ignore_threshold_beyond_the_column_is_a_form_error(admin_client, groups, threshold):
    response = _ignore_until_rate(admin_client, groups[0], threshold)
    assert response.status_code == 200
    assert b"less than or equal to 2147483647" in response.content
    assert ErrorGroup.objects.get(pk=groups[0].pk).status == "unresolved"
    assert not ErrorGroupActivity.objects.exists()


def test_the_largest_ignore_threshold_the_column_holds_is_accepted(admin_client, groups):
    response = _ignore_until_rate(admin_client, groups[0], str(PG_INT_MAX))
    assert response.status_code == 302
    assert ErrorGroup.objects.get(pk=groups[0].pk).ignore_threshold == PG_INT_MAX


@pytest.mark.parametrize("bad_id", ["abc", NUL, "1.5", "99999999999999999999"])
@pytest.mark.parametrize(
    "data",
    [
        {"action": "ignore_groups", "apply": "1", "ignore_condition": "until_rate",
         "ignore_threshold": "5"},
        {"action": "resolve_groups", "apply": "1", "note": "done"},
        {"action": "resolve_groups"},
        {"action": "merge_groups"},
    ],
)  # fmt: skip
def test_a_selected_id_that_is_not_a_group_id_changes_nothing(admin_client, groups, data, bad_id):
    response = admin_client.post(GROUPS, {**data, "_selected_action": [str(groups[0].pk), bad_id]})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["No items have been changed: a selected item is not a valid id."]
    assert list(ErrorGroup.objects.values_list("status", flat=True)) == ["unresolved"] * 2
    assert not ErrorGroupActivity.objects.exists()


def test_a_selected_id_that_is_not_a_key_id_rotates_nothing(admin_client):
    project = services.error_project_create(name="game-server", platform="python")
    response = admin_client.post(
        "/admin/errors/errorproject/",
        {"action": "rotate_keys", "_selected_action": [str(project.pk), "abc"]},
    )
    assert response.status_code == 302
    assert project.keys.count() == 1


@pytest.fixture
def merged(staff_user, groups):
    kept = services.error_groups_merge(groups=[g.pk for g in groups], actor=staff_user)
    return kept, ErrorFingerprintAlias.objects.get()


@pytest.mark.parametrize("fingerprint", [NUL, f"a{NUL}"])
def test_unmerging_a_fingerprint_holding_nul_is_a_form_error(admin_client, merged, fingerprint):
    kept, _ = merged
    response = admin_client.post(
        f"{GROUPS}{kept.pk}/unmerge/", {"fingerprint": fingerprint, "note": "x"}
    )
    assert response.status_code == 200
    assert b"Null characters are not allowed." in response.content
    assert ErrorGroup.objects.count() == 1
    assert ErrorFingerprintAlias.objects.count() == 1


def test_unmerging_a_merged_fingerprint_still_works(admin_client, merged):
    kept, alias = merged
    response = admin_client.post(
        f"{GROUPS}{kept.pk}/unmerge/", {"fingerprint": alias.fingerprint, "note": "x"}
    )
    assert response.status_code == 302
    assert ErrorGroup.objects.count() == 2


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("environments/", {"environments": f"qa{NUL}", "note": ""}),
        ("environments/", {"environments": "qa", "note": NUL}),
        ("transition/resolve/", {"apply": "1", "note": NUL}),
        ("transition/ignore/", {"apply": "1", "ignore_condition": NUL}),
        ("transition/ignore/", {"apply": "1", "ignore_condition": "forever", "note": NUL}),
        ("transition/ignore/", {"apply": "1", "ignore_condition": "until_date",
                                "ignore_until": NUL}),
        ("transition/ignore/", {"apply": "1", "ignore_condition": "until_rate",
                                "ignore_threshold": "99999999999"}),
    ],
)  # fmt: skip
def test_the_group_pages_refuse_what_the_database_cannot_hold(admin_client, groups, path, data):
    group = groups[0]
    response = admin_client.post(f"{GROUPS}{group.pk}/{path}", data)
    assert response.status_code == 200
    assert b"errorlist" in response.content
    group.refresh_from_db()
    assert (group.status, group.ignored_environments) == ("unresolved", [])
    assert not ErrorGroupActivity.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"name": f"game{NUL}"},
        {"allowed_origins": f"https://a.example{NUL}"},
        {"rate_limit_per_minute": str(PG_INT_MAX + 1)},
        {"retention_days": "99999999999"},
    ],
)
def test_a_project_the_database_cannot_hold_is_a_form_error(admin_client, bad):
    before = ErrorProject.objects.count()
    response = admin_client.post(
        "/admin/errors/errorproject/add/",
        {**PROJECT_FORM, **bad},
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert ErrorProject.objects.count() == before

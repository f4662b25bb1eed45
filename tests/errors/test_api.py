from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from errors.models import ErrorGroup
from tests.errors.factories import record

pytestmark = pytest.mark.django_db

GROUPS = "/api/v1/errors/groups/"


@pytest.fixture
def group():
    return record("db password=hunter2 rejected", fingerprint="g1", route="/api/v1/x/").group


def test_anonymous_gets_401_and_non_staff_403(user_client, group):
    for url in [
        GROUPS,
        f"{GROUPS}{group.pk}/",
        "/api/v1/errors/occurrences/",
        "/api/v1/errors/stats/",
    ]:
        assert APIClient().get(url).status_code == 401
        assert user_client.get(url).status_code == 403
    assert user_client.post(f"{GROUPS}{group.pk}/resolve/").status_code == 403
    assert ErrorGroup.objects.get().status == "unresolved"


def test_groups_are_filtered_and_cursor_paginated(staff_client, group):
    for i in range(4):
        record(f"other {i}", fingerprint=f"o{i}", severity="warning")
    body = staff_client.get(GROUPS, {"severity": "warning", "page_size": 3}).json()
    assert [g["severity"] for g in body["data"]] == ["warning"] * 3
    nxt = body["meta"]["pagination"]["next"]
    rest = staff_client.get(nxt).json()["data"]
    assert len(rest) == 1
    assert staff_client.get(GROUPS, {"search": "hunter"}).json()["data"] == []
    assert staff_client.get(GROUPS, {"search": "rejected"}).json()["data"][0]["id"] == group.pk
    assert staff_client.get(GROUPS, {"status": "bogus"}).status_code == 400


def test_group_detail_resolve_ignore_reopen(staff_client, staff_user, group):
    detail = staff_client.get(f"{GROUPS}{group.pk}/").json()["data"]
    assert detail["recent_occurrences"][0]["message"] == "db password=[Filtered] rejected"
    assert sum(detail["last_24h"]) == 1
    resolved = staff_client.post(f"{GROUPS}{group.pk}/resolve/", {"note": "rotated"}, format="json")
    assert resolved.json()["data"]["status"] == "resolved"
    assert resolved.json()["data"]["resolved_by"] == staff_user.username

    bad = staff_client.post(
        f"{GROUPS}{group.pk}/ignore/", {"ignore_condition": "forever"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["details"] == {
        "note": ["Ignoring forever needs a reason."]
    }
    assert ErrorGroup.objects.get().status == "resolved"
    until = (timezone.now() + timedelta(days=1)).isoformat()
    ignored = staff_client.post(
        f"{GROUPS}{group.pk}/ignore/",
        {"ignore_condition": "until_date", "ignore_until": until},
        format="json",
    )
    assert ignored.json()["data"]["status"] == "ignored"
    staff_client.post(f"{GROUPS}{group.pk}/reopen/", {"note": "not so sure"}, format="json")
    activity = staff_client.get(f"{GROUPS}{group.pk}/").json()["data"]["activity"]
    assert [a["action"] for a in activity] == ["reopen", "ignore", "resolve"]
    assert staff_client.get(f"{GROUPS}999999/").status_code == 404


def test_occurrences_aggregations_and_stats(staff_client, group):
    record("db password=hunter2 rejected", fingerprint="g1", route="/api/v1/x/")
    occ = staff_client.get("/api/v1/errors/occurrences/", {"group": group.pk}).json()
    assert len(occ["data"]) == 2 and "stack_trace" in occ["data"][0]
    one = staff_client.get(f"/api/v1/errors/occurrences/{occ['data'][0]['id']}/").json()["data"]
    assert one["route"] == "/api/v1/x/"
    now = timezone.now()
    aggs = staff_client.get(
        "/api/v1/errors/aggregations/",
        {
            "start": (now - timedelta(days=1)).isoformat(),
            "end": (now + timedelta(hours=1)).isoformat(),
            "bucket": "day",
        },
    ).json()["data"]
    assert sum(row["count"] for row in aggs) == 2 and aggs[0]["severity"] == "error"
    bad = staff_client.get(
        "/api/v1/errors/aggregations/", {"start": now.isoformat(), "end": now.isoformat()}
    )
    assert bad.status_code == 400
    stats = staff_client.get("/api/v1/errors/stats/").json()["data"]
    assert stats["groups"]["unresolved"] == 1 and stats["new_groups_today"] == 1
    assert stats["occurrences_24h"] == 2 and stats["top_groups_24h"][0]["count_24h"] == 2


def test_bad_cursor_or_page_size_on_error_lists_is_a_400(staff_client, group):
    for url in (f"{GROUPS}?cursor=bogus", "/api/v1/errors/occurrences/?page_size=1000"):
        response = staff_client.get(url)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "validation_failed"


def test_the_schema_marks_nullable_people_and_bounds_the_threshold(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    assert components["ErrorGroupOutput"]["properties"]["resolved_by"]["nullable"] is True
    assert components["ErrorOccurrenceOutput"]["properties"]["user"]["nullable"] is True
    threshold = components["ErrorGroupIgnoreInputRequest"]["properties"]["ignore_threshold"]
    assert (threshold["minimum"], threshold["maximum"]) == (1, 2**31 - 1)
    groups = {p["name"] for p in schema["paths"][GROUPS]["get"]["parameters"]}
    assert {"cursor", "page_size", "status"} <= groups

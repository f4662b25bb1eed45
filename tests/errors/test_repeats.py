"""A flood of one client error counts exactly without a row per event."""

import pytest
from django.db.models import F, Sum
from rest_framework.test import APIClient

from errors import selectors, services
from errors.models import ErrorGroup, ErrorGroupHourly, ErrorOccurrence

pytestmark = pytest.mark.django_db


def _flood(client, count):
    for n in range(count):
        client.get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer forge_flood{n:06d}guess")


def _events(**filters):
    return ErrorOccurrence.objects.filter(**filters).aggregate(n=Sum(F("repeats") + 1))["n"]


def test_a_flood_of_bad_tokens_is_one_group_with_exact_counts_and_few_rows(settings):
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 1000
    _flood(APIClient(), 30)

    group = ErrorGroup.objects.get()
    assert group.times_seen == 30 and group.category == "authentication"
    # One row per hour (two if the flood straddles an hour boundary), standing for all 30.
    assert ErrorOccurrence.objects.count() <= 2
    assert _events() == 30
    assert selectors.error_stats()["occurrences_24h"] == 30  # live, before any roll-up
    services.error_aggregations_update()
    assert sum(ErrorGroupHourly.objects.filter(group=group).values_list("count", flat=True)) == 30
    assert selectors.error_stats()["occurrences_24h"] == 30  # from the roll-up


def test_a_throttled_flood_is_two_groups_authentication_then_rate_limited(settings):
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 5
    _flood(APIClient(), 30)

    counts = dict(ErrorGroup.objects.values_list("category", "times_seen"))
    assert counts == {"authentication": 5, "rate_limit": 25}
    assert ErrorGroup.objects.get(category="rate_limit").title == (
        "Throttled: Too many wrong tokens from your address. Try again in 15 minutes."
    )
    assert ErrorOccurrence.objects.count() <= 4
    assert _events(category="rate_limit") == 25


def test_uncoalesced_codes_keep_a_row_each(settings):
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 1000
    settings.FORGE_ERRORS_COALESCE_CODES = []
    _flood(APIClient(), 4)
    assert ErrorOccurrence.objects.count() == 4
    assert ErrorGroup.objects.get().times_seen == 4


def test_a_resolved_group_regresses_instead_of_folding_silently(settings, staff_user):
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 1000
    client = APIClient()
    _flood(client, 3)
    group = ErrorGroup.objects.get()
    services.error_group_resolve(group=group, actor=staff_user, note="rotated the keys")
    _flood(client, 1)
    group.refresh_from_db()
    assert group.status == "unresolved" and group.regressed_at is not None
    assert group.times_seen == 4

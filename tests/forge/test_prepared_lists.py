"""Cursor-paginated lists on prepared queries page exactly as DRF pages the QuerySet."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request

from pipelines.api.views import PipelineCursorPagination
from pipelines.models import GenerationPipeline
from pipelines.selectors import pipeline_list, pipeline_list_prepared

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipelines(user, other_user):
    """Runs of two users and two statuses, several sharing a creation time (ties)."""
    now = timezone.now()
    for i in range(23):
        pipeline = GenerationPipeline.objects.create(
            user=user if i % 4 else other_user, status="failed" if i % 3 else "succeeded"
        )
        GenerationPipeline.objects.filter(pk=pipeline.pk).update(
            created_at=now - timedelta(seconds=i // 3)
        )


def _page(selection, url: str):
    paginator = PipelineCursorPagination()
    request = Request(RequestFactory().get(url))
    page = paginator.paginate_queryset(selection, request)
    return [p.pk for p in page], paginator.get_next_link(), paginator.get_previous_link()


def _path(link: str) -> str:
    parts = urlparse(link)
    return f"{parts.path}?{parts.query}"


@pytest.mark.parametrize("status", [None, "failed"])
@pytest.mark.parametrize("staff", [False, True])
def test_every_page_forward_and_back_equals_drf_over_the_queryset(pipelines, user, status, staff):
    user.is_staff = staff
    url, seen, back = "/api/v1/pipelines/?page_size=2", [], None
    while url:
        ours = _page(pipeline_list_prepared(user=user, status=status), url)
        theirs = _page(pipeline_list(user=user, status=status), url)
        assert ours == theirs
        seen += ours[0]
        back = ours[2] or back
        url = _path(ours[1]) if ours[1] else None
    expected = pipeline_list(user=user, status=status)
    assert seen == [p.pk for p in expected]
    # and back again through the previous links (reverse cursors)
    url = _path(back)
    while url:
        ours = _page(pipeline_list_prepared(user=user, status=status), url)
        assert ours == _page(pipeline_list(user=user, status=status), url)
        url = _path(ours[2]) if ours[2] else None


def test_a_forged_cursor_position_fails_as_it_does_on_the_queryset(pipelines, user):
    import base64

    cursor = base64.b64encode(b"p=not-a-date&o=0").decode()
    url = f"/api/v1/pipelines/?cursor={cursor}"
    for selection in (pipeline_list(user=user), pipeline_list_prepared(user=user)):
        with pytest.raises(DjangoValidationError):
            _page(selection, url)


def test_the_api_answers_a_forged_cursor_position_in_the_envelope(user_client, pipelines):
    import base64

    cursor = base64.b64encode(b"p=not-a-date&o=0").decode()
    response = user_client.get(f"/api/v1/pipelines/?cursor={cursor}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_failed"


def test_the_page_size_and_offset_come_from_the_cursor(pipelines, user):
    url = "/api/v1/pipelines/?page_size=3"
    ours = _page(pipeline_list_prepared(user=user), url)
    query = parse_qs(urlparse(ours[1]).query)
    assert query["page_size"] == ["3"] and len(ours[0]) == 3

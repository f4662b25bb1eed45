"""Query parameters validated by one shared serializer per class (forge/params.py)."""

import threading

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from assets.api.serializers import AssetListInputSerializer
from forge.shared_serializers import query_params_validate

CASES = [
    "page=2&kind=weapon&tag=%20Old%20%20Iron&sort=name",
    "page=0",
    "page_size=101&kind=spaceship&sort=sideways",
    "q=" + "x" * 201,
    "",
    "owner=me&visibility=private&status=failed",
]


def _is_valid(query: str):
    serializer = AssetListInputSerializer(data=QueryDict(query))
    if serializer.is_valid():
        return "ok", dict(serializer.validated_data)
    return "error", serializer.errors


def _shared(query: str):
    try:
        return "ok", dict(query_params_validate(AssetListInputSerializer, QueryDict(query)))
    except ValidationError as exc:
        return "error", exc.detail


@pytest.mark.parametrize("query", CASES)
def test_results_and_errors_equal_a_fresh_serializers(query, settings):
    assert _shared(query) == _is_valid(query)


def test_threads_sharing_the_serializer_get_their_own_results():
    expected = {query: _is_valid(query) for query in CASES}
    failures = []
    start = threading.Barrier(6)

    def run(offset):
        start.wait(timeout=30)
        for i in range(300):
            query = CASES[(i + offset) % len(CASES)]
            if _shared(query) != expected[query]:
                failures.append(query)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []


@pytest.mark.django_db
def test_shared_output_equals_a_fresh_serializers_data(user):
    from assets.exports.api.serializers import ExportPresetOutputSerializer
    from assets.exports.models import ExportPreset
    from forge.api.serializers import ApiTokenOutputSerializer
    from forge.shared_serializers import represent, represent_many
    from pipelines.api.serializers import PipelineOutputSerializer
    from pipelines.models import GenerationPipeline
    from tests.factories import ApiTokenFactory

    GenerationPipeline.objects.create(user=user, status="failed", error_message="Boom")
    ApiTokenFactory.create_batch(2, user=user)
    for serializer_class, rows in [
        (PipelineOutputSerializer, GenerationPipeline.objects.select_related("asset", "user")),
        (ExportPresetOutputSerializer, ExportPreset.objects.all()),
        (ApiTokenOutputSerializer, user.api_tokens.all()),
    ]:
        rows = list(rows)
        assert rows, serializer_class
        assert represent_many(serializer_class, rows) == serializer_class(rows, many=True).data
        assert represent(serializer_class, rows[0]) == serializer_class(rows[0]).data

"""The pipelines API: create, list, detail, cancel, retry, stats, idempotency and access."""

import pytest
from django.utils import timezone

from pipelines.models import GenerationPipeline
from pipelines.services import pipeline_create

pytestmark = pytest.mark.django_db

BODY = {"prompt": "a stone tower", "kind": "building", "quality": "draft"}


def make(user, **overrides):
    return pipeline_create(user=user, config={**BODY, **overrides})[0]


def test_create_answers_202_with_location_and_websocket_url(user_client, user, presets):
    response = user_client.post(
        "/api/v1/pipelines/",
        {**BODY, "presets": ["gold"], "seed": 5},
        format="json",
        HTTP_X_REQUEST_ID="client-req-1",
    )
    assert response.status_code == 202
    data = response.json()["data"]
    assert response["Location"] == f"/api/v1/pipelines/{data['id']}/"
    assert data["websocket_url"] == f"/ws/pipelines/{data['id']}/"
    assert data["status"] == "queued" and data["progress"] == 0 and data["seq"] == 1
    assert data["config"]["presets"] == ["gold"] and data["config"]["seed"] == 5
    assert [s["name"] for s in data["stages"]][0] == "prepare"
    assert data["request_id"] == "client-req-1"
    assert GenerationPipeline.objects.get(pk=data["id"]).user == user


def test_invalid_config_is_a_400_with_field_details_and_creates_nothing(user_client):
    response = user_client.post(
        "/api/v1/pipelines/", {"prompt": "hi", "quality": "ultra"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["details"]) == {"prompt", "quality"}
    assert not GenerationPipeline.objects.exists()


def test_a_non_object_body_is_a_400(user_client):
    response = user_client.post("/api/v1/pipelines/", ["a sword"], format="json")
    assert response.status_code == 400


def test_idempotency_key_replays_and_conflicts(user_client):
    first = user_client.post("/api/v1/pipelines/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    replay = user_client.post("/api/v1/pipelines/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    other = user_client.post(
        "/api/v1/pipelines/",
        {**BODY, "prompt": "a wooden chair"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert first.status_code == replay.status_code == 202
    assert replay.json()["data"]["id"] == first.json()["data"]["id"]
    assert replay["Idempotent-Replayed"] == "true"
    assert other.status_code == 409 and other.json()["error"]["code"] == "conflict"
    assert GenerationPipeline.objects.count() == 1


def test_anonymous_users_cannot_use_the_api(api_client):
    assert api_client.get("/api/v1/pipelines/").status_code == 401
    assert api_client.post("/api/v1/pipelines/", BODY, format="json").status_code == 401


def test_users_see_only_their_own_pipelines_and_staff_see_all(
    user_client, staff_client, user, other_user
):
    mine = make(user)
    theirs = make(other_user)
    listed = [p["id"] for p in user_client.get("/api/v1/pipelines/").json()["data"]]
    assert listed == [str(mine.id)]
    assert user_client.get(f"/api/v1/pipelines/{theirs.id}/").status_code == 404
    assert user_client.post(f"/api/v1/pipelines/{theirs.id}/cancel/").status_code == 404
    assert user_client.post(f"/api/v1/pipelines/{theirs.id}/retry/").status_code == 404
    staff_listed = {p["id"] for p in staff_client.get("/api/v1/pipelines/").json()["data"]}
    assert staff_listed == {str(mine.id), str(theirs.id)}
    assert staff_client.get(f"/api/v1/pipelines/{theirs.id}/").status_code == 200


def test_list_is_newest_first_with_cursor_pagination_and_a_status_filter(user_client, user):
    pipelines = [make(user, prompt=f"a wooden crate number {i}") for i in range(5)]
    pipelines[0].status = "failed"
    pipelines[0].finished_at = timezone.now()
    pipelines[0].save()

    page = user_client.get("/api/v1/pipelines/?page_size=2").json()
    assert [p["id"] for p in page["data"]] == [str(p.id) for p in pipelines[::-1][:2]]
    next_url = page["meta"]["pagination"]["next"]
    second = user_client.get(next_url).json()
    assert [p["id"] for p in second["data"]] == [str(p.id) for p in pipelines[::-1][2:4]]

    failed = user_client.get("/api/v1/pipelines/?status=failed").json()["data"]
    assert [p["id"] for p in failed] == [str(pipelines[0].id)]
    bad = user_client.get("/api/v1/pipelines/?status=done")
    assert bad.status_code == 400


def test_cancel_a_queued_pipeline(user_client, user):
    pipeline = make(user)
    response = user_client.post(f"/api/v1/pipelines/{pipeline.id}/cancel/")
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["status"] == "canceled"
    assert {s["status"] for s in data["stages"]} == {"canceled"}
    again = user_client.post(f"/api/v1/pipelines/{pipeline.id}/cancel/")
    assert again.status_code == 202


def test_retry_of_a_pipeline_that_did_not_fail_is_a_409(user_client, user):
    pipeline = make(user)
    response = user_client.post(f"/api/v1/pipelines/{pipeline.id}/retry/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_retry_of_a_failed_pipeline_queues_it_again(user_client, user):
    pipeline = make(user)
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(
        status="failed",
        attempt=1,
        error_code="rate_limited",
        error_message="Slow down.",
        error_retryable=True,
        finished_at=timezone.now(),
    )
    response = user_client.post(f"/api/v1/pipelines/{pipeline.id}/retry/")
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["status"] == "queued" and data["error"] is None
    assert data["max_attempts"] > 1


def test_stats_count_by_status_with_percentiles(user_client, user, other_user, staff_client):
    now = timezone.now()
    for seconds, status in [(2, "succeeded"), (4, "succeeded"), (6, "failed")]:
        pipeline = make(user)
        GenerationPipeline.objects.filter(pk=pipeline.pk).update(
            status=status,
            started_at=now - timezone.timedelta(seconds=seconds),
            finished_at=now,
        )
    make(user)
    make(other_user)

    stats = user_client.get("/api/v1/pipelines/stats/").json()["data"]
    assert stats["by_status"]["succeeded"] == 2 and stats["by_status"]["failed"] == 1
    assert stats["by_status"]["queued"] == 1 and stats["total"] == 4
    assert stats["success_rate"] == round(2 / 3, 4)
    assert stats["duration_seconds"]["count"] == 2
    assert stats["duration_seconds"]["p50"] == pytest.approx(3.0, abs=0.05)
    assert stats["duration_seconds"]["p95"] == pytest.approx(3.9, abs=0.05)
    assert stats["window_days"] == 7 and stats["scope"] == "own"
    assert staff_client.get("/api/v1/pipelines/stats/").json()["data"]["total"] == 5
    assert user_client.get("/api/v1/pipelines/stats/?days=0").status_code == 400
    assert user_client.get("/api/v1/pipelines/stats/?days=x").status_code == 400


def test_the_api_is_documented_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/pipelines/"])
    assert "/api/v1/pipelines/{pipeline_id}/cancel/" in paths
    assert "/api/v1/pipelines/stats/" in paths
    params = {p["name"] for p in paths["/api/v1/pipelines/"]["post"]["parameters"]}
    assert "Idempotency-Key" in params


def test_the_config_is_cleaned_once_whitespace_collapsed_and_empty_fields_defaulted(user_client):
    body = {"prompt": "  a   stone\n tower ", "kind": None, "presets": [], "negative_prompt": ""}
    response = user_client.post("/api/v1/pipelines/", body, format="json")
    assert response.status_code == 202, response.content
    config = response.json()["data"]["config"]
    assert config["prompt"] == "a stone tower"
    assert config["kind"] == "prop" and config["quality"] == "standard"
    assert config["presets"] == [] and isinstance(config["seed"], int)


def test_each_bad_field_is_reported_with_unknown_fields_in_one_400(user_client):
    body = {"prompt": 42, "presets": ["gold", "gold"], "seed": 2**31, "colour": "red"}
    response = user_client.post("/api/v1/pipelines/", body, format="json")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert set(details) == {"prompt", "presets", "seed", "non_field_errors"}
    assert "colour" in details["non_field_errors"][0]
    assert not GenerationPipeline.objects.exists()

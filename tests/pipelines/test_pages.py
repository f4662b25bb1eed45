"""The server-rendered pipeline pages."""

import pytest
from django.utils import timezone

from pipelines.models import GenerationPipeline
from pipelines.services import pipeline_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, user):
    client.force_login(user)
    return client


def test_the_form_offers_presets_with_swatches(browser, presets):
    page = browser.get("/pipelines/new/").content.decode()
    assert 'name="prompt"' in page and 'name="quality"' in page
    assert 'value="gold"' in page and "background: #d4af37" in page


def test_an_invalid_form_shows_inline_errors_and_creates_nothing(browser):
    response = browser.post(
        "/pipelines/new/", {"prompt": "x", "kind": "prop", "art_style": "realistic"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "field-invalid" in page and "at least 3 characters" in page
    assert not GenerationPipeline.objects.exists()


def test_submitting_the_form_starts_a_pipeline_and_shows_it(browser, user, presets):
    response = browser.post(
        "/pipelines/new/",
        {
            "prompt": "an ornate golden sword",
            "kind": "weapon",
            "art_style": "stylized",
            "quality": "draft",
            "presets": ["gold"],
            "visibility": "public",
        },
    )
    pipeline = GenerationPipeline.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == f"/pipelines/{pipeline.id}/"
    assert pipeline.config["presets"] == ["gold"] and pipeline.config["visibility"] == "public"
    page = browser.get(response["Location"]).content.decode()
    assert "an ornate golden sword" in page
    assert 'id="pipeline-stage-generate_mesh"' in page
    assert f'data-websocket-url="/ws/pipelines/{pipeline.id}/"' in page
    assert "Cancel</button>" in page


def test_the_list_shows_the_users_pipelines_with_progress(browser, user, other_user):
    mine = pipeline_create(user=user, config={"prompt": "a wooden chair"})[0]
    pipeline_create(user=other_user, config={"prompt": "a secret helmet"})
    page = browser.get("/pipelines/").content.decode()
    assert "a wooden chair" in page and "a secret helmet" not in page
    assert f'id="pipeline-row-{mine.id}"' in page and 'role="progressbar"' in page


def test_another_users_pipeline_is_not_found(browser, other_user):
    theirs = pipeline_create(user=other_user, config={"prompt": "a secret helmet"})[0]
    assert browser.get(f"/pipelines/{theirs.id}/").status_code == 404
    assert browser.get(f"/pipelines/{theirs.id}/status/").status_code == 404


def test_a_failed_pipeline_shows_its_error_and_can_be_retried(browser, user):
    pipeline = pipeline_create(user=user, config={"prompt": "a wooden chair"})[0]
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(
        status="failed",
        attempt=1,
        error_code="rate_limited",
        error_message="The provider is busy.",
        error_retryable=True,
        finished_at=timezone.now(),
    )
    partial = browser.get(f"/pipelines/{pipeline.id}/status/").content.decode()
    assert "The provider is busy." in partial and "Retry</button>" in partial
    response = browser.post(f"/pipelines/{pipeline.id}/retry/")
    assert response.status_code == 302
    pipeline.refresh_from_db()
    assert pipeline.status == "queued"


def test_cancel_button_cancels(browser, user):
    pipeline = pipeline_create(user=user, config={"prompt": "a wooden chair"})[0]
    browser.post(f"/pipelines/{pipeline.id}/cancel/")
    pipeline.refresh_from_db()
    assert pipeline.status == "canceled"


def test_pages_need_a_signed_in_user(client):
    assert client.get("/pipelines/").status_code == 302
    assert client.get("/pipelines/new/").status_code == 302


def test_the_form_shows_the_same_rules_as_the_api(browser):
    response = browser.post("/pipelines/new/", {"prompt": "a stone tower", "seed": str(2**31)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "field-invalid" in page and "2147483647" in page
    assert not GenerationPipeline.objects.exists()

"""A user submits the generation form and watches the pipeline finish live, in Chromium."""

import shutil

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.processes import (
    daphne_args,
    free_port,
    process_env,
    qcluster_args,
    running,
    wait_for_port,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def live_server_url(tmp_path):
    port = free_port()
    env = process_env()
    with (
        running(daphne_args(port), env=env, log_path=tmp_path / "daphne.log"),
        running(qcluster_args(), env=env, log_path=tmp_path / "qcluster.log"),
    ):
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls on the test's own connection.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_submitted_pipeline_reaches_succeeded_without_a_reload(live_server_url, browser):
    base = live_server_url
    user = UserFactory()
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, user)

    # A second tab on the list page, open before the pipeline exists.
    listing = context.new_page()
    listing.goto(f"{base}/pipelines/")
    listing.evaluate("window.__notReloaded = true")
    listing.wait_for_selector(".live-on")

    page.goto(f"{base}/pipelines/new/")
    page.fill("#id_prompt", "a long ornate sword")
    page.check("input[name=quality][value=draft]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/pipelines/*/")
    page.evaluate("window.__notReloaded = true")
    page.wait_for_selector(".live-on", timeout=10_000)

    badge = page.locator("#pipeline-status-badge")
    badge.filter(has_text="Succeeded").wait_for(timeout=60_000)
    assert page.evaluate("window.__notReloaded") is True
    page.locator("#pipeline-asset img").wait_for(timeout=10_000)
    assert page.locator("#pipeline-progress").get_attribute("aria-valuenow") == "100"
    assert page.locator("#pipeline-stages .stage-succeeded").count() == 6

    pipeline_id = page.url.rstrip("/").split("/")[-1]
    row = listing.locator(f"#pipeline-row-{pipeline_id}")
    row.locator(".badge-succeeded").wait_for(timeout=10_000)
    assert listing.evaluate("window.__notReloaded") is True
    context.close()


def test_the_page_catches_up_after_the_connection_drops(live_server_url, browser):
    base = live_server_url
    user = UserFactory()
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, user)
    page.goto(f"{base}/pipelines/new/")
    page.fill("#id_prompt", "a wooden barrel")
    page.check("input[name=quality][value=draft]")
    context.set_offline(True)
    context.set_offline(False)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/pipelines/*/")
    page.wait_for_selector(".live-on", timeout=10_000)
    page.evaluate("window.__notReloaded = true")
    # Drop the link while the worker runs; the page reconnects and resyncs from a snapshot.
    context.set_offline(True)
    page.wait_for_timeout(1500)
    context.set_offline(False)
    page.locator("#pipeline-status-badge").filter(has_text="Succeeded").wait_for(timeout=60_000)
    assert page.evaluate("window.__notReloaded") is True
    context.close()


def test_another_user_cannot_watch_the_pipeline(live_server_url, browser):
    from pipelines.services import pipeline_create

    owner, stranger = UserFactory(), UserFactory()
    pipeline, _ = pipeline_create(
        user=owner, config={"prompt": "a stone tower", "quality": "draft"}, enqueue=False
    )
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, live_server_url, stranger)
    response = page.goto(f"{live_server_url}/pipelines/{pipeline.id}/")
    assert response.status == 404
    code = page.evaluate(
        """(url) => new Promise((resolve) => {
            const ws = new WebSocket(url);
            ws.onclose = (event) => resolve(event.code);
        })""",
        f"ws://127.0.0.1:{live_server_url.rsplit(':', 1)[1]}/ws/pipelines/{pipeline.id}/",
    )
    assert code == 4404
    context.close()

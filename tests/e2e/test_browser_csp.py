"""Under the Content-Security-Policy, in Chromium: the viewer loads the model, htmx swaps
the gallery, the API docs render, and the browser reports no violation."""

import pytest

from tests.assets.factories import AssetFactory
from tests.e2e.test_browser_live_status import browser, live_server_url, sign_in  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watched_page(browser):  # noqa: F811
    """Open a page that records CSP violations from events and from the console."""
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def violations(page, console) -> list[str]:
    return page.evaluate("window.__cspViolations") + console


def test_the_asset_page_renders_its_model_under_the_policy(live_server_url, browser):  # noqa: F811
    asset = AssetFactory(name="bronze axe", visibility="public")
    page, console = watched_page(browser)
    response = page.goto(f"{live_server_url}/assets/{asset.id}/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function(
        "() => customElements.get('model-viewer') && document.getElementById('viewer').loaded",
        timeout=30_000,
    )
    found = violations(page, console)
    assert found == [], "\n".join(found)


def test_htmx_swaps_the_gallery_under_the_policy(live_server_url, browser):  # noqa: F811
    AssetFactory(name="bronze axe", visibility="public")
    AssetFactory(name="iron sword", visibility="public")
    page, console = watched_page(browser)
    page.goto(f"{live_server_url}/")
    page.wait_for_selector("#gallery-results :text('iron sword')")
    page.evaluate("window.__notReloaded = true")
    page.fill("#id_q", "axe")
    page.wait_for_function(
        "() => !document.querySelector('#gallery-results').textContent.includes('iron sword')",
        timeout=15_000,
    )
    assert "bronze axe" in page.text_content("#gallery-results")
    assert page.evaluate("window.__notReloaded") is True  # swapped in place, not reloaded
    found = violations(page, console)
    assert found == [], "\n".join(found)


def test_signed_in_pages_and_the_api_docs_run_under_the_policy(live_server_url, browser):  # noqa: F811
    user = UserFactory()
    page, console = watched_page(browser)
    sign_in(page, live_server_url, user)
    page.goto(f"{live_server_url}/pipelines/")
    page.wait_for_selector(".live-on", timeout=15_000)  # the websocket connected
    page.select_option("#status-filter", "failed")  # the autosubmit script is a file now
    page.wait_for_url("**/pipelines/?status=failed")
    page.goto(f"{live_server_url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    found = violations(page, console)
    assert found == [], "\n".join(found)

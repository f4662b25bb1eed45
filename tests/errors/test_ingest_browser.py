"""A JavaScript error on a Forge page lands in the errors dashboard, in Chromium."""

import pytest

from errors.models import ErrorGroup
from tests.e2e.test_browser_live_status import browser, live_server_url, sign_in  # noqa: F401
from tests.factories import UserFactory
from tests.processes import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_javascript_error_on_the_gallery_becomes_a_group_in_the_admin(
    live_server_url,  # noqa: F811
    browser,  # noqa: F811
):
    base = live_server_url
    context = browser.new_context()
    page = context.new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.goto(f"{base}/")
    page.wait_for_function("() => window.__SENTRY__ !== undefined")
    with page.expect_response(lambda r: "/envelope/" in r.url) as answer:
        page.evaluate(
            "setTimeout(() => { throw new TypeError('gallery tile has no thumbnail') }, 0)"
        )
    assert answer.value.status == 200

    group = wait_until(
        lambda: ErrorGroup.objects.filter(title__contains="gallery tile has no thumbnail").first(),
        timeout=60,
        what="the JavaScript error recorded by the worker",
    )
    occurrence = group.occurrences.get()
    assert occurrence.project.name == "forge-frontend"
    assert occurrence.context["sdk"]["name"] == "sentry.javascript.browser"
    assert occurrence.context["request"]["url"] == f"{base}/"

    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in(page, base, staff)
    page.goto(f"{base}/admin/errors/errorgroup/?project={occurrence.project_id}")
    assert page.get_by_text("TypeError: gallery tile has no thumbnail").count() >= 1
    assert violations == []
    context.close()

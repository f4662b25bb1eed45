"""Staff see the Meshy account's credits on the errors overview, or why they cannot."""

import pytest
from django.urls import reverse

from tests.processes import free_port

pytestmark = pytest.mark.django_db

OVERVIEW = "admin:errors_erroroverview_changelist"


def test_staff_see_the_credits_left_and_the_page_asks_meshy_once_a_minute(
    admin_client, meshy_settings, fake_meshy, meshy_key
):
    fake_meshy.configure(balance=1234)
    page = admin_client.get(reverse(OVERVIEW)).content.decode()
    fake_meshy.configure(balance=10)
    again = admin_client.get(reverse(OVERVIEW)).content.decode()

    assert "<strong>1234</strong> credits left" in page
    assert "<strong>1234</strong> credits left" in again  # cached
    assert fake_meshy.stats()["requests"].get("balance") == 1
    assert meshy_key not in page


def test_without_a_key_the_overview_says_meshy_is_not_configured(admin_client, settings):
    settings.MESHY_API_KEY = ""
    page = admin_client.get(reverse(OVERVIEW)).content.decode()

    assert "Not configured. Meshy is not configured: set MESHY_API_KEY" in page


def test_an_unreachable_meshy_is_shown_quickly_without_failing_the_page(
    admin_client, meshy_settings
):
    meshy_settings.MESHY_BASE_URL = f"http://127.0.0.1:{free_port()}"
    response = admin_client.get(reverse(OVERVIEW))

    assert response.status_code == 200
    assert "Unreachable: Meshy could not be reached while reading the credit balance" in (
        response.content.decode()
    )


def test_a_rejected_key_is_named_on_the_overview(admin_client, meshy_settings, fake_meshy):
    fake_meshy.configure(api_key="msy_the_only_good_key")
    page = admin_client.get(reverse(OVERVIEW)).content.decode()

    assert "Unreachable: Meshy rejected the API key (MESHY_API_KEY)." in page

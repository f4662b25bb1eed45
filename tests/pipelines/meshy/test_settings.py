"""Switching Forge to Meshy with settings, and refusing to start without a key."""

import pytest

from tests.forge.test_startup import run_check

PRODUCTION = {"SECRET_KEY": "k" * 20 + "-production-secret-0123456789abcdef"}


def test_meshy_as_the_default_provider_without_a_key_refuses_to_start():
    result = run_check(**PRODUCTION, FORGE_PROVIDER="meshy", FORGE_ENABLED_PROVIDERS="local,meshy")

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "MESHY_API_KEY" in lines[0]


def test_enabling_meshy_without_a_key_refuses_to_start():
    result = run_check(**PRODUCTION, FORGE_ENABLED_PROVIDERS="local,meshy")

    assert result.returncode != 0
    assert "MESHY_API_KEY" in result.stderr


def test_one_setting_switches_forge_to_meshy_when_the_key_is_set():
    result = run_check(
        **PRODUCTION,
        FORGE_PROVIDER="meshy",
        FORGE_ENABLED_PROVIDERS="local,meshy",
        MESHY_API_KEY="msy_" + "x" * 36,
    )

    assert result.returncode == 0, result.stderr


def test_meshy_is_registered_by_default(meshy_settings):
    from pipelines.providers import provider_get
    from pipelines.providers.meshy import MeshyProvider

    assert isinstance(provider_get("meshy"), MeshyProvider)


def test_a_provider_without_a_key_fails_plainly(meshy_settings):
    from pipelines.providers import provider_get
    from pipelines.providers.base import ProviderError

    meshy_settings.MESHY_API_KEY = ""
    with pytest.raises(ProviderError) as caught:
        provider_get("meshy")

    assert caught.value.code == "provider_not_configured" and not caught.value.retryable

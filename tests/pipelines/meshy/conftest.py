"""A fake Meshy API on a real local port, and Forge settings that point the provider at it."""

import secrets

import pytest

from tests.fakes.meshy import FakeMeshyServer


@pytest.fixture
def fake_meshy():
    """Serve a fresh fake Meshy account for one test; tasks take about a second."""
    server = FakeMeshyServer(time_scale=0.005).start()
    yield server
    server.stop()


@pytest.fixture
def meshy_key():
    return "msy_" + secrets.token_hex(18)


@pytest.fixture
def meshy_settings(settings, fake_meshy, meshy_key):
    """Point the Meshy provider at the fake, with short waits so faults are quick to test."""
    settings.MESHY_API_KEY = meshy_key
    settings.MESHY_BASE_URL = fake_meshy.url
    settings.MESHY_POLL_MIN_SECONDS = 0.02
    settings.MESHY_POLL_MAX_SECONDS = 0.1
    settings.MESHY_RETRY_BASE_SECONDS = 0.02
    settings.MESHY_RATE_LIMIT_WAIT_SECONDS = 30.0
    settings.MESHY_STREAM_IDLE_SECONDS = 5.0
    settings.MESHY_TASK_TIMEOUT_SECONDS = 60.0
    settings.MESHY_SLOT_WAIT_SECONDS = 30.0
    return settings


@pytest.fixture
def meshy(meshy_settings):
    """A Meshy provider configured from settings, as `provider_get("meshy")` makes it."""
    from pipelines.providers import provider_get

    return provider_get("meshy")


class TaskStore:
    """What the orchestrator will do with the RemoteTasks hooks: keep step -> task ID."""

    def __init__(self, owner: str = "user-1"):
        self.ids: dict[str, str] = {}
        self.owner = owner

    def hooks(self):
        from pipelines.providers.base import RemoteTasks

        return RemoteTasks(
            resume_task_id=self.ids.get,
            remember_task_id=self.ids.__setitem__,
            owner=self.owner,
        )


@pytest.fixture
def store():
    return TaskStore()

"""Shared fixtures: a temporary MEDIA_ROOT per session, users, API clients."""

import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

RUN_PREFIX = f"forge-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session", autouse=True)
def _isolated_services(tmp_path_factory):
    """Give the session its own MEDIA_ROOT and Redis key prefixes (parallel runs never meet)."""
    from django.conf import settings
    from django.test import override_settings

    media = tmp_path_factory.mktemp("media")
    layers = {**settings.CHANNEL_LAYERS}
    layers["default"] = {
        **layers["default"],
        "CONFIG": {**layers["default"]["CONFIG"], "prefix": RUN_PREFIX},
    }
    caches = {**settings.CACHES}
    caches["default"] = {**caches["default"], "KEY_PREFIX": RUN_PREFIX}
    # Request counts are flushed by whichever request finds them due: a test that counts
    # queries must not meet that flush by chance (tests of the flush set their own interval).
    with override_settings(
        MEDIA_ROOT=str(media),
        CHANNEL_LAYERS=layers,
        CACHES=caches,
        FORGE_ACCESS_AGGREGATE_FLUSH_SECONDS=10**9,
    ):
        yield media


@pytest.fixture(autouse=True)
def _fresh_cache_namespace():
    """Start each test with an empty cache (throttle counters) without flushing shared Redis.

    The namespace is set on this context's cache object and in the cache settings, so code
    running in a context of its own gets it too: channels' test communicators run the ASGI
    application in a fresh context, whose first cache access makes a new cache object.
    """
    from django.core.cache import caches

    cache = caches["default"]
    configured = caches.settings["default"]
    saved, saved_configured = cache.key_prefix, configured.get("KEY_PREFIX")
    cache.key_prefix = configured["KEY_PREFIX"] = f"{RUN_PREFIX}-{uuid.uuid4().hex[:8]}"
    yield
    cache.key_prefix = saved
    if saved_configured is None:
        configured.pop("KEY_PREFIX", None)
    else:
        configured["KEY_PREFIX"] = saved_configured


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def staff_client(staff_user):
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


@pytest.fixture
def user_session(user):
    """A Django test Client signed in as `user` by session, as a browser is (pages, forms)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_session(staff_user):
    """A Django test Client signed in as `staff_user` by session (the admin)."""
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """End connections other threads left open (e.g. sync_to_async workers) before teardown."""
    yield
    from django.db import DatabaseError, connection

    from forge.accesslog import _buffer

    # Requests the tests made are counted in this process's buffer; its exit flush would
    # write them to the development database once the test one is gone: drop them here.
    _buffer.take()
    if not connection.settings_dict["NAME"].startswith("test_"):
        return  # no test database was set up in this session
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        except DatabaseError:
            pass  # nothing to clean up if the database is already gone


@pytest.fixture
def procfile_web(tmp_path):
    """The web process as the Procfile starts it (daphne), on a free port; yields the port."""
    from tests.processes import (
        free_port,
        process_env,
        procfile_web_command,
        running,
        wait_for_port,
    )

    port = free_port()
    args, assignments = procfile_web_command(port)
    with running(args, env=process_env(**assignments), log_path=tmp_path / "web.log"):
        wait_for_port(port)
        yield port

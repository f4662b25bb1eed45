import pytest
from django.test import override_settings

from tests.processes import process_env, qcluster_args, running, wait_until

pytestmark = pytest.mark.django_db


def test_health_lists_each_check(client):
    response = client.get("/health/")
    body = response.json()
    assert set(body["checks"]) >= {"database", "channel_layer", "storage", "task_queue"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["channel_layer"]["status"] == "ok"
    assert body["checks"]["storage"]["status"] == "ok"


def test_without_a_worker_the_service_is_degraded_not_down(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["task_queue"]["status"] == "fail"


def test_redis_down_is_503_naming_the_channel_layer(client, settings):
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0", "socket_timeout": None}]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["checks"]["channel_layer"]["status"] == "fail"
    assert body["checks"]["channel_layer"]["detail"]
    assert body["checks"]["database"]["status"] == "ok"


def test_storage_failure_is_down(client, settings, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    settings.MEDIA_ROOT = str(blocked)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "fail"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_with_a_live_qcluster_health_is_ok(client, tmp_path):
    with running(qcluster_args(), env=process_env(), log_path=tmp_path / "qcluster.log"):
        body = wait_until(
            lambda: (r := client.get("/health/").json())["status"] == "ok" and r,
            timeout=30,
            interval=0.5,
            what="a qcluster heartbeat",
        )
    assert body["checks"]["task_queue"]["status"] == "ok"

"""The fake Meshy API keeps Meshy's documented contract (so the provider tests mean something)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
KEY = {"Authorization": "Bearer msy_anything"}


@pytest.fixture
def api(fake_meshy):
    with httpx.Client(base_url=fake_meshy.url, headers=KEY, timeout=10) as client:
        yield client


def wait_status(api, path, status):
    deadline = time.monotonic() + 20
    while (task := api.get(path).json())["status"] != status:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return task


def preview(api) -> str:
    response = api.post("/openapi/v2/text-to-3d", json={"mode": "preview", "prompt": "a barrel"})
    assert response.status_code == 202
    return response.json()["result"]


def test_a_task_goes_pending_then_in_progress_then_succeeded(api):
    task_id = preview(api)
    path = f"/openapi/v2/text-to-3d/{task_id}"

    first = api.get(path).json()
    running = wait_status(api, path, "IN_PROGRESS")
    done = wait_status(api, path, "SUCCEEDED")

    assert first["status"] in ("PENDING", "IN_PROGRESS") and first["task_error"] == {"message": ""}
    assert 0 <= running["progress"] < 100 and running["started_at"] > 0
    assert done["progress"] == 100 and done["finished_at"] >= done["started_at"]
    assert set(done["model_urls"]) == {"glb"} and isinstance(done["texture_urls"], list)
    assert api.get(done["model_urls"]["glb"]).content[:4] == b"glTF"


def test_a_task_is_only_found_under_its_own_family(api):
    task_id = preview(api)

    assert api.get(f"/openapi/v1/retexture/{task_id}").status_code == 404


def test_documented_validations_answer_400_and_create_nothing(api, fake_meshy):
    task_id = preview(api)

    refine_too_early = api.post(
        "/openapi/v2/text-to-3d", json={"mode": "refine", "preview_task_id": task_id}
    )
    long_prompt = api.post("/openapi/v2/text-to-3d", json={"mode": "preview", "prompt": "x" * 601})
    no_style = api.post("/openapi/v1/retexture", json={"input_task_id": task_id})
    big_page = api.get("/openapi/v2/text-to-3d", params={"page_size": 51})

    assert refine_too_early.status_code == 400
    assert long_prompt.status_code == 400 and "600" in long_prompt.json()["message"]
    assert no_style.status_code == 400
    assert big_page.status_code == 400
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1}


def test_the_stream_sends_single_line_json_until_the_task_ends(api):
    task_id = preview(api)

    with api.stream("GET", f"/openapi/v2/text-to-3d/{task_id}/stream") as response:
        data = [line[5:] for line in response.iter_lines() if line.startswith("data:")]

    events = [json.loads(d) for d in data]
    assert events[-1]["status"] == "SUCCEEDED" and "model_urls" in events[-1]
    assert all(set(e) == {"id", "progress", "status"} for e in events[:-1])


def test_rate_limits_carry_retry_after_and_count_down(api, fake_meshy):
    fake_meshy.set_faults([{"kind": "balance", "status": 429, "count": 1, "retry_after": "2"}])

    limited = api.get("/openapi/v1/balance")
    fine = api.get("/openapi/v1/balance")

    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.json() == {"message": "RateLimitExceeded"}
    assert fine.json() == {"balance": 100_000}


def test_the_queue_limit_answers_429_no_more_concurrent_tasks(api, fake_meshy):
    fake_meshy.configure(max_queue_tasks=1, time_scale=1)
    preview(api)

    second = api.post("/openapi/v2/text-to-3d", json={"mode": "preview", "prompt": "a cask"})

    assert second.status_code == 429 and second.json()["message"] == "NoMoreConcurrentTasks"


def test_the_fake_runs_as_a_program_with_admin_endpoints():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.meshy", "--port", "0", "--time-scale", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().split(" on ")[1].split(" ")[0]
        with httpx.Client(base_url=url, headers=KEY, timeout=10) as client:
            task_id = client.post(
                "/openapi/v1/rigging", json={"model_url": "data:;base64,Z2xURg=="}
            ).json()["result"]
            instant = client.get(f"/openapi/v1/rigging/{task_id}").json()
            stats = client.get("/_fake/stats").json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    assert instant["status"] == "SUCCEEDED" and instant["type"] == "rig"
    assert stats["creates"] == {"rigging": 1}

"""The Meshy provider against the fake Meshy API: results, resume, faults, cancel, secrecy."""

import logging
import threading
import time

import pytest
from structlog.testing import capture_logs

from assets.glb import glb_inspect
from pipelines.providers.base import PresetSpec, ProviderCanceled, ProviderError
from pipelines.providers.local import LocalProvider
from tests.pipelines.conftest import gltf_errors
from tests.processes import wait_until

GOLD = PresetSpec(
    slug="gold",
    name="Gold",
    base_color="#d4af37",
    metallic=1.0,
    roughness=0.3,
    emissive=None,
    texture_prompt="polished gold with fine engraving",
)
OAK = PresetSpec(
    slug="oak",
    name="Oak",
    base_color="#8b5a2b",
    metallic=0.0,
    roughness=0.8,
    emissive=None,
    texture_prompt="weathered oak planks",
)


def never():
    return False


def generate(meshy, tasks=None, on_progress=None, should_cancel=never, **overrides):
    kwargs = {
        "prompt": "an ornate golden sword",
        "negative_prompt": "",
        "kind": "weapon",
        "art_style": "realistic",
        "quality": "draft",
        "seed": 7,
        "should_cancel": should_cancel,
        "on_progress": on_progress,
        **overrides,
    }
    if tasks is not None:
        kwargs["tasks"] = tasks
    return meshy.text_to_3d(**kwargs)


def local_glb() -> bytes:
    return (
        LocalProvider()
        .text_to_3d(
            prompt="a knight",
            negative_prompt="",
            kind="character",
            art_style="realistic",
            quality="draft",
            seed=1,
            should_cancel=never,
        )
        .glb
    )


def test_text_to_3d_previews_then_refines_and_returns_a_valid_glb(meshy, fake_meshy, store):
    progress: list[float] = []
    result = generate(meshy, tasks=store.hooks(), on_progress=progress.append)

    assert gltf_errors(result.glb) == 0
    assert glb_inspect(result.glb).triangle_count > 0
    stats = fake_meshy.stats()
    assert stats["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}
    assert set(store.ids) == {"preview", "refine"}
    assert result.external_task_id == store.ids["refine"]
    assert stats["tasks"][store.ids["refine"]] == "SUCCEEDED"
    # Live status sees the remote progress climb to the end.
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(progress) > 3
    # 20 credits for the preview and 10 for the refine, as documented.
    assert stats["balance"] == 100_000 - 30
    # Result links live on another host in production: the key never goes with them.
    assert stats["downloads_with_auth"] == 0


def test_retexture_makes_one_task_and_one_distinct_glb_per_preset(meshy, fake_meshy, store):
    glb = local_glb()
    gold = meshy.retexture(glb=glb, preset=GOLD, seed=1, should_cancel=never, tasks=store.hooks())
    oak = meshy.retexture(glb=glb, preset=OAK, seed=1, should_cancel=never, tasks=store.hooks())

    assert gltf_errors(gold.glb) == 0 and gltf_errors(oak.glb) == 0
    assert gold.glb != oak.glb
    assert fake_meshy.stats()["creates"] == {"retexture": 2}
    assert set(store.ids) == {"retexture:gold", "retexture:oak"}
    assert gold.external_task_id == store.ids["retexture:gold"]


def test_remesh_returns_a_glb(meshy, fake_meshy):
    result = meshy.remesh(glb=local_glb(), target_polycount=5_000, should_cancel=never)

    assert gltf_errors(result.glb) == 0
    assert fake_meshy.stats()["creates"] == {"remesh": 1}


def test_rigging_then_animation_return_glbs(meshy, fake_meshy, store):
    rigged = meshy.rig(glb=local_glb(), should_cancel=never, tasks=store.hooks())
    animated = meshy.animate(
        rig_task_id=rigged.external_task_id,
        action_id=92,
        should_cancel=never,
        tasks=store.hooks(),
    )

    assert glb_inspect(rigged.glb).triangle_count > 0
    assert glb_inspect(animated.glb).triangle_count > 0
    assert fake_meshy.stats()["creates"] == {"rigging": 1, "animations": 1}
    assert set(store.ids) == {"rig", "animate:92"}


def test_a_rerun_with_remembered_task_ids_creates_nothing_new(meshy, fake_meshy, store):
    first = generate(meshy, tasks=store.hooks())
    second = generate(meshy, tasks=store.hooks())

    assert second.glb == first.glb
    assert second.external_task_id == first.external_task_id
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}


class WorkerDied(Exception):
    pass


def test_a_crash_mid_wait_resumes_the_same_remote_task(meshy, fake_meshy, store):
    def die_during_refine(fraction):
        if fraction > 0.5:  # the refine step reports 0.4..0.95
            raise WorkerDied

    with pytest.raises(WorkerDied):
        generate(meshy, tasks=store.hooks(), on_progress=die_during_refine)
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}

    result = generate(meshy, tasks=store.hooks())

    assert gltf_errors(result.glb) == 0
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}
    assert result.external_task_id == store.ids["refine"]


def test_a_remembered_task_meshy_no_longer_has_is_made_again(meshy, fake_meshy, store):
    store.ids["preview"] = "0190aaaa-0000-7000-8000-000000000000"

    generate(meshy, tasks=store.hooks())

    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}
    assert store.ids["preview"] != "0190aaaa-0000-7000-8000-000000000000"


def test_an_expired_result_link_makes_the_provider_refetch_the_task(meshy, fake_meshy):
    fake_meshy.configure(url_ttl=0.3)
    # The first download is slow enough for its signed link to expire on the way.
    fake_meshy.set_faults([{"kind": "download", "delay": 0.6, "count": 1}])

    result = meshy.remesh(glb=local_glb(), target_polycount=5_000, should_cancel=never)

    assert gltf_errors(result.glb) == 0
    stats = fake_meshy.stats()
    assert stats["expired_downloads"] == 1
    assert stats["requests"]["download"] == 2
    assert stats["creates"] == {"remesh": 1}


def test_a_429_storm_slows_the_client_without_failing_it(meshy, fake_meshy):
    fake_meshy.set_faults([{"kind": "any", "status": 429, "count": 5, "retry_after": "0.3"}])
    started = time.monotonic()

    result = generate(meshy)

    assert glb_inspect(result.glb).triangle_count > 0
    stats = fake_meshy.stats()
    assert stats["faults_served"] == {"429": 5}
    assert stats["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}
    assert time.monotonic() - started >= 5 * 0.3  # every Retry-After was waited out


def test_a_429_that_never_ends_fails_retryably(meshy, meshy_settings, fake_meshy):
    meshy_settings.MESHY_RATE_LIMIT_WAIT_SECONDS = 0.5
    from pipelines.providers import provider_get

    fake_meshy.set_faults([{"kind": "create", "status": 429, "retry_after": "0.2"}])
    with pytest.raises(ProviderError) as caught:
        generate(provider_get("meshy"))

    assert caught.value.code == "rate_limited" and caught.value.retryable
    assert fake_meshy.stats()["creates"] == {}


def test_out_of_credits_is_not_retryable_and_says_so_plainly(meshy, fake_meshy):
    fake_meshy.configure(balance=10)

    with pytest.raises(ProviderError) as caught:
        generate(meshy)

    error = caught.value
    assert error.code == "provider_out_of_credits" and not error.retryable
    assert error.service == "meshy"
    assert "run out of credits" in error.message
    assert fake_meshy.stats()["creates"] == {}


def test_a_rejected_key_is_not_retryable(meshy, fake_meshy):
    fake_meshy.configure(api_key="msy_the_right_key")

    with capture_logs() as logs, pytest.raises(ProviderError) as caught:
        generate(meshy)

    assert caught.value.code == "provider_auth_failed" and not caught.value.retryable
    assert "API key" in caught.value.message
    assert any(
        e["event"] == "provider.meshy.auth_failed" and e["log_level"] == "error" for e in logs
    )
    assert fake_meshy.stats()["requests"] == {"create": 1}  # no retries of a bad key


def test_a_burst_of_5xx_is_retried_and_recovers(meshy, fake_meshy):
    fake_meshy.set_faults([{"kind": "any", "status": 503, "count": 3}])

    result = generate(meshy)

    assert glb_inspect(result.glb).triangle_count > 0
    assert fake_meshy.stats()["faults_served"] == {"503": 3}
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}


def test_a_5xx_outage_fails_retryably(meshy, fake_meshy):
    fake_meshy.set_faults([{"kind": "create", "status": 500}])

    with pytest.raises(ProviderError) as caught:
        generate(meshy)

    assert caught.value.code == "provider_unavailable" and caught.value.retryable


def test_a_failed_task_is_retryable_only_when_meshy_says_so(meshy, fake_meshy):
    fake_meshy.set_faults(
        outcomes=[
            {
                "step": "text-to-3d:refine",
                "status": "FAILED",
                "type": "server_error",
                "message": "The server is busy. Please try again later.",
            }
        ]
    )
    with pytest.raises(ProviderError) as busy:
        generate(meshy)
    fake_meshy.set_faults(
        outcomes=[
            {
                "step": "text-to-3d:preview",
                "status": "FAILED",
                "type": "invalid_input",
                "code": "moderation_blocked",
                "message": "The prompt was blocked by moderation.",
            }
        ]
    )
    with pytest.raises(ProviderError) as blocked:
        generate(meshy)

    assert busy.value.code == "provider_task_failed" and busy.value.retryable
    assert "busy" in busy.value.message
    assert blocked.value.code == "provider_task_failed" and not blocked.value.retryable
    assert "moderation" in blocked.value.message


def test_a_failed_remembered_task_is_replaced_without_paying_twice(meshy, fake_meshy, store):
    fake_meshy.set_faults(outcomes=[{"step": "text-to-3d:refine", "status": "FAILED"}])
    with pytest.raises(ProviderError):
        generate(meshy, tasks=store.hooks())
    failed_refine = store.ids["refine"]

    result = generate(meshy, tasks=store.hooks())

    assert glb_inspect(result.glb).triangle_count > 0
    assert store.ids["refine"] != failed_refine
    # The preview is reused; the failed refine was refunded, so only one refine is paid.
    stats = fake_meshy.stats()
    assert stats["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 2}
    assert stats["balance"] == 100_000 - 20 - 10


def test_cancel_during_the_wait_stops_and_deletes_the_remote_task(meshy, fake_meshy, store):
    fake_meshy.configure(time_scale=0.05)  # a preview takes 1.5 s
    started = threading.Event()

    def on_progress(fraction):
        if fraction > 0:
            started.set()

    with pytest.raises(ProviderCanceled):
        generate(meshy, tasks=store.hooks(), on_progress=on_progress, should_cancel=started.is_set)

    stats = fake_meshy.stats()
    assert stats["deletes"] == {"text-to-3d": 1}
    assert store.ids["preview"] not in stats["tasks"]
    assert stats["creates"] == {"text-to-3d:preview": 1}


def test_polling_takes_over_when_the_stream_is_unavailable(meshy, fake_meshy):
    fake_meshy.configure(stream=False)

    result = generate(meshy)

    assert glb_inspect(result.glb).triangle_count > 0
    requests = fake_meshy.stats()["requests"]
    assert requests["stream"] == 2 and requests["get"] >= 2


def test_a_result_larger_than_the_cap_is_refused(meshy_settings, fake_meshy):
    from pipelines.providers import provider_get

    meshy_settings.MESHY_DOWNLOAD_MAX_BYTES = 1_000
    with pytest.raises(ProviderError) as caught:
        provider_get("meshy").remesh(glb=local_glb(), target_polycount=500, should_cancel=never)

    assert caught.value.code == "provider_result_too_large" and not caught.value.retryable


def test_balance_reads_the_accounts_credits(meshy, fake_meshy):
    generate(meshy)

    assert meshy.balance() == 100_000 - 30


def test_the_api_key_never_appears_in_logs_or_errors(meshy, fake_meshy, meshy_key, caplog):
    caplog.set_level(logging.DEBUG)
    # A careless server echoes the Authorization header back in its error messages.
    fake_meshy.set_faults(
        [
            {"kind": "get", "status": 502, "count": 2, "echo_auth": True},
            {"kind": "create", "status": 429, "count": 1, "echo_auth": True},
            {"kind": "create", "status": 400, "echo_auth": True},
        ]
    )
    with capture_logs() as logs, pytest.raises(ProviderError) as caught:
        generate(meshy)
    fake_meshy.set_faults([{"kind": "any", "status": 401, "echo_auth": True}])
    with capture_logs() as more_logs, pytest.raises(ProviderError) as rejected:
        generate(meshy)

    everything = " ".join(
        [
            repr(logs),
            repr(more_logs),
            caplog.text,
            str(caught.value),
            repr(caught.value.__dict__),
            str(rejected.value),
            repr(meshy),
            repr(meshy.client.config),
        ]
    )
    assert "Meshy said" in caught.value.message  # the server's words do reach the user...
    assert "[redacted]" in caught.value.message  # ...without the key in them
    assert meshy_key not in everything
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_a_task_that_outlasts_the_timeout_fails_retryably_and_keeps_running(
    meshy_settings, fake_meshy, store
):
    from pipelines.providers import provider_get

    meshy_settings.MESHY_TASK_TIMEOUT_SECONDS = 0.3
    fake_meshy.configure(time_scale=1)  # a preview takes 30 s

    with pytest.raises(ProviderError) as caught:
        generate(provider_get("meshy"), tasks=store.hooks())

    assert caught.value.code == "provider_timeout" and caught.value.retryable
    # The task is left running for the retry to resume, not deleted.
    assert fake_meshy.stats()["tasks"][store.ids["preview"]] in ("PENDING", "IN_PROGRESS")
    assert fake_meshy.stats()["deletes"] == {}


def test_a_slow_answer_past_the_read_timeout_is_retried(meshy_settings, fake_meshy):
    from pipelines.providers import provider_get

    meshy_settings.MESHY_READ_TIMEOUT_SECONDS = 0.3
    fake_meshy.configure(stream=False)
    fake_meshy.set_faults([{"kind": "get", "delay": 1.0, "count": 1}])

    result = provider_get("meshy").remesh(
        glb=local_glb(), target_polycount=5_000, should_cancel=never
    )

    assert glb_inspect(result.glb).triangle_count > 0
    assert fake_meshy.stats()["creates"] == {"remesh": 1}


# -- a create whose answer never came back ------------------------------------------------


def marker(offset_ms: int = 0) -> str:
    return f"creating@{int(time.time() * 1000) + offset_ms}"


def test_a_lost_create_answer_is_found_in_meshys_list_and_not_paid_again(
    meshy_settings, fake_meshy, store
):
    from pipelines.providers import provider_get

    meshy_settings.MESHY_READ_TIMEOUT_SECONDS = 0.3
    # Meshy makes the preview, but only after the client has stopped waiting for the answer.
    fake_meshy.set_faults([{"kind": "create", "family": "text-to-3d", "delay": 1.0, "count": 1}])

    with pytest.raises(ProviderError) as caught:
        generate(provider_get("meshy"), tasks=store.hooks())
    assert caught.value.code == "provider_unavailable" and caught.value.retryable
    assert store.ids["preview"].startswith("creating@")
    wait_until(
        lambda: fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1},
        timeout=60,
        what="the fake to make the preview whose answer was lost",
    )

    result = generate(provider_get("meshy"), tasks=store.hooks())

    assert gltf_errors(result.glb) == 0
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}
    assert not store.ids["preview"].startswith("creating@")


def test_a_worker_dying_between_create_and_remember_pays_once(meshy, fake_meshy, store):
    from dataclasses import replace

    died = []

    def remember(step, task_id):
        if not task_id.startswith("creating@") and not died:
            died.append(step)  # the worker is killed before the task ID is committed
            raise WorkerDied
        store.ids[step] = task_id

    with pytest.raises(WorkerDied):
        generate(meshy, tasks=replace(store.hooks(), remember_task_id=remember))
    # The row still holds the marker the worker wrote before sending the create.
    assert store.ids["preview"].startswith("creating@")
    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1}

    generate(meshy, tasks=store.hooks())

    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}


def test_a_create_that_never_reached_meshy_is_sent_once(meshy, fake_meshy, store):
    store.ids["preview"] = marker()

    generate(meshy, tasks=store.hooks())

    assert fake_meshy.stats()["creates"] == {"text-to-3d:preview": 1, "text-to-3d:refine": 1}


def test_an_unlisted_lost_create_fails_plainly_instead_of_paying_twice(meshy, fake_meshy, store):
    store.ids["retexture:gold"] = marker()

    with pytest.raises(ProviderError) as caught:
        meshy.retexture(
            glb=local_glb(), preset=GOLD, seed=1, should_cancel=never, tasks=store.hooks()
        )

    assert caught.value.code == "provider_create_unknown" and not caught.value.retryable
    assert "not paid twice" in caught.value.message
    assert fake_meshy.stats()["creates"] == {}


def test_two_tasks_matching_a_lost_create_fail_plainly(meshy, fake_meshy, store):
    store.ids["preview"] = marker(-1000)
    first = generate(meshy, tasks=store.__class__().hooks())  # the same prompt and seed, twice
    second = generate(meshy, tasks=store.__class__().hooks())
    assert first.external_task_id != second.external_task_id
    before = dict(fake_meshy.stats()["creates"])

    with pytest.raises(ProviderError) as caught:
        generate(meshy, tasks=store.hooks())

    assert caught.value.code == "provider_create_unknown" and not caught.value.retryable
    assert fake_meshy.stats()["creates"] == before

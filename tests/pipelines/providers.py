"""Providers that misbehave on purpose, registered through `settings.FORGE_PROVIDERS` in tests.

They wrap the real local provider and count their calls in files under
`$FORGE_TEST_PROVIDER_DIR`, so the counts survive across the test process and a qcluster.
"""

import os
import time
from pathlib import Path

from pipelines.providers.base import ProviderCanceled, ProviderError
from pipelines.providers.local import LocalProvider


def calls_dir() -> Path:
    return Path(os.environ["FORGE_TEST_PROVIDER_DIR"])


def call_record(name: str) -> int:
    """Append one call of `name` and return how many there have been so far."""
    path = calls_dir() / f"{name}.calls"
    with open(path, "a") as handle:
        handle.write(f"{os.getpid()} {time.time():.6f}\n")
    return call_count(name)


def call_count(name: str) -> int:
    path = calls_dir() / f"{name}.calls"
    return len(path.read_text().splitlines()) if path.exists() else 0


def call_times(name: str) -> list[float]:
    path = calls_dir() / f"{name}.calls"
    return [float(line.split()[1]) for line in path.read_text().splitlines()]


def _sleep(seconds: float, should_cancel, gate: str = "") -> None:
    """Wait `seconds`, or until the file `gate` exists when one is named; honour cancel."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if should_cancel():
            raise ProviderCanceled(service="slow-test")
        if gate and os.path.exists(gate):
            return
        time.sleep(0.02)


class CountingProvider(LocalProvider):
    """The local provider, counting calls."""

    name = "counting"

    def text_to_3d(self, **kwargs):
        call_record(f"{self.name}.text_to_3d")
        return super().text_to_3d(**kwargs)

    def retexture(self, **kwargs):
        call_record(f"{self.name}.retexture")
        return super().retexture(**kwargs)


class FlakyProvider(CountingProvider):
    """Fail retryably (rate limited) for the first `$FORGE_TEST_FLAKY_FAILURES` meshes."""

    name = "flaky"

    def text_to_3d(self, **kwargs):
        calls = call_record(f"{self.name}.text_to_3d")
        if calls <= int(os.environ.get("FORGE_TEST_FLAKY_FAILURES", "2")):
            raise ProviderError(
                "The test provider is rate limited.",
                code="rate_limited",
                retryable=True,
                service="flaky-test",
            )
        return LocalProvider.text_to_3d(self, **kwargs)


class BrokenProvider(CountingProvider):
    """Reject every prompt with a non-retryable error."""

    name = "broken"

    def text_to_3d(self, **kwargs):
        call_record(f"{self.name}.text_to_3d")
        raise ProviderError(
            "The test provider rejects this prompt.",
            code="content_rejected",
            retryable=False,
            service="broken-test",
        )


class SlowProvider(CountingProvider):
    """Take `$FORGE_TEST_SLOW_SECONDS` in `$FORGE_TEST_SLOW_CALL` (text_to_3d or retexture).

    Polls `should_cancel` like a real provider waiting on a remote job. With
    `$FORGE_TEST_SLOW_GATE` (a file path) the wait also ends once that file exists, and with
    `$FORGE_TEST_SLOW_FROM_CALL` only that call and later ones are slow.
    """

    name = "slow"

    def _slow(self, call: str, number: int, should_cancel) -> None:
        if os.environ.get("FORGE_TEST_SLOW_CALL", "text_to_3d") != call:
            return
        if number < int(os.environ.get("FORGE_TEST_SLOW_FROM_CALL", "1")):
            return
        seconds = float(os.environ.get("FORGE_TEST_SLOW_SECONDS", "3"))
        _sleep(seconds, should_cancel, os.environ.get("FORGE_TEST_SLOW_GATE", ""))

    def text_to_3d(self, **kwargs):
        number = call_record(f"{self.name}.text_to_3d")
        self._slow("text_to_3d", number, kwargs["should_cancel"])
        return LocalProvider.text_to_3d(self, **kwargs)

    def retexture(self, **kwargs):
        number = call_record(f"{self.name}.retexture")
        self._slow("retexture", number, kwargs["should_cancel"])
        return LocalProvider.retexture(self, **kwargs)


TEST_PROVIDERS = {
    "local": "pipelines.providers.local.LocalProvider",
    "counting": "tests.pipelines.providers.CountingProvider",
    "flaky": "tests.pipelines.providers.FlakyProvider",
    "broken": "tests.pipelines.providers.BrokenProvider",
    "slow": "tests.pipelines.providers.SlowProvider",
}


def providers_env() -> dict[str, str]:
    """Return the environment that registers the test providers in a child process."""
    return {
        "FORGE_PROVIDERS": ",".join(f"{k}={v}" for k, v in TEST_PROVIDERS.items()),
        "FORGE_ENABLED_PROVIDERS": ",".join(TEST_PROVIDERS),
    }

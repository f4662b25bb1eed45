"""The cost of Forge's instrumentation (metrics, SQL access aggregates, traces), on and off in one run.

Shared by the gallery and pipelines benchmarks. Three modes, interleaved request by request
so machine noise hits them alike:

- `off`: the middleware stack without `forge.instrumentation.InstrumentationMiddleware`;
- `metrics`: the stack as shipped (Prometheus series, query counts, SQL aggregates), traces off;
- `metrics + traces`: the same with OpenTelemetry on, spans batched to an exporter that drops
  them (the export itself runs on the SDK's background thread, off the request path).

Besides whole requests (noisy on a busy machine), the instrumentation's own work is timed
alone: the middleware around a view that does nothing, and the run engine's hooks around
stages and provider calls that do nothing. There spans end through a synchronous processor
(into the dropping exporter), so the figure is the work done on the caller's thread, without
the batch processor's thread competing for the GIL at a rate no real workload reaches.
"""

import random
import statistics
import time

from benchmarks.common import percentile

MODES = ("off", "metrics", "metrics + traces")


class _DroppingExporter:
    """A span exporter that accepts and drops everything (no collector in the benchmark)."""

    def export(self, spans):
        from opentelemetry.sdk.trace.export import SpanExportResult

        return SpanExportResult.SUCCESS

    def shutdown(self):
        return None

    def force_flush(self, timeout_millis: int = 30000):
        return True


class _Tracing:
    """Turn tracing on and off between requests without re-creating the provider."""

    def __init__(self, *, simple: bool = False) -> None:
        from forge import tracing

        self.module = tracing
        tracing.tracing_configure(
            exporter=_DroppingExporter(), service_name="forge-bench", simple=simple
        )
        self.tracer = tracing._state["tracer"]
        self.set(False)

    def set(self, on: bool) -> None:
        self.module._state["tracer"] = self.tracer if on else None

    def close(self) -> None:
        self.set(True)
        self.module.tracing_disable()


def _clients():
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    without = [
        m for m in settings.MIDDLEWARE if m != "forge.instrumentation.InstrumentationMiddleware"
    ]
    clients = {}
    for mode in MODES:
        client = Client()
        middleware = without if mode == "off" else settings.MIDDLEWARE
        with override_settings(MIDDLEWARE=middleware):
            client.get("/api/v1/assets/")  # the client's handler loads its middleware now
        clients[mode] = client
    return clients


def requests_compare(cases: list[tuple[str, str]], iterations: int) -> list[dict]:
    """Time each case's URL in the three modes, interleaved; return p50/p95 per case and mode."""
    tracing = _Tracing()
    clients = _clients()
    rows = []
    try:
        for label, url in cases:
            samples: dict[str, list[float]] = {mode: [] for mode in MODES}
            order = list(MODES)
            for i in range(iterations + 10):
                random.shuffle(order)
                for mode in order:
                    tracing.set(mode == "metrics + traces")
                    started = time.perf_counter()
                    response = clients[mode].get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 200, (url, response.status_code)
                    if i >= 10:
                        samples[mode].append(elapsed)
            rows.append(
                {
                    "label": label,
                    **{
                        mode: (statistics.median(s), percentile(s, 0.95))
                        for mode, s in samples.items()
                    },
                }
            )
    finally:
        tracing.close()
    return rows


def middleware_cost(iterations: int = 20000) -> dict[str, tuple[float, float]]:
    """Time the instrumentation middleware alone around a view that does nothing (µs p50/p95)."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from forge.instrumentation import InstrumentationMiddleware

    def view(request):
        return HttpResponse(b"ok")

    tracing = _Tracing(simple=True)
    plain = view
    instrumented = InstrumentationMiddleware(view)
    factory = RequestFactory()
    samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    try:
        for i in range(iterations + 500):
            for mode in MODES:
                tracing.set(mode == "metrics + traces")
                request = factory.get("/api/v1/assets/")
                handler = plain if mode == "off" else instrumented
                started = time.perf_counter()
                handler(request)
                elapsed = (time.perf_counter() - started) * 1e6
                if i >= 500:
                    samples[mode].append(elapsed)
    finally:
        tracing.close()
    return {mode: (statistics.median(s), percentile(s, 0.95)) for mode, s in samples.items()}


def run_hooks_cost(iterations: int = 5000, stages: int = 6, calls: int = 3) -> dict:
    """Time the run engine's hooks for one pipeline (a run, `stages` stages, `calls` provider
    calls) around work that does nothing; return µs p50/p95 per mode."""
    from django.utils import timezone

    from pipelines.models import GenerationPipeline
    from pipelines.observe import provider_observe, run_observe, stage_observe

    class Provider:
        name = "bench"

        def text_to_3d(self, **kwargs):
            return None

    pipeline = GenerationPipeline(kind="generation", enqueued_at=timezone.now(), attempt=1)
    pipeline.status = "succeeded"
    provider = Provider()
    observed = provider_observe(provider, "bench")

    def bare() -> None:
        for _ in range(stages):
            (lambda ctx: None)(None)
        for _ in range(calls):
            provider.text_to_3d()

    def hooked() -> None:
        def execute():
            for n in range(stages):
                stage_observe("generation", f"stage{n}", lambda ctx: None, None)
            for _ in range(calls):
                observed.text_to_3d()
            return pipeline

        run_observe(pipeline, execute)

    tracing = _Tracing(simple=True)
    samples: dict[str, list[float]] = {mode: [] for mode in MODES}
    try:
        for i in range(iterations + 200):
            for mode in MODES:
                tracing.set(mode == "metrics + traces")
                func = bare if mode == "off" else hooked
                started = time.perf_counter()
                func()
                elapsed = (time.perf_counter() - started) * 1e6
                if i >= 200:
                    samples[mode].append(elapsed)
    finally:
        tracing.close()
    return {mode: (statistics.median(s), percentile(s, 0.95)) for mode, s in samples.items()}


def table_requests(rows: list[dict]) -> list[str]:
    """Return a Markdown table of `requests_compare` rows, with the added p95 per mode."""
    lines = [
        "| case | off p50 / p95 ms | metrics p50 / p95 ms | metrics + traces p50 / p95 ms "
        "| added p95: metrics / traces ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        off, metrics, traces = row["off"], row["metrics"], row["metrics + traces"]
        lines.append(
            f"| {row['label']} | {off[0]:.2f} / {off[1]:.2f} | {metrics[0]:.2f} / {metrics[1]:.2f} "
            f"| {traces[0]:.2f} / {traces[1]:.2f} | {metrics[1] - off[1]:+.2f} / "
            f"{traces[1] - metrics[1]:+.2f} |"
        )
    return lines


def table_alone(label: str, costs: dict[str, tuple[float, float]]) -> list[str]:
    """Return Markdown rows for a `middleware_cost` / `run_hooks_cost` result (µs)."""
    off, metrics, traces = costs["off"], costs["metrics"], costs["metrics + traces"]
    return [
        f"| {label} | {metrics[0] - off[0]:.1f} / {metrics[1] - off[1]:.1f} "
        f"| {traces[0] - metrics[0]:.1f} / {traces[1] - metrics[1]:.1f} |"
    ]

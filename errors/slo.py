"""Service-level objectives: what Forge promises, measured from rows it already stores.

Each SLO counts good and bad events in a time window: API requests from the per-minute
access aggregates (`forge.models.RequestAggregate`), runs from the pipeline rows. Over a
window with `total` events of which `bad` are bad, and an objective `o`:

- the error budget is `(1 - o) * total` bad events;
- the burn rate is `(bad / total) / (1 - o)`: 1 spends exactly the budget over the window;
- the budget left is `1 - burn rate` (negative once overspent).

A window without events has no data (None everywhere), never a made-up 100 %.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from forge.models import LATENCY_EDGES_MS, RequestAggregate, RouteClass

WINDOWS = (("1 h", timedelta(hours=1)), ("24 h", timedelta(hours=24)), ("30 d", timedelta(days=30)))


@dataclass(frozen=True)
class Slo:
    key: str
    name: str
    objective: float
    # (start, end) -> (bad, total) events in [start, end)
    events: Callable[[datetime, datetime], tuple[int, int]]

    @property
    def objective_percent(self) -> float:
        return round(self.objective * 100, 4)


@dataclass(frozen=True)
class SloWindow:
    label: str
    total: int
    bad: int
    objective: float

    @property
    def has_data(self) -> bool:
        return self.total > 0

    @property
    def good_ratio(self) -> float | None:
        return (self.total - self.bad) / self.total if self.total else None

    @property
    def burn_rate(self) -> float | None:
        if not self.total:
            return None
        allowed = 1 - self.objective
        error_rate = self.bad / self.total
        if allowed <= 0:
            return 0.0 if error_rate == 0 else float("inf")
        return error_rate / allowed

    @property
    def budget_left(self) -> float | None:
        burn = self.burn_rate
        return None if burn is None else 1 - burn

    @property
    def good_percent(self) -> float | None:
        ratio = self.good_ratio
        return None if ratio is None else ratio * 100

    @property
    def budget_left_percent(self) -> float | None:
        left = self.budget_left
        return None if left is None else left * 100


def _api(start: datetime, end: datetime) -> RequestAggregate:
    return RequestAggregate.objects.filter(
        route_class=RouteClass.API, minute__gte=start, minute__lt=end
    )


def _api_availability(start: datetime, end: datetime) -> tuple[int, int]:
    totals = _api(start, end).aggregate(
        total=Sum("count"), bad=Sum("count", filter=Q(status_class=5))
    )
    return totals["bad"] or 0, totals["total"] or 0


def latency_edge_ms(threshold_ms: float) -> int:
    """Return the largest stored latency edge not above `threshold_ms` (the one the SLO reads)."""
    edges = [edge for edge in LATENCY_EDGES_MS if edge <= threshold_ms]
    return edges[-1] if edges else LATENCY_EDGES_MS[0]


def _api_latency(start: datetime, end: datetime) -> tuple[int, int]:
    column = f"le_{latency_edge_ms(settings.FORGE_SLO_API_LATENCY_MS)}"
    totals = _api(start, end).aggregate(total=Sum("count"), good=Sum(column))
    total = totals["total"] or 0
    return total - (totals["good"] or 0), total


def _run_success(kind: str) -> Callable[[datetime, datetime], tuple[int, int]]:
    def events(start: datetime, end: datetime) -> tuple[int, int]:
        from pipelines.models import GenerationPipeline, PipelineStatus

        # A run the user canceled is neither a success nor a failure of Forge's.
        counted = (PipelineStatus.SUCCEEDED, PipelineStatus.FAILED, PipelineStatus.EXPIRED)
        totals = GenerationPipeline.objects.filter(
            kind=kind, status__in=counted, finished_at__gte=start, finished_at__lt=end
        ).aggregate(total=Sum(1), bad=Sum(1, filter=~Q(status=PipelineStatus.SUCCEEDED)))
        return totals["bad"] or 0, totals["total"] or 0

    return events


def _draft_latency(start: datetime, end: datetime) -> tuple[int, int]:
    from pipelines.models import GenerationPipeline, PipelineKind, PipelineStatus

    limit = timedelta(seconds=settings.FORGE_SLO_DRAFT_PIPELINE_SECONDS)
    took = ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField())
    totals = (
        GenerationPipeline.objects.filter(
            kind=PipelineKind.GENERATION,
            status=PipelineStatus.SUCCEEDED,
            config__quality="draft",
            finished_at__gte=start,
            finished_at__lt=end,
        )
        .annotate(took=took)
        .aggregate(total=Sum(1), bad=Sum(1, filter=Q(took__gt=limit)))
    )
    return totals["bad"] or 0, totals["total"] or 0


def slo_definitions() -> list[Slo]:
    """Return the SLOs, with their objectives from settings."""
    s = settings
    latency_edge = latency_edge_ms(s.FORGE_SLO_API_LATENCY_MS)
    return [
        Slo("api_availability", "API availability (non-5xx)", s.FORGE_SLO_API_AVAILABILITY,
            _api_availability),
        Slo("api_latency", f"API answered within {latency_edge} ms",
            s.FORGE_SLO_API_LATENCY_OBJECTIVE, _api_latency),
        Slo("pipeline_success", "Generation pipelines succeed (user cancels excluded)",
            s.FORGE_SLO_PIPELINE_SUCCESS, _run_success("generation")),
        Slo("draft_pipeline_latency",
            f"Draft pipelines finish within {s.FORGE_SLO_DRAFT_PIPELINE_SECONDS:g} s",
            s.FORGE_SLO_DRAFT_PIPELINE_OBJECTIVE, _draft_latency),
        Slo("export_success", "Exports succeed (user cancels excluded)",
            s.FORGE_SLO_EXPORT_SUCCESS, _run_success("export")),
    ]  # fmt: skip


def slo_window(slo: Slo, *, label: str, length: timedelta, now: datetime) -> SloWindow:
    """Measure `slo` over the `length` before `now`."""
    bad, total = slo.events(now - length, now + timedelta(microseconds=1))
    return SloWindow(label=label, total=total, bad=bad, objective=slo.objective)


def slo_report(*, now: datetime | None = None) -> list[dict]:
    """Return every SLO with its 1 h, 24 h and 30 d windows (events, budget left, burn rate)."""
    now = now or timezone.now()
    return [
        {
            "slo": slo,
            "windows": [
                slo_window(slo, label=label, length=length, now=now) for label, length in WINDOWS
            ],
        }
        for slo in slo_definitions()
    ]

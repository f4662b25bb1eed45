"""The errors overview: charts, rates and SLOs on one admin page."""

from datetime import timedelta

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from errors import charts, selectors
from errors.admin.common import ErrorsModelAdmin
from errors.models import (
    ErrorGroup,
    ErrorOverview,
)
from errors.slo import slo_report
from forge.health import run_success_rate


@admin.register(ErrorOverview)
class ErrorOverviewAdmin(ErrorsModelAdmin):
    """The overview page, listed on the admin index as Errors › Overview."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from pipelines.providers.meshy.balance import meshy_balance_status

        now = timezone.now()
        today = selectors.day_floor(now)
        chart = selectors.error_hourly_by_severity(days=7, now=now)
        context = {
            **self.admin_site.each_context(request),
            "title": "Errors overview",
            "opts": self.model._meta,
            "chart": charts.stacked_hours_svg(chart["hours"], chart["series"]),
            "severity_colours": charts.SEVERITY_COLOURS,
            "week_totals": {s: sum(v) for s, v in chart["series"].items()},
            "stats": selectors.error_stats(now=now),
            "top_groups": selectors.error_top_groups(since=now - timedelta(hours=24)),
            "new_groups": ErrorGroup.objects.filter(first_seen__gte=today).order_by("-first_seen")[
                :20
            ],
            "regressions": ErrorGroup.objects.filter(regressed_at__gte=today).order_by(
                "-regressed_at"
            )[:20],
            "groups_url": reverse("admin:errors_errorgroup_changelist"),
            "meshy": meshy_balance_status(),
            # Success rates of runs over the health window (forge/health.py).
            "run_rates": {
                "Generation": run_success_rate("generation"),
                "Exports": run_success_rate("export"),
            },
            "slos": slo_report(now=now),
        }
        return TemplateResponse(request, "errors/admin/overview.html", context)

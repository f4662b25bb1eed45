"""Occurrences in the admin: one recorded error each, with its event as reported."""

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from errors import event_display
from errors.admin.common import ViewOnlyAdmin
from errors.models import (
    ErrorOccurrence,
)


@admin.register(ErrorOccurrence)
class ErrorOccurrenceAdmin(ViewOnlyAdmin):
    list_display = [
        "occurred_at",
        "group_link",
        "method",
        "route",
        "http_status",
        "severity",
        "external_service",
        "user",
        "request_id",
    ]
    list_filter = [
        "severity",
        "category",
        ("external_service", admin.AllValuesFieldListFilter),
        "project",
        ("environment", admin.AllValuesFieldListFilter),
    ]
    date_hierarchy = "occurred_at"
    search_fields = ["=request_id", "message", "route"]
    list_select_related = ["group", "user"]
    show_full_result_count = False
    fields = [
        "group_link",
        "occurred_at",
        "request_id",
        "method",
        "route",
        "http_status",
        "severity",
        "category",
        "external_service",
        "project",
        "environment",
        "release",
        "error_type",
        "error_code",
        "user",
        "message",
        "exception_display",
        "breadcrumbs_display",
        "stack_trace_pre",
        "context_pre",
        "fingerprint",
    ]
    readonly_fields = fields

    @admin.display(description="Group")
    def group_link(self, obj):
        url = reverse("admin:errors_errorgroup_change", args=[obj.group_id])
        return format_html('<a href="{}">{}</a>', url, obj.group.title)

    @admin.display(description="Stack trace (reported)")
    def exception_display(self, obj):
        return event_display.exception_html(obj.context) or "—"

    @admin.display(description="Breadcrumbs")
    def breadcrumbs_display(self, obj):
        return event_display.breadcrumbs_html(obj.context) or "—"

    @admin.display(description="Stack trace")
    def stack_trace_pre(self, obj):
        return format_html('<pre class="errors-pre">{}</pre>', obj.stack_trace or "—")

    @admin.display(description="Context")
    def context_pre(self, obj):
        return format_html(
            '<pre class="errors-pre">{}</pre>', json.dumps(obj.context, indent=2, default=str)
        )

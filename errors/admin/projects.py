"""Reporting projects in the admin: DSN keys, rotation and revocation, and raw ingest events."""

import threading

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from errors import services
from errors.admin.common import ErrorsModelAdmin, ReadOnlyInline, ViewOnlyAdmin
from errors.models import (
    ErrorIngestEvent,
    ErrorProject,
    ErrorProjectKey,
)


class ErrorProjectKeyInline(ReadOnlyInline):
    model = ErrorProjectKey
    fields = ["public_key", "dsn", "is_active", "created_at", "revoked_at"]
    readonly_fields = fields
    verbose_name_plural = "DSN keys (rotate and revoke from the projects and keys lists)"

    @admin.display(description="DSN")
    def dsn(self, obj):
        request = getattr(_current, "request", None)
        base = request.build_absolute_uri("/") if request is not None else "http://localhost/"
        return services.error_project_dsn(key=obj, base_url=base) if obj.is_active else "—"


_current = threading.local()


class ErrorProjectForm(forms.ModelForm):
    class Meta:
        model = ErrorProject
        fields = ["name", "platform", "rate_limit_per_minute", "retention_days", "allowed_origins"]


@admin.register(ErrorProject)
class ErrorProjectAdmin(ErrorsModelAdmin):
    """Services that report with a Sentry SDK: create one, paste its DSN into the SDK."""

    form = ErrorProjectForm
    list_display = ["name", "platform", "rate_limit_per_minute", "retention_days", "active_keys"]
    inlines = [ErrorProjectKeyInline]
    actions = ["rotate_keys"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_inline_instances(self, request, obj=None):
        _current.request = request
        return super().get_inline_instances(request, obj) if obj is not None else []

    @admin.display(description="Active keys")
    def active_keys(self, obj):
        return obj.keys.filter(is_active=True).count()

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ErrorProjectForm.Meta.fields}
        if change:
            services.error_project_update(project=obj, **data)
        else:
            created = services.error_project_create(**data)
            obj.pk, obj.created_at = created.pk, created.created_at
            obj._state.adding = False

    @admin.action(description="Add a new DSN key (rotate)", permissions=["change"])
    def rotate_keys(self, request, queryset):
        for project in queryset:
            services.error_project_key_rotate(project=project)
        self.message_user(
            request,
            "New keys added; revoke the old ones once every SDK uses the new DSN.",
            messages.SUCCESS,
        )


@admin.register(ErrorProjectKey)
class ErrorProjectKeyAdmin(ErrorsModelAdmin):
    list_display = ["public_key", "project", "is_active", "created_at", "revoked_at"]
    list_filter = ["is_active", "project"]
    actions = ["revoke_keys"]
    readonly_fields = ["project", "public_key", "is_active", "created_at", "revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        for key in queryset:
            services.error_project_key_revoke(key=key)
        self.message_user(
            request,
            "Revoked. SDKs using them get 403 within FORGE_INGEST_KEY_CACHE_SECONDS.",
            messages.SUCCESS,
        )


class IngestOutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("failed", "Failed to record"), ("pending", "Pending"), ("recorded", "Recorded")]

    def queryset(self, request, queryset):
        match self.value():
            case "failed":
                return queryset.exclude(failure="")
            case "pending":
                return queryset.filter(processed_at__isnull=True)
            case "recorded":
                return queryset.filter(processed_at__isnull=False, failure="")
        return queryset


@admin.register(ErrorIngestEvent)
class ErrorIngestEventAdmin(ViewOnlyAdmin):
    """Raw events as SDKs sent them: pending ones, and the ones that could not be recorded."""

    list_display = ["event_id", "project", "received_at", "processed_at", "failure"]
    list_filter = [IngestOutcomeFilter, "project"]
    readonly_fields = [
        "project", "event_id", "received_at", "processed_at", "failure", "client_ip", "raw_event"
    ]  # fmt: skip
    exclude = ["payload"]
    show_full_result_count = False

    @admin.display(description="Event as sent")
    def raw_event(self, obj):
        text = bytes(obj.payload)[:20_000].decode("utf-8", "replace")
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", text)

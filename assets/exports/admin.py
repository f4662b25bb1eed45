"""Staff screens for export jobs and presets; actions call the exports services."""

from django.contrib import admin, messages

from assets.exports.models import ExportJob, ExportPreset
from assets.exports.services import export_cancel, export_retry
from forge.exceptions import ApplicationError


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["pipeline_id", "owner", "format", "quality", "texture_size", "asset_count"]
    list_display += ["status", "error_code", "size_after", "created_at", "expires_at"]
    list_filter = ["format", "quality", "texture_size", "pipeline__status", "created_at"]
    list_filter += ["pipeline__error_code"]
    search_fields = ["pipeline__id", "owner__username", "pipeline__request_id"]
    list_select_related = ["owner", "pipeline"]
    date_hierarchy = "created_at"
    actions = ["retry_exports", "cancel_exports"]
    readonly_fields = [f.name for f in ExportJob._meta.fields] + ["request_id", "error_message"]
    exclude = ["assets"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Status", ordering="pipeline__status")
    def status(self, job: ExportJob) -> str:
        return job.pipeline.status

    @admin.display(description="Error code")
    def error_code(self, job: ExportJob) -> str:
        return job.pipeline.error_code

    @admin.display(description="Error (staff only)")
    def error_message(self, job: ExportJob) -> str:
        return job.pipeline.error_message

    @admin.display(description="Request ID")
    def request_id(self, job: ExportJob) -> str:
        return job.pipeline.request_id

    def _apply(self, request, queryset, service, verb: str) -> None:
        done, failed = 0, []
        for job in queryset.select_related("pipeline"):
            try:
                service(job=job)
            except ApplicationError as exc:
                failed.append(f"{job.pk}: {exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, f"{verb} {done} export(s).", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Retry selected failed exports")
    def retry_exports(self, request, queryset):
        self._apply(request, queryset, export_retry, "Retried")

    @admin.action(description="Cancel selected exports")
    def cancel_exports(self, request, queryset):
        self._apply(request, queryset, export_cancel, "Canceled")


@admin.register(ExportPreset)
class ExportPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "format", "quality", "texture_size", "updated_at"]
    list_filter = ["format", "quality", "texture_size"]
    search_fields = ["name", "owner__username"]

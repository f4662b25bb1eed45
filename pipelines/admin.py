from django.contrib import admin, messages

from forge.exceptions import ApplicationError
from pipelines.models import GenerationPipeline, PipelineStage
from pipelines.services import pipeline_cancel, pipeline_retry


class PipelineStageInline(admin.TabularInline):
    model = PipelineStage
    extra = 0
    can_delete = False
    ordering = ["order"]
    fields = [
        "order",
        "name",
        "status",
        "progress",
        "attempts",
        "started_at",
        "finished_at",
        "error_code",
        "error_message",
        "external_task_id",
        "output",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GenerationPipeline)
class GenerationPipelineAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "prompt",
        "status",
        "progress",
        "current_stage",
        "attempt",
        "provider",
        "error_code",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status", "provider", "current_stage", "error_code", "created_at"]
    search_fields = ["id", "user__username", "config__prompt", "external_task_id", "request_id"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    inlines = [PipelineStageInline]
    actions = ["cancel_selected", "retry_selected"]
    readonly_fields = [f.name for f in GenerationPipeline._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Prompt")
    def prompt(self, pipeline: GenerationPipeline) -> str:
        return (pipeline.config or {}).get("prompt", "")[:60]

    def _apply(self, request, queryset, service, verb: str) -> None:
        done, failed = 0, []
        for pipeline in queryset:
            try:
                service(pipeline=pipeline)
            except ApplicationError as exc:
                failed.append(f"{pipeline.id}: {exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, f"{verb} {done} pipeline(s).", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Cancel selected pipelines")
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, pipeline_cancel, "Canceled")

    @admin.action(description="Retry selected failed pipelines")
    def retry_selected(self, request, queryset):
        self._apply(request, queryset, pipeline_retry, "Retried")

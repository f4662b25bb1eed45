"""Staff screens for assets, presets and variant statistics.

Every write to assets and variants goes through the services (`asset_update`,
`asset_variant_reorder`, `asset_variant_delete`, `asset_delete`), so tags are normalised,
statistics stay exact, the gallery's caches are refreshed and files are deleted after commit.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from assets.models import (
    Asset,
    AssetVariant,
    CharacterConfiguration,
    MaterialPreset,
    VariantStatistics,
)
from assets.services import (
    asset_delete,
    asset_update,
    asset_variant_delete,
    asset_variant_reorder,
    tags_normalize,
    variant_statistics_recount,
)
from forge.exceptions import ApplicationError

# Fields staff change on the asset page, each handed to `asset_update`.
ASSET_EDITABLE = ("name", "description", "kind", "art_style", "tags", "visibility", "status")


def _thumb(file, size: int = 64) -> str:
    if not file:
        return "—"
    return format_html(
        '<img src="{}" alt="" width="{}" height="{}" style="border-radius:6px">',
        file.url,
        size,
        size,
    )


class AssetVariantInline(admin.TabularInline):
    model = AssetVariant
    extra = 0
    fields = ["preview", "preset", "status", "display_order", "external_task_id", "error_message"]
    readonly_fields = ["preview", "preset", "status", "external_task_id", "error_message"]
    ordering = ["display_order", "created_at"]
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False  # variants are made by the generation pipelines

    @admin.display(description="Preview")
    def preview(self, obj):
        return _thumb(obj.thumbnail, 48)


class AssetAdminForm(forms.ModelForm):
    """Check tags as the services do, so a bad tag is a form error, not a failed save."""

    class Meta:
        model = Asset
        fields = ASSET_EDITABLE

    def clean_tags(self):
        try:
            return tags_normalize(self.cleaned_data.get("tags") or [])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    form = AssetAdminForm
    list_display = [
        "preview", "name", "owner", "kind", "art_style", "visibility", "status", "source",
        "triangle_count", "created_at",
    ]  # fmt: skip
    list_display_links = ["preview", "name"]
    list_filter = ["status", "visibility", "kind", "art_style", "source", "created_at"]
    search_fields = ["name", "description", "owner__username", "=id", "=sha256"]
    list_select_related = ["owner"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over a million rows on every page
    date_hierarchy = "created_at"
    inlines = [AssetVariantInline]
    readonly_fields = [
        "id", "preview_large", "owner", "source", "model_file", "thumbnail", "file_size",
        "sha256", "vertex_count", "triangle_count", "bounding_box", "generation_params",
        "created_at", "updated_at", "statistics",
    ]  # fmt: skip
    fields = [
        "id", "preview_large", "name", "description", "owner", "kind", "art_style", "tags",
        "visibility", "status", "source", "model_file", "thumbnail", "file_size", "sha256",
        "vertex_count", "triangle_count", "bounding_box", "generation_params", "statistics",
        "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # assets come from uploads and pipelines, which check the GLB

    @admin.display(description="Preview")
    def preview(self, obj):
        return _thumb(obj.thumbnail)

    @admin.display(description="Preview")
    def preview_large(self, obj):
        return _thumb(obj.thumbnail, 256)

    @admin.display(description="Variant statistics")
    def statistics(self, obj):
        stats = VariantStatistics.objects.filter(asset=obj).first()
        if stats is None:
            return "—"
        return f"{stats.total} total · {stats.ready} ready · {stats.pending} pending · {stats.failed} failed"

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in ASSET_EDITABLE}
        if changes:
            asset_update(asset=obj, actor=request.user, as_staff=True, **changes)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for variant in formset.deleted_objects:
            asset_variant_delete(variant=variant)
        for variant in instances:  # only display_order is editable here
            asset_variant_reorder(variant=variant, display_order=variant.display_order)

    def delete_model(self, request, obj):
        asset_delete(asset=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for asset in queryset:
            asset_delete(asset=asset, actor=request.user)


@admin.register(MaterialPreset)
class MaterialPresetAdmin(admin.ModelAdmin):
    list_display = [
        "name", "slug", "category", "swatch", "metallic", "roughness", "is_active",
        "display_order",
    ]  # fmt: skip
    list_editable = ["display_order", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "slug", "texture_prompt"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["display_order", "name"]

    @admin.display(description="Colour")
    def swatch(self, obj):
        return format_html(
            '<span style="display:inline-block;width:1.5em;height:1.5em;border-radius:4px;'
            'border:1px solid #999;background:{}" title="{}"></span>',
            obj.base_color,
            obj.base_color,
        )


@admin.register(VariantStatistics)
class VariantStatisticsAdmin(admin.ModelAdmin):
    list_display = ["asset", "total", "ready", "pending", "failed", "last_generated_at"]
    list_select_related = ["asset"]
    search_fields = ["=asset__id", "asset__name"]
    readonly_fields = ["asset", "total", "ready", "pending", "failed", "last_generated_at"]
    actions = ["recount"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Recount from the variants")
    def recount(self, request, queryset):
        for stats in queryset:
            variant_statistics_recount(asset_id=stats.asset_id)
        messages.success(request, f"Recounted {queryset.count()} assets.")


from assets.exports import admin as exports_admin  # noqa: E402, F401 - registers its screens


@admin.register(CharacterConfiguration)
class CharacterConfigurationAdmin(admin.ModelAdmin):
    """Staff view of character configurations (read-only: users change them in the editor)."""

    list_display = ("name", "owner", "version", "visibility", "asset", "updated_at")
    list_filter = ("visibility",)
    search_fields = ("name", "owner__username")
    readonly_fields = [f.name for f in CharacterConfiguration._meta.fields]
    list_select_related = ("owner", "asset")

    def has_add_permission(self, request) -> bool:
        return False

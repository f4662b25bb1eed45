"""Pieces the errors admin pages share: view-only pages and inlines, the severity badge."""

from django.contrib import admin
from django.utils.html import format_html

from errors import charts


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows written only by Forge itself: staff read them, nobody adds or edits one here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def severity_badge(severity: str):
    return format_html(
        '<span class="errors-badge" style="background:{}">{}</span>',
        charts.SEVERITY_COLOURS.get(severity, "#868e96"),
        severity,
    )

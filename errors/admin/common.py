"""Pieces the errors admin pages share: the base admin, view-only pages and inlines, the badge."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR
from django.core.exceptions import ValidationError
from django.db import DataError, ProgrammingError, router, transaction
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import format_html

from errors import charts
from forge.parsers import unsafe_text_message

# Query-string keys of a change list that are not lookups (Django's own, plus page and ?e=1).
NOT_LOOKUPS = frozenset({*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG})
REGEX_LOOKUPS = frozenset({"regex", "iregex"})
INVALID_SELECTION = "No items have been changed: a selected item is not a valid id."


def _is_regex_lookup(lookup: str) -> bool:
    return lookup.rsplit(LOOKUP_SEP, 1)[-1] in REGEX_LOOKUPS


class ErrorsModelAdmin(admin.ModelAdmin):
    """The base of every errors admin: input the database cannot take is refused, never a 500.

    Django's admin turns most bad list parameters into a redirect to `?e=1`
    (`IncorrectLookupParameters`), but only errors raised while the queryset is built; the
    queryset is lazy, so what PostgreSQL itself refuses surfaces later as a 500. Here:

    - a change-list query string holding a NUL (or a lone surrogate) anywhere is refused up
      front: PostgreSQL text cannot hold NUL (`forge.parsers`, as for the API);
    - `__regex` / `__iregex` lookups are refused: Django's `lookup_allowed` only restricts
      lookups that follow relations, so `?title__regex=(` reached PostgreSQL, which rejects an
      invalid pattern when the list is evaluated (and runs any valid one over the whole table).
      No list filter here uses one;
    - a `DataError` or `ProgrammingError` raised while the change list is evaluated for a
      query string with lookups in it (a malformed array literal, a lookup whose extension
      is not installed) is a bad lookup too. Without lookups it is a real fault and raises;
    - an action whose selected ids are not all valid primary keys changes nothing, with a
      message (Django's `response_action` lets `pk__in=["abc"]` raise `ValueError`).
    """

    def lookup_allowed(self, lookup, value, request=None):
        if _is_regex_lookup(lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist_instance(self, request):
        lookups = [key for key in request.GET if key not in NOT_LOOKUPS]
        for key, values in request.GET.lists():
            for text in (key, *values):
                message = unsafe_text_message(text)
                if message:
                    raise IncorrectLookupParameters(message)
        for key in lookups:
            if _is_regex_lookup(key):
                raise IncorrectLookupParameters(f"Filtering by {key} not allowed")
        if not lookups:
            return super().get_changelist_instance(request)
        try:
            # A savepoint, so the failed statement leaves the request's connection usable.
            with transaction.atomic(using=router.db_for_read(self.model)):
                return super().get_changelist_instance(request)
        except (DataError, ProgrammingError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                pk.run_validators(pk.to_python(value))
            except ValidationError:
                self.message_user(request, INVALID_SELECTION, messages.WARNING)
                return None
        return super().response_action(request, queryset)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(ErrorsModelAdmin):
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

"""Error groups in the admin: the list with its filters, the group page, transitions, merge."""

import json
import threading

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from errors import charts, event_display, selectors, services
from errors.admin.common import ErrorsModelAdmin, ReadOnlyInline, severity_badge
from errors.admin.forms import EnvironmentsForm, IgnoreForm, NoteForm, UnmergeForm
from errors.models import (
    ErrorFingerprintAlias,
    ErrorGroup,
    ErrorGroupActivity,
    ErrorGroupStatus,
    ErrorOccurrence,
    ErrorProject,
)
from forge.exceptions import ValidationFailedError

RECENT_OCCURRENCES = 20
TRANSITIONS = {
    "resolve": "Resolve",
    "ignore": "Ignore",
    "reopen": "Reopen",
}


_sparklines = threading.local()


class RecentOccurrenceFormSet(BaseInlineFormSet):
    def get_queryset(self):
        qs = super().get_queryset()
        ids = list(qs.order_by("-occurred_at").values_list("pk", flat=True)[:RECENT_OCCURRENCES])
        return qs.filter(pk__in=ids).select_related("user").order_by("-occurred_at")


class RecentOccurrenceInline(ReadOnlyInline):
    model = ErrorOccurrence
    formset = RecentOccurrenceFormSet
    verbose_name_plural = f"Recent occurrences (latest {RECENT_OCCURRENCES})"
    fields = [
        "link",
        "events",
        "method",
        "route",
        "http_status",
        "severity",
        "user",
        "request_id",
        "message",
    ]
    readonly_fields = fields

    @admin.display(description="When (UTC)")
    def link(self, obj):
        url = reverse("admin:errors_erroroccurrence_change", args=[obj.pk])
        # Formatted first: format_html escapes its arguments to text, which a date format rejects.
        return format_html('<a href="{}">{}</a>', url, f"{obj.occurred_at:%Y-%m-%d %H:%M:%S}")

    @admin.display(description="Events")
    def events(self, obj):
        """This row and the identical events of its hour folded into it."""
        return 1 + obj.repeats


class ActivityInline(ReadOnlyInline):
    model = ErrorGroupActivity
    verbose_name_plural = "Activity log"
    fields = ["created_at", "actor_display", "action", "from_status", "to_status", "note"]
    readonly_fields = fields

    @admin.display(description="Who")
    def actor_display(self, obj):
        return obj.actor or "Forge (automatic)"


class _OccurrenceFilter(admin.SimpleListFilter):
    """Groups with at least one occurrence whose `field` has the chosen value.

    A value the field cannot take (`?project=abc`) is a bad lookup, as in Django's own field
    filters (and this list's base admin refuses a NUL before any filter runs).
    """

    field = ""

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            occurrences = ErrorOccurrence.objects.filter(
                group=OuterRef("pk"), **{self.field: self.value()}
            )
        except (ValueError, ValidationError) as exc:
            raise IncorrectLookupParameters(exc) from exc
        return queryset.filter(Exists(occurrences))


class ProjectFilter(_OccurrenceFilter):
    title = "project"
    parameter_name = "project"
    field = "project_id"

    def lookups(self, request, model_admin):
        return [(str(p.pk), p.name) for p in ErrorProject.objects.order_by("name")]


class EnvironmentFilter(_OccurrenceFilter):
    title = "environment"
    parameter_name = "environment"
    field = "environment"

    def lookups(self, request, model_admin):
        return [(v, v) for v in selectors.error_occurrence_values(field="environment")]


class ReleaseFilter(_OccurrenceFilter):
    title = "release"
    parameter_name = "release"
    field = "release"

    def lookups(self, request, model_admin):
        return [(v, v) for v in selectors.error_occurrence_values(field="release")]


@admin.register(ErrorGroup)
class ErrorGroupAdmin(ErrorsModelAdmin):
    list_display = [
        "title",
        "severity_badge",
        "category",
        "external_service",
        "status",
        "times_seen",
        "last_seen",
        "last_24h",
    ]
    list_filter = [
        "status",
        "severity",
        "category",
        ("external_service", admin.AllValuesFieldListFilter),
        ProjectFilter,
        EnvironmentFilter,
        ReleaseFilter,
    ]
    date_hierarchy = "last_seen"
    search_fields = ["title", "culprit", "error_type", "=fingerprint"]
    ordering = ["-last_seen"]
    list_per_page = 50
    actions = ["resolve_groups", "ignore_groups", "reopen_groups", "merge_groups"]
    inlines = [RecentOccurrenceInline, ActivityInline]
    change_form_template = "errors/admin/errorgroup_change_form.html"
    change_list_template = "errors/admin/errorgroup_change_list.html"
    fieldsets = [
        (None, {"fields": ["title", "culprit", "error_type", "status_line", "last_24h"]}),
        (
            "Classification",
            {
                "fields": [
                    "severity",
                    "category",
                    "external_service",
                    "fingerprint",
                    "merged_fingerprints",
                    "environments_line",
                ]
            },
        ),
        ("Counts", {"fields": ["times_seen", "first_seen", "last_seen", "regressed_at"]}),
        (
            "Resolution",
            {
                "fields": [
                    "resolved_by",
                    "resolved_at",
                    "resolution_note",
                    "ignore_condition",
                    "ignore_until",
                    "ignore_threshold",
                ]
            },
        ),
        ("Tags", {"fields": ["tag_facets"]}),
        (
            "Latest occurrence",
            {
                "fields": [
                    "latest_exception",
                    "latest_breadcrumbs",
                    "latest_stack_trace",
                    "latest_context",
                ]
            },
        ),
    ]

    # -- permissions: groups are made by recording, changed only through actions
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    # -- list columns
    @admin.display(description="Severity", ordering="severity")
    def severity_badge(self, obj):
        return severity_badge(obj.severity)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        _sparklines.values = selectors.error_group_sparklines(
            group_ids=[g.pk for g in changelist.result_list]
        )
        return changelist

    @admin.display(description="Last 24 hours")
    def last_24h(self, obj):
        values = getattr(_sparklines, "values", {}).get(obj.pk)
        if values is None:
            values = selectors.error_group_sparklines(group_ids=[obj.pk])[obj.pk]
        return charts.sparkline_svg(values)

    # -- group page
    @admin.display(description="Status")
    def status_line(self, obj):
        links = format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse("admin:errors_errorgroup_transition", args=[obj.pk, action]), label)
                for action, label in TRANSITIONS.items()
                if not (action == "resolve" and obj.status == ErrorGroupStatus.RESOLVED)
                and not (action == "reopen" and obj.status == ErrorGroupStatus.UNRESOLVED)
            ),
        )
        return format_html("<strong>{}</strong> &nbsp; {}", obj.get_status_display(), links)

    def _latest(self, obj):
        if not hasattr(obj, "_latest_occurrence"):
            obj._latest_occurrence = obj.occurrences.order_by("-occurred_at").first()
        return obj._latest_occurrence

    @admin.display(description="Stack trace")
    def latest_stack_trace(self, obj):
        latest = self._latest(obj)
        if latest is None or not latest.stack_trace:
            return "—"
        return format_html('<pre class="errors-pre">{}</pre>', latest.stack_trace)

    @admin.display(description="Context")
    def latest_context(self, obj):
        latest = self._latest(obj)
        if latest is None:
            return "—"
        return format_html(
            '<pre class="errors-pre">{}</pre>', json.dumps(latest.context, indent=2, default=str)
        )

    @admin.display(description="Stack trace (reported)")
    def latest_exception(self, obj):
        latest = self._latest(obj)
        return (event_display.exception_html(latest.context) if latest else "") or "—"

    @admin.display(description="Breadcrumbs")
    def latest_breadcrumbs(self, obj):
        latest = self._latest(obj)
        return (event_display.breadcrumbs_html(latest.context) if latest else "") or "—"

    @admin.display(description="Tags (latest 500 occurrences)")
    def tag_facets(self, obj):
        facets = selectors.error_group_tag_facets(group_id=obj.pk)
        if not facets:
            return "—"
        return format_html(
            "<div class='errors-facets'>{}</div>",
            format_html_join(
                "",
                "<div class='errors-facet'><strong>{}</strong><ul>{}</ul></div>",
                (
                    (
                        key,
                        format_html_join("", "<li>{} <small>({})</small></li>", values[:10]),
                    )
                    for key, values in facets.items()
                ),
            ),
        )

    @admin.display(description="Merged fingerprints")
    def merged_fingerprints(self, obj):
        aliases = ErrorFingerprintAlias.objects.filter(group=obj).order_by("created_at")
        if not aliases:
            return "— (select groups in the list and use “Merge selected groups”)"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant
            '{} “{}” <a class="button" href="{}?fingerprint={}">Unmerge</a>',
            (
                (
                    a.fingerprint[:12],
                    a.title,
                    reverse("admin:errors_errorgroup_unmerge", args=[obj.pk]),
                    a.fingerprint,
                )
                for a in aliases
            ),
        )

    @admin.display(description="Ignored in environments")
    def environments_line(self, obj):
        return format_html(
            '{} <a class="button" href="{}">Change</a>',
            ", ".join(obj.ignored_environments) or "none",
            reverse("admin:errors_errorgroup_environments", args=[obj.pk]),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    # -- actions
    def get_urls(self):
        return [
            path(
                "<int:group_id>/transition/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="errors_errorgroup_transition",
            ),
            path(
                "<int:group_id>/unmerge/",
                self.admin_site.admin_view(self.unmerge_view),
                name="errors_errorgroup_unmerge",
            ),
            path(
                "<int:group_id>/environments/",
                self.admin_site.admin_view(self.environments_view),
                name="errors_errorgroup_environments",
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request: HttpRequest, group_id: int, action: str):
        group = get_object_or_404(ErrorGroup, pk=group_id)
        if action not in TRANSITIONS or not self.has_change_permission(request, group):
            return HttpResponseRedirect(reverse("admin:errors_errorgroup_change", args=[group_id]))
        response = self._transition(request, ErrorGroup.objects.filter(pk=group_id), action)
        if response is None:
            return HttpResponseRedirect(reverse("admin:errors_errorgroup_change", args=[group_id]))
        return response

    def _page(self, request, group, *, title: str, form, verb: str, intro: str = ""):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "group": group,
            "form": form,
            "verb": verb,
            "intro": intro,
        }
        return TemplateResponse(request, "errors/admin/errorgroup_page.html", context)

    def unmerge_view(self, request: HttpRequest, group_id: int):
        group = get_object_or_404(ErrorGroup, pk=group_id)
        back = HttpResponseRedirect(reverse("admin:errors_errorgroup_change", args=[group_id]))
        if not self.has_change_permission(request, group):
            return back
        fingerprint = request.POST.get("fingerprint") or request.GET.get("fingerprint", "")
        form = UnmergeForm(request.POST or None, fingerprint=fingerprint)
        if request.method == "POST" and form.is_valid():
            try:
                split = services.error_group_unmerge(
                    group=group,
                    fingerprint=fingerprint,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationFailedError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return back
            self.message_user(request, f"Unmerged into group #{split.pk}.", messages.SUCCESS)
            return back
        return self._page(
            request,
            group,
            title=f"Unmerge fingerprint {fingerprint[:12]} from “{group.title}”",
            form=form,
            verb="Unmerge",
            intro="Its occurrences and their counts move to a group of their own.",
        )

    def environments_view(self, request: HttpRequest, group_id: int):
        group = get_object_or_404(ErrorGroup, pk=group_id)
        back = HttpResponseRedirect(reverse("admin:errors_errorgroup_change", args=[group_id]))
        if not self.has_change_permission(request, group):
            return back
        form = EnvironmentsForm(
            request.POST or None,
            initial={"environments": "\n".join(group.ignored_environments)},
        )
        if request.method == "POST" and form.is_valid():
            services.error_group_environments_ignore(
                group=group,
                environments=form.cleaned_data["environments"].splitlines(),
                actor=request.user,
                note=form.cleaned_data["note"],
            )
            self.message_user(request, "Ignored environments saved.", messages.SUCCESS)
            return back
        return self._page(
            request, group, title=f"Ignore “{group.title}” per environment", form=form, verb="Save"
        )

    @admin.action(description="Merge selected groups", permissions=["change"])
    def merge_groups(self, request, queryset):
        try:
            kept = services.error_groups_merge(
                groups=list(queryset.values_list("pk", flat=True)), actor=request.user
            )
        except ValidationFailedError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        self.message_user(
            request, f"Merged into group #{kept.pk} “{kept.title}”.", messages.SUCCESS
        )
        return None

    def _transition(self, request: HttpRequest, queryset, action: str):
        form_class = IgnoreForm if action == "ignore" else NoteForm
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    changed = services.error_groups_transition(
                        groups=list(queryset.values_list("pk", flat=True)),
                        actor=request.user,
                        action=action,
                        **form.transition_kwargs(),
                    )
                except ValidationFailedError as exc:
                    form.add_error(None, exc.message)
                else:
                    self.message_user(
                        request,
                        f"{TRANSITIONS[action]}: {changed} of {queryset.count()} group(s) changed.",
                        messages.SUCCESS,
                    )
                    return None
        else:
            form = form_class()
        context = {
            **self.admin_site.each_context(request),
            "title": f"{TRANSITIONS[action]} {queryset.count()} error group(s)",
            "opts": self.model._meta,
            "groups": queryset.order_by("-last_seen")[:100],
            "count": queryset.count(),
            "form": form,
            "action": f"{action}_groups",
            "verb": TRANSITIONS[action],
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            or [str(pk) for pk in queryset.values_list("pk", flat=True)],
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "errors/admin/errorgroup_transition.html", context)

    @admin.action(description="Resolve selected groups…", permissions=["change"])
    def resolve_groups(self, request, queryset):
        return self._transition(request, queryset, "resolve")

    @admin.action(description="Ignore selected groups…", permissions=["change"])
    def ignore_groups(self, request, queryset):
        return self._transition(request, queryset, "ignore")

    @admin.action(description="Reopen selected groups…", permissions=["change"])
    def reopen_groups(self, request, queryset):
        return self._transition(request, queryset, "reopen")


@admin.register(ErrorGroupActivity)
class ErrorGroupActivityAdmin(ErrorsModelAdmin):
    list_display = ["created_at", "group", "actor", "action", "from_status", "to_status", "note"]
    list_filter = ["action", "to_status"]
    date_hierarchy = "created_at"
    list_select_related = ["group", "actor"]
    search_fields = ["note", "group__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

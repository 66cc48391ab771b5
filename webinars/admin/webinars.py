"""The webinar admin: its form read in the webinar's own zone, lists, actions."""

import zoneinfo

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, F, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from series.access import organises_all_series
from series.admin import URL_AS_HTTPS
from series.admin_scope import NOT_YOURS, ScopedInline, SeriesScopedAdmin
from webinars.admin.export import registrations_csv
from webinars.admin.fields import (
    WebinarTimesMedia,
    time_zone_field,
)
from webinars.admin.forms import WebinarAdminForm
from webinars.admin.series import QuestionInline, next_in_series
from webinars.admin.series_webinars import state_label
from webinars.formatting import span
from webinars.models import (
    Registration,
    Webinar,
    WebinarSpeaker,
    available_time_zones,
    registration_count,
)
from webinars.rules import phase
from webinars.services import (
    webinar_duplicate,
    webinar_save,
)


class WebinarSpeakerInline(ScopedInline, admin.TabularInline):
    model = WebinarSpeaker
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = ["speaker", "role", "order"]


class WhenFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(phase.not_over_q(timezone.now()))
        if self.value() == "past":
            return queryset.filter(phase.over_q(timezone.now()))
        return queryset


@admin.register(Webinar)
class WebinarAdmin(SeriesScopedAdmin, TranslationAdmin):
    """Webinars; start, end and closing time are typed and shown in the webinar's own zone."""

    form = WebinarAdminForm
    formfield_overrides = URL_AS_HTTPS
    actions = ["duplicate"]
    # Few, narrow columns so the list fits beside admin's menu and filters at 1366 px.
    list_display = [
        "title_series",
        "start_local",
        "state",
        "seats",
        "waiting",
    ]
    # The title cell makes its own link, so the series under it is not part of the link's name.
    list_display_links = None
    Media = WebinarTimesMedia
    list_filter = ["series", "status", "is_published", WhenFilter]
    list_select_related = ["series"]
    search_fields = ["title", "description", "series__title", "webinar_speakers__speaker__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["series"]
    inlines = [WebinarSpeakerInline, QuestionInline]
    readonly_fields = ["registrations", "uid", "sequence", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["series", "number", "title", "slug", "description", "cover_image"]}),
        # The zone first: the times below are read in it.
        (
            _("When"),
            {
                "fields": [
                    "time_zone",
                    "start",
                    "start_occurrence",
                    "duration",
                    "end",
                    "end_occurrence",
                ]
            },
        ),
        (_("Where"), {"fields": ["location", "event_url", "meeting_provider", "join_url"]}),
        (
            _("Registration and publishing"),
            {
                "fields": [
                    "capacity",
                    "registration_closes",
                    "registration_closes_occurrence",
                    "requires_approval",
                    "confirm_email",
                    "show_registered_count",
                    "reminders",
                    "status",
                    "is_published",
                    "registrations",
                ]
            },
        ),
        (
            _("After the webinar"),
            {
                "classes": ["collapse"],
                "fields": ["recording_url", "recording_audience", "summary", "summary_audience"],
            },
        ),
        (
            _("Calendar"),
            {"classes": ["collapse"], "fields": ["uid", "sequence", "created", "updated"]},
        ),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django reads and shows datetimes in the active zone; make that the webinar's own
        # (the one submitted, else the saved one), so "10:00" means 10:00 where it happens.
        tz_name = request.POST.get("time_zone", "")
        if tz_name not in available_time_zones() and object_id:
            saved = Webinar.objects.filter(pk=object_id).values_list("time_zone", flat=True)
            tz_name = saved.first() or ""
        if tz_name not in available_time_zones():
            tz_name = request.GET.get("time_zone") or settings.TIME_ZONE
        if tz_name not in available_time_zones():
            tz_name = settings.TIME_ZONE
        with timezone.override(zoneinfo.ZoneInfo(tz_name)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    @admin.display(description=_("registrations"))
    def registrations(self, obj):
        if obj is None or not obj.pk:
            return _("None yet: save the webinar first.")
        listed = reverse("admin:webinars_registration_changelist") + f"?webinar__id__exact={obj.pk}"
        export = reverse("admin:webinars_webinar_registrations_csv", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> · <a href="{}" download>{}</a> · <a href="{}" download>{}</a>',
            listed,
            _("See the registrations"),
            export,
            _("Export them as CSV (times in the webinar's zone)"),
            export + "?sep=semicolon",
            _("for Excel with ; between cells"),
        )

    def get_urls(self):
        export = path(
            "<int:pk>/registrations.csv",
            self.admin_site.admin_view(self.registrations_csv_view),
            name="webinars_webinar_registrations_csv",
        )
        duplicate = path(
            "<int:pk>/duplicate/",
            self.admin_site.admin_view(self.duplicate_view),
            name="webinars_webinar_duplicate",
        )
        return [export, duplicate, *super().get_urls()]

    def duplicate_view(self, request, pk):
        """A page that asks before copying (a link must not write); POST makes the copy."""
        webinar = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self.duplicate(request, Webinar.objects.filter(pk=webinar.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": webinar,
            "title": _("Duplicate %(title)s") % {"title": webinar.title},
            "when": span(webinar.local_start, webinar.local_end),
        }
        return TemplateResponse(request, "admin/webinars/duplicate_confirm.html", context)

    def registrations_csv_view(self, request, pk):
        """The webinar's registrations, in a file named after it, times in its own zone."""
        webinar = get_object_or_404(Webinar.objects.filter(self.scope_q(request)), pk=pk)
        registrations = self.admin_site.get_model_admin(Registration)
        if not registrations.has_view_permission(request):
            raise PermissionDenied
        name = slugify(webinar.title)[:80] or webinar.slug
        start = webinar.local_start
        semicolon = request.GET.get("sep") == "semicolon"
        return registrations_csv(
            webinar.registrations.all(),
            filename=f"registrations-{start:%Y-%m-%d}-{name}{'-excel' if semicolon else ''}.csv",
            tz=webinar.tz,
            delimiter=";" if semicolon else ",",
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return time_zone_field()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "series" and not organises_all_series(request.user):
            # A webinar without a series belongs to every series' organisers, not to a team.
            field.required = True
            field.error_messages["required"] = NOT_YOURS
        return field

    def get_changeform_initial_data(self, request):
        # A new webinar starts as a draft: a title alone must not go live in one click.
        initial = {"is_published": False, **super().get_changeform_initial_data(request)}
        previous = self._previous_in_series(request)
        if previous is not None:
            initial.update(next_in_series(previous))
        return initial

    def _previous_in_series(self, request) -> Webinar | None:
        """The webinar an "Add the next webinar" link starts from (?after=<pk>), if the user
        organises it."""
        pk = request.GET.get("after", "")
        if not pk.isdigit():
            return None
        found = Webinar.objects.filter(self.scope_q(request), pk=pk)
        return found.prefetch_related("webinar_speakers").first()

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        previous = self._previous_in_series(request) if obj is None or not obj.pk else None
        if previous is not None and isinstance(inline, WebinarSpeakerInline):
            # The same speakers and roles as the last webinar, to keep or change.
            kwargs["initial"] = [
                {"speaker": ws.speaker_id, "role": ws.role, "order": ws.order}
                for ws in previous.webinar_speakers.all()
            ]
        return kwargs

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        previous = self._previous_in_series(request) if obj is None else None
        if previous is not None:
            rows = previous.webinar_speakers.count()
            for inline in inlines:
                if isinstance(inline, WebinarSpeakerInline):
                    inline.extra = max(rows, inline.extra)
        return inlines

    @admin.action(description=_("Duplicate selected webinars (as drafts)"), permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [webinar_duplicate(webinar=w) for w in queryset.order_by("start", "pk")]
        if len(copies) == 1:
            self.message_user(
                request,
                _("Copy made as a draft: set its date and title, then publish it."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:webinars_webinar_change", args=[copies[0].pk])
            )
        self.message_user(
            request,
            ngettext(
                "%(count)d copy made as a draft.", "%(count)d copies made as drafts.", len(copies)
            )
            % {"count": len(copies)},
            messages.SUCCESS,
        )
        return None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_counts()
            .annotate(pending_count=registration_count("pending"))
        )

    def get_ordering(self, request):
        # Upcoming webinars first, the soonest on top; then the past ones, the latest first.
        now = timezone.now()
        is_past = Case(
            When(phase.over_q(now), then=True), default=False, output_field=BooleanField()
        )
        return [is_past.asc(), Case(When(phase.not_over_q(now), then=F("start"))).asc(), "-start"]

    @admin.display(description=_("webinar"), ordering="title")
    def title_series(self, obj):
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:webinars_webinar_change", args=[obj.pk]),
            obj.title,
        )
        extra = format_html('<br><span class="quiet">{}</span>', self.awaiting_approval(obj))
        if not obj.series_id:
            return format_html("{}{}", link, extra)
        if obj.number:
            where = _("%(series)s, no. %(number)s") % {"series": obj.series, "number": obj.number}
        else:
            where = str(obj.series)
        return format_html('{}<br><span class="quiet">{}</span>{}', link, where, extra)

    def awaiting_approval(self, obj):
        """ "N awaiting approval" (linked) and a link to write to the registrants: a line under
        the title, which keeps the list narrow enough for 1366 px."""
        write = reverse("admin:webinars_registrantmessage_add") + f"?webinar={obj.pk}"
        write_link = format_html('<a href="{}">{}</a>', write, _("write to them"))
        if not obj.pending_count:
            return write_link
        url = (
            reverse("admin:webinars_registration_changelist")
            + f"?webinar__id__exact={obj.pk}&status__exact=pending"
        )
        pending = ngettext(
            "%(count)d awaiting approval", "%(count)d awaiting approval", obj.pending_count
        ) % {"count": obj.pending_count}
        return format_html('<a href="{}">{}</a> · {}', url, pending, write_link)

    @admin.display(description=_("state"), ordering="status")
    def state(self, obj):
        return state_label(obj)

    @admin.display(description=_("start (own zone)"), ordering="start")
    def start_local(self, obj):
        # The abbreviations say the zone; the zone's name would widen the column past 1366 px.
        return span(obj.local_start, obj.local_end)

    @admin.display(description=_("confirmed / capacity"), ordering="confirmed_count")
    def seats(self, obj):
        # The count links to the registrations themselves.
        url = reverse("admin:webinars_registration_changelist") + f"?webinar__id__exact={obj.pk}"
        return format_html(
            '<a href="{}" title="{}">{} / {}</a>',
            url,
            _("Registrations"),
            obj.confirmed_count,
            obj.capacity or "∞",
        )

    @admin.display(description=_("waiting"), ordering="waitlisted_count")
    def waiting(self, obj):
        return obj.waitlisted_count

    def save_model(self, request, obj, form, change):
        # An organiser's edit: registrants hear of a cancellation or a new time, a raised
        # capacity promotes waiting registrants, and publishing tells the series' followers.
        webinar_save(webinar=obj)

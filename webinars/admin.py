"""Admin for webinars, speakers and registrations, and the series admin with its webinars."""

import csv
import zoneinfo
from datetime import UTC, datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.db.models import BooleanField, Case, Count, F, Max, When
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from series.admin import URL_AS_HTTPS, BaseSeriesAdmin
from series.models import Series
from webinars import theme
from webinars.models import (
    PendingMail,
    Registration,
    SiteSettings,
    Speaker,
    Webinar,
    WebinarSpeaker,
    available_time_zones,
    default_time_zone,
)
from webinars.services import registration_cancel, webinar_duplicate
from webinars.views.embed import frame_origins, iframe_snippet


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones())]


def time_zone_field() -> forms.TypedChoiceField:
    """The zone as a list to pick from; an unknown name gets the model's own message."""
    return forms.TypedChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial=default_time_zone,
        help_text=_("Visitors see the times in this zone; the start and end are read in it."),
        error_messages={
            "invalid_choice": _(
                "%(value)s is not a known time zone; use a name like Europe/Brussels."
            )
        },
    )


class WallClockField(forms.SplitDateTimeField):
    """A date and time as typed, without a zone: the form attaches the row's own zone."""

    def compress(self, data_list):
        if not data_list:
            return None
        day, clock = data_list
        if day is None or clock is None:
            raise forms.ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        return datetime.combine(day, clock)


class WebinarRowForm(forms.ModelForm):
    """A webinar as one row among others (the series page): each row in its own zone.

    Django reads and shows datetimes in one active zone per page; a series may mix zones,
    so the times here are wall-clock times attached to each row's zone.
    """

    time_zone = time_zone_field()
    start = WallClockField(label=_("start"), widget=widgets.AdminSplitDateTime)
    end = WallClockField(label=_("end"), widget=widgets.AdminSplitDateTime)

    class Meta:
        model = Webinar
        fields = ["number", "title", "start", "end", "time_zone", "status", "is_published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["start"] = self.instance.local_start.replace(tzinfo=None)
            self.initial["end"] = self.instance.local_end.replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        # An unknown zone is reported on its field; the times still need some zone meanwhile.
        zone = zoneinfo.ZoneInfo(cleaned.get("time_zone") or settings.TIME_ZONE)
        for name in ("start", "end"):
            if cleaned.get(name) is not None:
                cleaned[name] = cleaned[name].replace(tzinfo=zone)
        return cleaned


DURATIONS = [
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
    (180, _("3 hours")),
]


def next_in_series(previous: Webinar) -> dict:
    """The add form's initial values for the webinar after `previous` in its series: the next
    number, the same time of day a week later in the same zone, capacity and place."""
    # Adding to a zoned datetime keeps its wall-clock time, across a DST change too.
    start = previous.local_start + timedelta(days=7)
    length = previous.end - previous.start
    numbers = Webinar.objects.filter(series=previous.series_id).aggregate(n=Max("number"))["n"]
    minutes = int(length.total_seconds() // 60)
    return {
        "series": previous.series_id,
        "number": (numbers or 0) + 1 if previous.series_id else None,
        "time_zone": previous.time_zone,
        "start": start,
        "end": start + length,
        "duration": minutes if minutes in dict(DURATIONS) else None,
        "capacity": previous.capacity,
        "location": previous.location,
        "event_url": previous.event_url,
    }


class WebinarAdminForm(forms.ModelForm):
    """The webinar form: the end typed, or worked out from the start and a duration."""

    duration = forms.TypedChoiceField(
        label=_("Duration"),
        choices=[("", _("— or type the end below —")), *DURATIONS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Sets the end from the start; leave empty to type the end yourself."),
    )

    class Meta:
        model = Webinar
        # WebinarAdmin.fieldsets decides which fields the form shows.
        fields = ["start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "end" in self.fields:
            self.fields["end"].required = False

    def clean(self):
        cleaned = super().clean()
        start, minutes = cleaned.get("start"), cleaned.get("duration")
        if start and minutes:
            cleaned["end"] = start + timedelta(minutes=minutes)
        elif not cleaned.get("end") and "end" not in self.errors:
            self.add_error(
                "end",
                forms.ValidationError(_("Give the end, or pick a duration."), code="required"),
            )
        return cleaned


class WebinarInline(admin.TabularInline):
    model = Webinar
    form = WebinarRowForm
    extra = 0
    show_change_link = True
    ordering = ["start"]


class WebinarTimesMedia:
    # Django notes "You are N hours behind server time" beside each time it reads in the
    # server's zone; these forms read every time in the webinar's own zone, so it misleads.
    js = ["js/admin-own-zone.js"]
    css = {"all": ["css/admin-webinars.css"]}


@admin.register(Series)
class SeriesAdmin(BaseSeriesAdmin):
    inlines = [*BaseSeriesAdmin.inlines, WebinarInline]
    readonly_fields = ["add_next_webinar", "embed_snippet"]
    Media = WebinarTimesMedia

    @admin.display(description=_("next webinar"))
    def add_next_webinar(self, obj):
        if obj is None or not obj.pk:
            return _("Save the series first.")
        last = obj.webinars.order_by("-start", "-pk").first()
        url = reverse("admin:webinars_webinar_add")
        if last is None:
            return format_html(
                '<a class="addlink" href="{}?series={}">{}</a>', url, obj.pk, _("Add a webinar")
            )
        return format_html(
            '<a class="addlink" href="{}?after={}&amp;time_zone={}">{}</a><p class="help">{}</p>',
            url,
            last.pk,
            last.time_zone,
            _("Add the next webinar"),
            _(
                "Number, time of day, zone, capacity, place and speakers as in the last one, "
                "a week later."
            ),
        )

    @admin.display(description=_("embed on your website"))
    def embed_snippet(self, obj):
        if obj is None or not obj.pk:
            return _("Save the series first.")
        snippet = iframe_snippet(
            reverse("embed:series", kwargs={"slug": obj.slug}),
            _("Webinars: %(title)s") % {"title": obj.title},
        )
        origins = frame_origins()
        if origins:
            allowed = _("Sites allowed to show it: %(origins)s.") % {"origins": ", ".join(origins)}
        else:
            allowed = _(
                "No site may show it yet: add your website's origin (e.g. https://www.example.org) "
                "to EMBED_ALLOWED_ORIGINS."
            )
        return format_html(
            '<textarea readonly rows="4" cols="90" class="vLargeTextField" aria-label="{}">{}'
            '</textarea><p class="help">{} {}</p>',
            _("HTML to paste"),
            snippet,
            _(
                "Paste this into a page of your website. The script is optional: it makes the "
                "frame as tall as its content."
            ),
            allowed,
        )


class WebinarSpeakerInline(admin.TabularInline):
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
            return queryset.filter(end__gte=timezone.now())
        if self.value() == "past":
            return queryset.filter(end__lt=timezone.now())
        return queryset


@admin.register(Webinar)
class WebinarAdmin(admin.ModelAdmin):
    """Webinars; start, end and closing time are typed and shown in the webinar's own zone."""

    form = WebinarAdminForm
    formfield_overrides = URL_AS_HTTPS
    actions = ["duplicate"]
    # Few, narrow columns so the list fits beside admin's menu and filters at 1366 px.
    list_display = ["title_series", "start_local", "state", "seats", "waiting"]
    # The title cell makes its own link, so the series under it is not part of the link's name.
    list_display_links = None
    Media = WebinarTimesMedia
    list_filter = ["series", "status", "is_published", WhenFilter]
    list_select_related = ["series"]
    search_fields = ["title", "description", "series__title", "webinar_speakers__speaker__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["series"]
    inlines = [WebinarSpeakerInline]
    readonly_fields = ["uid", "sequence", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["series", "number", "title", "slug", "description"]}),
        # The zone first: the times below are read in it.
        (_("When"), {"fields": ["time_zone", "start", "duration", "end"]}),
        (_("Where"), {"fields": ["location", "event_url", "join_url"]}),
        (
            _("Registration and publishing"),
            {"fields": ["capacity", "registration_closes", "status", "is_published"]},
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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            return time_zone_field()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        # A new webinar starts as a draft: a title alone must not go live in one click.
        initial = {"is_published": False, **super().get_changeform_initial_data(request)}
        previous = self._previous_in_series(request)
        if previous is not None:
            initial.update(next_in_series(previous))
        return initial

    def _previous_in_series(self, request) -> Webinar | None:
        """The webinar an "Add the next webinar" link starts from (?after=<pk>)."""
        pk = request.GET.get("after", "")
        if not pk.isdigit():
            return None
        return Webinar.objects.filter(pk=pk).prefetch_related("webinar_speakers").first()

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
        return super().get_queryset(request).with_counts()

    def get_ordering(self, request):
        # Upcoming webinars first, the soonest on top; then the past ones, the latest first.
        now = timezone.now()
        is_past = Case(When(end__lt=now, then=True), default=False, output_field=BooleanField())
        return [is_past.asc(), Case(When(end__gte=now, then=F("start"))).asc(), "-start"]

    @admin.display(description=_("webinar"), ordering="title")
    def title_series(self, obj):
        link = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:webinars_webinar_change", args=[obj.pk]),
            obj.title,
        )
        if not obj.series_id:
            return link
        if obj.number:
            where = _("%(series)s, no. %(number)s") % {"series": obj.series, "number": obj.number}
        else:
            where = str(obj.series)
        return format_html('{}<br><span class="quiet">{}</span>', link, where)

    @admin.display(description=_("state"), ordering="status")
    def state(self, obj):
        if obj.status == Webinar.Status.CANCELLED:
            return _("cancelled")
        return _("published") if obj.is_published else _("draft")

    @admin.display(description=_("start (own zone)"), ordering="start")
    def start_local(self, obj):
        local = obj.local_start
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

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

    # Raising the capacity (here or anywhere through the ORM) promotes waiting registrants:
    # Webinar.save() calls services.webinar_changed, which calls services.webinar_fill_seats.


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = ["name", "affiliation", "slug"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}


# Cells a spreadsheet would run as a formula start with one of these; a leading quote
# makes them text (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _utc(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


CSV_HEADER = [
    "webinar",
    "webinar start (UTC)",
    "name",
    "email",
    "organisation",
    "status",
    "registered at (UTC)",
    "consent at (UTC)",
    "promoted at (UTC)",
    "cancelled at (UTC)",
]


@admin.action(description=_("Export selected registrations as CSV"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registrations.csv"'
    response.write("\ufeff")  # the BOM makes Excel read UTF-8 names correctly
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for r in queryset.select_related("webinar").order_by("webinar__start", "created", "pk"):
        writer.writerow(
            [
                csv_safe(r.webinar.title),
                _utc(r.webinar.start),
                csv_safe(r.name),
                csv_safe(r.email),
                csv_safe(r.organisation),
                r.status,
                _utc(r.created),
                _utc(r.consent_at),
                _utc(r.promoted_at),
                _utc(r.cancelled_at),
            ]
        )
    return response


@admin.action(
    description=_("Cancel selected registrations (promotes the waiting list)"),
    permissions=["change"],
)
def cancel_registrations(modeladmin, request, queryset):
    cancelled = sum(
        registration_cancel(registration=r, by_organiser=True)
        for r in queryset.order_by("created", "pk")
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d registration cancelled; the registrant was told by email.",
            "%(count)d registrations cancelled; the registrants were told by email.",
            cancelled,
        )
        % {"count": cancelled},
        messages.SUCCESS,
    )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "webinar", "status", "created"]
    list_filter = ["status", "webinar__series", "webinar"]
    list_select_related = ["webinar"]
    search_fields = ["name", "email", "organisation"]
    date_hierarchy = "created"
    actions = [export_csv, cancel_registrations]
    readonly_fields = [
        # Status changes go through the actions, so seats are freed and promotions mailed.
        "status",
        "created",
        "updated",
        "consent_at",
        "cancelled_at",
        "promoted_at",
        "details_sent_at",
        "reminder_sent_at",
        "anonymised_at",
    ]
    autocomplete_fields = ["webinar"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a registration to another webinar would bypass its capacity.
        return [*self.readonly_fields, "webinar"] if obj else self.readonly_fields

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            counts = dict.fromkeys(Registration.Status.values, 0)
            rows = cl.queryset.order_by().values_list("status").annotate(n=Count("pk"))
            counts.update(dict(rows))
            response.context_data["status_counts"] = [
                (Registration.Status(status).label, n) for status, n in counts.items()
            ]
        return response

    def has_add_permission(self, request):
        # People register themselves (with consent) through the site, never by hand here.
        return False


@admin.register(PendingMail)
class PendingMailAdmin(admin.ModelAdmin):
    """Mail recorded but not yet composed: normally empty; a row with an error needs a look."""

    list_display = ["kind", "registration", "status", "created", "attempts", "retry_after"]
    list_filter = ["kind"]
    list_select_related = ["registration__webinar"]
    readonly_fields = [f.name for f in PendingMail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The worker composes and deletes these rows; editing one by hand would change a message.
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One record: the list goes straight to it (or to adding it, the first time)."""

    fields = ["site_name", "logo", "accent_colour", "colours_shown", "contact_email", "footer_text"]
    readonly_fields = ["colours_shown"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        record = SiteSettings.objects.order_by("pk").first()
        if record is None:
            return HttpResponseRedirect(reverse("admin:webinars_sitesettings_add"))
        return HttpResponseRedirect(reverse("admin:webinars_sitesettings_change", args=[record.pk]))

    @admin.display(description=_("colours shown"))
    def colours_shown(self, obj):
        if obj is None or not obj.accent_colour:
            return _("The house colours (#1f5a85 on light pages, #8fc3f2 on dark ones).")
        return _(
            "Light mode: %(light)s (%(light_ratio).1f:1 on the page); dark mode: %(dark)s "
            "(%(dark_ratio).1f:1)."
        ) % {
            "light": obj.light.accent,
            "light_ratio": theme.contrast(obj.light.accent, theme.LIGHT_BACKGROUNDS[1]),
            "dark": obj.dark.accent,
            "dark_ratio": theme.contrast(obj.dark.accent, theme.DARK_BACKGROUNDS[0]),
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        chosen = obj.accent_colour.lower()
        shaded = [
            str(label) + " " + scheme.accent
            for label, scheme in ((_("light mode:"), obj.light), (_("dark mode:"), obj.dark))
            if scheme and scheme.accent != chosen
        ]
        if shaded:
            self.message_user(
                request,
                _(
                    "%(colour)s is too faint for text in some places, so pages use a shade of it "
                    "that reads well (WCAG AA) there: %(shades)s."
                )
                % {"colour": chosen, "shades": "; ".join(shaded)},
                messages.WARNING,
            )

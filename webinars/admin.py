"""Admin for webinars, speakers and registrations, and the series admin with its webinars."""

import csv
import re
import zoneinfo
from datetime import UTC, datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import BooleanField, Case, Count, F, Max, Prefetch, Q, When
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mailer.admin import MessageAdmin as MailerMessageAdmin
from mailer.models import PRIORITY_DEFERRED, Message
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from afterwards.admin import MaterialInline
from config.reminders import describe as describe_lead
from series.admin import URL_AS_HTTPS, BaseSeriesAdmin
from series.models import Series
from webinars import mail, theme
from webinars.formatting import in_zone, span
from webinars.forms import AddressField
from webinars.mail import given_up_messages, max_retries
from webinars.models import (
    Answer,
    MessageDelivery,
    PendingMail,
    Question,
    RegistrantMessage,
    Registration,
    ReminderSent,
    SiteSettings,
    Speaker,
    Webinar,
    WebinarSpeaker,
    available_time_zones,
    default_time_zone,
    registration_count,
)
from webinars.selectors import message_recipients
from webinars.services import (
    message_send,
    registration_cancel,
    registrations_approve,
    registrations_decline,
    webinar_duplicate,
)
from webinars.views.embed import frame_origins, iframe_snippet


class QuestionInline(TranslationStackedInline):
    """The organisers' own questions on the registration form, in order."""

    model = Question
    extra = 0
    fields = [("label", "kind", "required"), "options", "help_text", "order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}


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


class WebinarInline(admin.TabularInline):
    model = Webinar
    form = WebinarRowForm
    extra = 0
    show_change_link = True
    ordering = ["start"]


class SendableAddressMixin:
    """Address fields stored as mail will be sent, refused with a clear error otherwise."""

    address_fields: tuple[str, ...] = ("email",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.address_fields:
            return AddressField(
                label=db_field.verbose_name.capitalize(),
                required=not db_field.blank,
                max_length=db_field.max_length,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class WebinarTimesMedia:
    # Django notes "You are N hours behind server time" beside each time it reads in the
    # server's zone; these forms read every time in the webinar's own zone, so it misleads.
    js = ["js/admin-own-zone.js"]
    css = {"all": ["css/admin-webinars.css"]}


@admin.register(Series)
class SeriesAdmin(SendableAddressMixin, BaseSeriesAdmin):
    address_fields = ("notify_email",)
    inlines = [*BaseSeriesAdmin.inlines, QuestionInline, WebinarInline]
    readonly_fields = ["add_next_webinar", "embed_snippet"]
    list_display = [*BaseSeriesAdmin.list_display, "follower_count"]
    Media = WebinarTimesMedia

    def get_queryset(self, request):
        following = Q(
            followers__confirmed_at__isnull=False, followers__unsubscribed_at__isnull=True
        )
        return (
            super()
            .get_queryset(request)
            .annotate(follower_count=Count("followers", filter=following))
            # A grouped query drops Meta.ordering; the autocomplete's pages need an order.
            .order_by(*Series._meta.ordering)
        )

    @admin.display(description=_("followers"), ordering="follower_count")
    def follower_count(self, obj):
        url = reverse("admin:following_follower_changelist")
        return format_html(
            '<a href="{}?series__id__exact={}&amp;state=following">{}</a>',
            url,
            obj.pk,
            obj.follower_count,
        )

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


class WallTimeField(forms.SplitDateTimeField):
    """A date and time typed in the active zone (the webinar's own), kept as the naive wall
    time when it names no instant or two: WebinarAdminForm asks which one is meant instead of
    letting Django guess or refuse with a generic message."""

    widget = AdminSplitDateTime

    def compress(self, data_list):
        if not data_list or data_list[0] is None or data_list[1] is None:
            return super().compress(data_list)
        wall = datetime.combine(*data_list)
        if len(wall_time_readings(wall, timezone.get_current_timezone())) == 1:
            return super().compress(data_list)
        return wall


def wall_time_readings(wall: datetime, tz) -> list[datetime]:
    """The instants a local wall time names in tz: one, two (the repeated hour of a fall-back
    night, earlier first) or none (the hour skipped when the clocks go forward)."""
    readings = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == wall and instant not in readings:
            readings.append(instant)
    return sorted(readings)


class WebinarAdminForm(forms.ModelForm):
    OCCURRENCES = [
        ("", _("(only needed for a time that happens twice)")),
        ("first", _("the first one (before the clocks go back)")),
        ("second", _("the second one (after the clocks go back)")),
    ]
    # Every local time typed in the webinar's zone, each with its own "which one" choice.
    WALL_TIMES = ("start", "end", "registration_closes")
    start = WallTimeField(
        label=_("start"), help_text=_("Entered and shown in the webinar's time zone below.")
    )
    start_occurrence = forms.ChoiceField(
        label=_("which start"), choices=OCCURRENCES, required=False
    )
    end = WallTimeField(label=_("end"), required=False)
    end_occurrence = forms.ChoiceField(label=_("which end"), choices=OCCURRENCES, required=False)
    registration_closes = WallTimeField(
        label=Webinar._meta.get_field("registration_closes").verbose_name,
        required=False,
        help_text=Webinar._meta.get_field("registration_closes").help_text,
    )
    registration_closes_occurrence = forms.ChoiceField(
        label=_("which closing time"), choices=OCCURRENCES, required=False
    )
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
        fields = ["start", "end", "registration_closes"]  # the admin's fieldsets add the rest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An instant saved in a repeated hour comes back as the same wall time: pre-select the
        # occurrence it is, so saving again keeps it.
        for name in self.WALL_TIMES:
            value = getattr(self.instance, name, None)
            if value is not None:
                local = timezone.localtime(value)
                readings = wall_time_readings(local.replace(tzinfo=None, fold=0), local.tzinfo)
                if len(readings) == 2:
                    self.initial[f"{name}_occurrence"] = "second" if local.fold else "first"

    def clean(self):
        cleaned = super().clean()
        tz = timezone.get_current_timezone()
        for name in self.WALL_TIMES:
            wall = cleaned.get(name)
            if not isinstance(wall, datetime) or timezone.is_aware(wall):
                continue
            readings = wall_time_readings(wall, tz)
            occurrence = cleaned.get(f"{name}_occurrence")
            if len(readings) == 2 and occurrence:
                cleaned[name] = readings[0 if occurrence == "first" else 1].astimezone(tz)
                continue
            del cleaned[name]
            shown = f"{wall:%Y-%m-%d %H:%M}"
            if len(readings) == 2:
                message = _(
                    "%(time)s happens twice in %(zone)s (the clocks go back that night): "
                    "%(first)s or %(second)s. Choose which one below."
                ) % {
                    "time": shown,
                    "zone": tz.key,
                    "first": f"{in_zone(readings[0], tz)} ({readings[0]:%H:%M} UTC)",
                    "second": f"{in_zone(readings[1], tz)} ({readings[1]:%H:%M} UTC)",
                }
            else:
                # Read with the offset after the change it is earlier, with the one before later.
                earlier = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
                later = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
                message = _(
                    "%(time)s does not exist in %(zone)s: the clocks jump forward that night. "
                    "Did you mean %(earlier)s or %(later)s?"
                ) % {
                    "time": shown,
                    "zone": tz.key,
                    "earlier": f"{in_zone(earlier, tz)} ({earlier:%H:%M} UTC)",
                    "later": f"{in_zone(later, tz)} ({later:%H:%M} UTC)",
                }
            self.add_error(name, message)
        start, minutes = cleaned.get("start"), cleaned.get("duration")
        if isinstance(start, datetime) and timezone.is_aware(start) and minutes:
            # Counted in UTC: a webinar across a DST change still lasts what was chosen.
            cleaned["end"] = (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(
                start.tzinfo
            )
        elif not cleaned.get("end") and "end" not in self.errors:
            self.add_error(
                "end",
                forms.ValidationError(_("Give the end, or pick a duration."), code="required"),
            )
        return cleaned


@admin.register(Webinar)
class WebinarAdmin(TranslationAdmin):
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
    inlines = [WebinarSpeakerInline, QuestionInline, MaterialInline]
    readonly_fields = ["registrations", "uid", "sequence", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["series", "number", "title", "slug", "description"]}),
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
        (_("Where"), {"fields": ["location", "event_url", "join_url"]}),
        (
            _("Registration and publishing"),
            {
                "fields": [
                    "capacity",
                    "registration_closes",
                    "registration_closes_occurrence",
                    "requires_approval",
                    "confirm_email",
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
            '<a href="{}">{}</a> · <a href="{}" download>{}</a>',
            listed,
            _("See the registrations"),
            export,
            _("Export them as CSV (times in the webinar's zone)"),
        )

    def get_urls(self):
        export = path(
            "<int:pk>/registrations.csv",
            self.admin_site.admin_view(self.registrations_csv_view),
            name="webinars_webinar_registrations_csv",
        )
        return [export, *super().get_urls()]

    def registrations_csv_view(self, request, pk):
        """The webinar's registrations, in a file named after it, times in its own zone."""
        webinar = get_object_or_404(Webinar, pk=pk)
        if not request.user.has_perm("webinars.view_registration"):
            raise PermissionDenied
        name = slugify(webinar.title)[:80] or webinar.slug
        start = webinar.local_start
        return registrations_csv(
            webinar.registrations.all(),
            filename=f"registrations-{start:%Y-%m-%d}-{name}.csv",
            tz=webinar.tz,
        )

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
        return (
            super()
            .get_queryset(request)
            .with_counts()
            .annotate(pending_count=registration_count("pending"))
        )

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
        if obj.status == Webinar.Status.CANCELLED:
            return _("cancelled")
        return _("published") if obj.is_published else _("draft")

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

    # Raising the capacity (here or anywhere through the ORM) promotes waiting registrants:
    # Webinar.save() calls services.webinar_changed, which calls services.webinar_fill_seats.


@admin.register(Speaker)
class SpeakerAdmin(TranslationAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = ["name", "affiliation", "slug"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}


# Cells a spreadsheet would run as a formula start with one of these; a leading quote
# makes them text (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet that splits on ";" or "|" (a European Excel) or ignores the quotes starts a new
# cell after a separator: what follows one gets the quote too.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n]\s*)(?=[=+\-@])")


def csv_safe(value) -> str:
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", "" if value is None else str(value))
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


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
    return registrations_csv(queryset, filename="registrations.csv")


def registrations_csv(queryset, *, filename: str, tz=None) -> HttpResponse:
    """The registrations as a CSV download; times in UTC, or in the zone tz (a webinar's own)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # the BOM makes Excel read UTF-8 names correctly
    # Every cell quoted: a separator inside one never splits it, whichever the reader uses.
    writer = csv.writer(response, quoting=csv.QUOTE_ALL)
    # One column per question answered in the selection, series questions first.
    questions = list(
        Question.objects.filter(answers__registration__in=queryset.values("pk"))
        .distinct()
        .order_by(models.F("series_id").asc(nulls_last=True), "order", "pk")
    )
    header = CSV_HEADER
    if tz is not None:
        header = [h.replace("(UTC)", f"({tz.key})") for h in CSV_HEADER]
    writer.writerow([*header, *(csv_safe(q.label) for q in questions)])
    rows = (
        queryset.select_related("webinar")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by()))
        .order_by("webinar__start", "created", "pk")
    )

    def moment(value) -> str:
        return (
            _utc(value) if tz is None or not value else f"{value.astimezone(tz):%Y-%m-%d %H:%M:%S}"
        )

    for r in rows:
        answers = {a.question_id: a.text for a in r.answers.all()}
        writer.writerow(
            [
                csv_safe(r.webinar.title),
                moment(r.webinar.start),
                csv_safe(r.name),
                csv_safe(r.email),
                csv_safe(r.organisation),
                r.status,
                moment(r.created),
                moment(r.consent_at),
                moment(r.promoted_at),
                moment(r.cancelled_at),
                *(csv_safe(answers.get(q.pk, "")) for q in questions),
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


@admin.action(
    description=_("Approve selected registrations (a seat, or the waiting list when full)"),
    permissions=["change"],
)
def approve_registrations(modeladmin, request, queryset):
    outcome = registrations_approve(registrations=list(queryset.only("pk", "webinar_id")))
    modeladmin.message_user(
        request,
        _(
            "%(confirmed)d approved with a seat, %(waitlisted)d approved onto the waiting list "
            "(no seat left); each was told by email."
        )
        % {"confirmed": outcome.confirmed, "waitlisted": outcome.waitlisted},
        messages.SUCCESS,
    )
    _report_skipped(modeladmin, request, outcome.skipped)


@admin.action(description=_("Decline selected registrations"), permissions=["change"])
def decline_registrations(modeladmin, request, queryset):
    outcome = registrations_decline(registrations=list(queryset.only("pk", "webinar_id")))
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d registration declined; the registrant was told by email.",
            "%(count)d registrations declined; the registrants were told by email.",
            outcome.declined,
        )
        % {"count": outcome.declined},
        messages.SUCCESS,
    )
    _report_skipped(modeladmin, request, outcome.skipped)


def _report_skipped(modeladmin, request, skipped: int) -> None:
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d registration was left as it was: it no longer awaited approval, "
                "or its webinar is cancelled or over.",
                "%(count)d registrations were left as they were: they no longer awaited "
                "approval, or their webinar is cancelled or over.",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


class ReminderSentInline(admin.TabularInline):
    model = ReminderSent
    extra = 0
    fields = ["lead", "sent_at", "mailed"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("before the start"))
    def lead(self, obj):
        return describe_lead(obj.lead_minutes)

    def has_add_permission(self, request, obj=None):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "answer"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("answer"))
    def answer(self, obj):
        return obj.text

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    def has_add_permission(self, request, obj=None):
        # What the registrant answered, as they answered it.
        return False


@admin.register(Registration)
class RegistrationAdmin(SendableAddressMixin, admin.ModelAdmin):
    inlines = [AnswerInline, ReminderSentInline]
    list_display = ["name", "email", "organisation", "webinar", "status", "created"]
    list_filter = ["status", "language", "webinar__series", "webinar"]
    list_select_related = ["webinar"]
    search_fields = ["name", "email", "organisation"]
    date_hierarchy = "created"
    actions = [export_csv, approve_registrations, decline_registrations, cancel_registrations]
    readonly_fields = [
        # Status changes go through the actions, so seats are freed and promotions mailed.
        "status",
        "created",
        "updated",
        "consent_at",
        "cancelled_at",
        "promoted_at",
        "approved_at",
        "declined_at",
        "hold_expires_at",
        "email_confirmed_at",
        "details_sent_at",
        "reminder_sent_at",
        "time_zone",
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
            # "Awaiting approval" only where there is some: most webinars never require it.
            response.context_data["status_counts"] = [
                (Registration.Status(status).label, n)
                for status, n in counts.items()
                if n or status != Registration.Status.PENDING
            ]
        return response

    def has_add_permission(self, request):
        # People register themselves (with consent) through the site, never by hand here.
        return False


class StateFilter(admin.SimpleListFilter):
    """A "state" filter: each state a label and the rows in it (STATES, in the order shown)."""

    title = _("state")
    parameter_name = "state"
    STATES: dict = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _rows) in self.STATES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.STATES:
            return self.STATES[self.value()][1](queryset)
        return None


class MailStateFilter(StateFilter):
    """Waiting for its first try, retrying after a failure, or given up (MAIL_MAX_ATTEMPTS)."""

    STATES = {
        "waiting": (_("waiting"), lambda rows: rows.filter(failed_at__isnull=True, attempts=0)),
        "retrying": (
            _("retrying"),
            lambda rows: rows.filter(failed_at__isnull=True, attempts__gt=0),
        ),
        "failed": (_("failed"), lambda rows: rows.failed()),
    }


@admin.register(PendingMail)
class PendingMailAdmin(admin.ModelAdmin):
    """Mail recorded but not yet composed: normally empty; a row with an error needs a look."""

    list_display = [
        "kind",
        "registration",
        "state",
        "created",
        "attempts",
        "retry_after",
        "failed_at",
        "last_error",
    ]
    list_filter = [MailStateFilter, "kind"]
    list_select_related = ["registration__webinar"]
    readonly_fields = [f.name for f in PendingMail._meta.fields]

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.failed_at:
            return _("failed")
        return _("retrying") if obj.attempts else _("waiting")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The worker composes and deletes these rows; editing one by hand would change a message.
        return False


class MessageStateFilter(StateFilter):
    """Queued, deferred for a retry, or given up after MAIL_MAX_ATTEMPTS failed sends."""

    STATES = {
        "queued": (_("queued"), lambda rows: rows.non_deferred()),
        "retrying": (
            _("retrying"),
            lambda rows: rows.deferred().filter(retry_count__lt=max_retries()),
        ),
        "failed": (
            _("failed"),
            lambda rows: rows.filter(pk__in=given_up_messages().values("pk")),
        ),
    }


# django-mailer's own admin (registered when mailer.admin is imported above), with the state
# the worker leaves each message in.
admin.site.unregister(Message)


@admin.register(Message)
class MessageAdmin(MailerMessageAdmin):
    list_display = [*MailerMessageAdmin.list_display, "state"]
    list_filter = [MessageStateFilter]

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.priority != PRIORITY_DEFERRED:
            return _("queued")
        return _("failed") if obj.retry_count >= max_retries() else _("retrying")


class MessageDeliveryInline(admin.TabularInline):
    """What was sent to whom: the log, as the worker was handed it."""

    model = MessageDelivery
    extra = 0
    fields = ["email", "status", "registration", "queued_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RegistrantMessage)
class RegistrantMessageAdmin(admin.ModelAdmin):
    """Write to registrants: save, look at the preview, send a test to yourself, then send."""

    change_form_template = "admin/webinars/registrantmessage/change_form.html"
    list_display = ["subject", "webinar", "series", "created", "sent_at", "sent_count"]
    list_filter = ["series"]
    list_select_related = ["webinar", "series"]
    search_fields = ["subject", "body"]
    autocomplete_fields = ["webinar", "series"]
    inlines = [MessageDeliveryInline]
    fieldsets = [
        (None, {"fields": ["webinar", "series", "subject", "body"]}),
        (
            _("Send to registrants who are"),
            {
                "fields": [
                    ("to_confirmed", "to_waitlisted", "to_pending", "to_cancelled"),
                    "to_attended",
                ]
            },
        ),
        (_("Before sending"), {"fields": ["recipients", "preview", "created_by", "sent_at"]}),
    ]
    readonly_fields = ["recipients", "preview", "created_by", "sent_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sent=Count("deliveries"))

    @admin.display(description=_("sent to"), ordering="sent")
    def sent_count(self, obj):
        return obj.sent

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        if not obj.pk:
            return _("Save the message to see who will get it.")
        waiting, done = _recipients_now(obj)
        return _(
            "%(waiting)d people will get it when you send it; %(done)d already had it "
            "(nobody gets it twice)."
        ) % {"waiting": len(waiting), "done": done}

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk or not _sample_webinar(obj):
            return "-"
        sample = mail.registrant_message_sample(obj, to="preview@example.invalid")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', sample.body)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _after_save(self, request, obj):
        change_url = reverse("admin:webinars_registrantmessage_change", args=[obj.pk])
        if "_send_test" in request.POST:
            self._send_test(request, obj)
            return HttpResponseRedirect(change_url)
        if "_send" in request.POST:
            return HttpResponseRedirect(
                reverse("admin:webinars_registrantmessage_send", args=[obj.pk])
            )
        return None

    def _send_test(self, request, obj):
        address = request.user.email
        if not address:
            self.message_user(
                request,
                _("Your account has no email address: add one to receive a test."),
                messages.ERROR,
            )
            return
        if not _sample_webinar(obj):
            self.message_user(request, _("The series has no webinars yet."), messages.ERROR)
            return
        mail.queue_composed(mail.registrant_message_sample(obj, to=address))
        self.message_user(request, _("A test is on its way to %(address)s.") % {"address": address})

    def get_urls(self):
        urls = super().get_urls()
        send = path(
            "<int:pk>/send/",
            self.admin_site.admin_view(self.send_view),
            name="webinars_registrantmessage_send",
        )
        return [send, *urls]

    def send_view(self, request, pk):
        """GET asks to confirm, with the count; POST sends (to those who have not had it)."""
        obj = get_object_or_404(RegistrantMessage, pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse("admin:webinars_registrantmessage_change", args=[obj.pk])
        if request.method == "POST":
            sent = message_send(message=obj)
            self.message_user(
                request,
                ngettext(
                    "Sent to %(count)d person; it goes out through the mail queue.",
                    "Sent to %(count)d people; it goes out through the mail queue.",
                    sent,
                )
                % {"count": sent},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        waiting, done = _recipients_now(obj)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send this message?"),
            "opts": self.opts,
            "original": obj,
            "waiting": len(waiting),
            "done": done,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/webinars/registrantmessage/send.html", context)


def _recipients_now(message: RegistrantMessage) -> tuple[list, int]:
    done = set(message.deliveries.values_list("email", flat=True))
    everyone = message_recipients(message, timezone.now())
    return [r for r in everyone if r.email.lower() not in done], len(done)


def _sample_webinar(message: RegistrantMessage):
    return message.webinar or (message.series and message.series.webinars.first())


@admin.register(SiteSettings)
class SiteSettingsAdmin(TranslationAdmin):
    """One record: the list goes straight to it (or to adding it, the first time)."""

    fields = ["site_name", "logo", "accent_colour", "colours_shown", "contact_email", "footer_text"]
    readonly_fields = ["colours_shown"]

    # The site's identity is the administrators' to change; organisers may read it.
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_superuser
            and not SiteSettings.objects.exists()
        )

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
            return _("The house colours (%(light)s on light pages, %(dark)s on dark ones).") % {
                "light": theme.HOUSE_LIGHT.accent,
                "dark": theme.HOUSE_DARK.accent,
            }
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

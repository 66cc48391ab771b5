"""Admin for webinars, speakers and registrations, and the series admin with its webinars."""

import csv
import re
import zoneinfo
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mailer.admin import MessageAdmin as MailerMessageAdmin
from mailer.models import PRIORITY_DEFERRED, Message

from afterwards.admin import MaterialInline
from series.admin import URL_AS_HTTPS, BaseSeriesAdmin
from series.models import Series
from webinars.formatting import in_zone, when
from webinars.forms import AddressField
from webinars.mail import given_up_messages, max_retries
from webinars.models import (
    PendingMail,
    Registration,
    Speaker,
    Webinar,
    WebinarSpeaker,
    available_time_zones,
)
from webinars.services import registration_cancel
from webinars.views.embed import frame_origins, iframe_snippet


class WebinarInline(admin.TabularInline):
    model = Webinar
    extra = 0
    fields = ["number", "title", "start", "end", "status", "is_published"]
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


@admin.register(Series)
class SeriesAdmin(SendableAddressMixin, BaseSeriesAdmin):
    address_fields = ("notify_email",)
    inlines = [*BaseSeriesAdmin.inlines, WebinarInline]
    readonly_fields = ["embed_snippet"]
    list_display = [*BaseSeriesAdmin.list_display, "follower_count"]

    def get_queryset(self, request):
        following = Q(
            followers__confirmed_at__isnull=False, followers__unsubscribed_at__isnull=True
        )
        return (
            super()
            .get_queryset(request)
            .annotate(follower_count=Count("followers", filter=following))
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
    start = WallTimeField(
        label=_("start"), help_text=_("Entered and shown in the webinar's time zone below.")
    )
    start_occurrence = forms.ChoiceField(
        label=_("which start"), choices=OCCURRENCES, required=False
    )
    end = WallTimeField(label=_("end"))
    end_occurrence = forms.ChoiceField(label=_("which end"), choices=OCCURRENCES, required=False)

    class Meta:
        model = Webinar
        fields = ["start", "end"]  # the admin's fieldsets add the rest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An instant saved in a repeated hour comes back as the same wall time: pre-select the
        # occurrence it is, so saving again keeps it.
        for name in ("start", "end"):
            value = getattr(self.instance, name, None)
            if value is not None:
                local = timezone.localtime(value)
                readings = wall_time_readings(local.replace(tzinfo=None, fold=0), local.tzinfo)
                if len(readings) == 2:
                    self.initial[f"{name}_occurrence"] = "second" if local.fold else "first"

    def clean(self):
        cleaned = super().clean()
        tz = timezone.get_current_timezone()
        for name in ("start", "end"):
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
        return cleaned


@admin.register(Webinar)
class WebinarAdmin(admin.ModelAdmin):
    """Webinars; start, end and closing time are typed and shown in the webinar's own zone."""

    form = WebinarAdminForm
    formfield_overrides = URL_AS_HTTPS
    list_display = [
        "title",
        "series",
        "number",
        "start_local",
        "status",
        "is_published",
        "seats",
        "waiting",
        "registrations_link",
    ]
    list_filter = ["series", "status", "is_published", WhenFilter]
    list_select_related = ["series"]
    search_fields = ["title", "description", "series__title", "webinar_speakers__speaker__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["series"]
    inlines = [WebinarSpeakerInline, MaterialInline]
    readonly_fields = ["uid", "sequence", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["series", "number", "title", "slug", "description"]}),
        (
            _("When"),
            {"fields": ["start", "start_occurrence", "end", "end_occurrence", "time_zone"]},
        ),
        (_("Where"), {"fields": ["location", "event_url", "join_url"]}),
        (
            _("Registration and publishing"),
            {"fields": ["capacity", "registration_closes", "status", "is_published"]},
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

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("start (own zone)"), ordering="start")
    def start_local(self, obj):
        return when(obj)

    @admin.display(description=_("confirmed / capacity"), ordering="confirmed_count")
    def seats(self, obj):
        return f"{obj.confirmed_count} / {obj.capacity or '∞'}"

    @admin.display(description=_("waiting"), ordering="waitlisted_count")
    def waiting(self, obj):
        return obj.waitlisted_count

    @admin.display(description=_("registrations"))
    def registrations_link(self, obj):
        url = reverse("admin:webinars_registration_changelist") + f"?webinar__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("list"))

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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registrations.csv"'
    response.write("\ufeff")  # the BOM makes Excel read UTF-8 names correctly
    # Every cell quoted: a separator inside one never splits it, whichever the reader uses.
    writer = csv.writer(response, quoting=csv.QUOTE_ALL)
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
class RegistrationAdmin(SendableAddressMixin, admin.ModelAdmin):
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

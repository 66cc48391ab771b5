"""Admin for webinars, speakers and registrations, and the series admin with its webinars."""

import csv
import re
import zoneinfo
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mailer.admin import MessageAdmin as MailerMessageAdmin
from mailer.models import PRIORITY_DEFERRED, Message

from afterwards.admin import MaterialInline
from config.reminders import describe as describe_lead
from series.admin import URL_AS_HTTPS, BaseSeriesAdmin
from series.models import Series
from webinars import mail
from webinars.formatting import in_zone, when
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
    Speaker,
    Webinar,
    WebinarSpeaker,
    available_time_zones,
    registration_count,
)
from webinars.selectors import message_recipients
from webinars.services import (
    message_send,
    registration_cancel,
    registrations_approve,
    registrations_decline,
)
from webinars.views.embed import frame_origins, iframe_snippet


class QuestionInline(admin.StackedInline):
    """The organisers' own questions on the registration form, in order."""

    model = Question
    extra = 0
    fields = [("label", "kind", "required"), "options", "help_text", "order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}


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
    inlines = [*BaseSeriesAdmin.inlines, QuestionInline, WebinarInline]
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
        "awaiting_approval",
        "registrations_link",
    ]
    list_filter = ["series", "status", "is_published", WhenFilter]
    list_select_related = ["series"]
    search_fields = ["title", "description", "series__title", "webinar_speakers__speaker__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["series"]
    inlines = [WebinarSpeakerInline, QuestionInline, MaterialInline]
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
            {
                "fields": [
                    "capacity",
                    "registration_closes",
                    "requires_approval",
                    "confirm_email",
                    "reminders",
                    "status",
                    "is_published",
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

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_counts()
            .annotate(pending_count=registration_count("pending"))
        )

    @admin.display(description=_("start (own zone)"), ordering="start")
    def start_local(self, obj):
        return when(obj)

    @admin.display(description=_("confirmed / capacity"), ordering="confirmed_count")
    def seats(self, obj):
        return f"{obj.confirmed_count} / {obj.capacity or '∞'}"

    @admin.display(description=_("waiting"), ordering="waitlisted_count")
    def waiting(self, obj):
        return obj.waitlisted_count

    @admin.display(description=_("awaiting approval"), ordering="pending_count")
    def awaiting_approval(self, obj):
        if not obj.pending_count:
            return "-"
        url = (
            reverse("admin:webinars_registration_changelist")
            + f"?webinar__id__exact={obj.pk}&status__exact=pending"
        )
        return format_html('<a href="{}">{}</a>', url, obj.pending_count)

    @admin.display(description=_("registrations"))
    def registrations_link(self, obj):
        url = reverse("admin:webinars_registration_changelist") + f"?webinar__id__exact={obj.pk}"
        write = reverse("admin:webinars_registrantmessage_add") + f"?webinar={obj.pk}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>', url, _("list"), write, _("write to them")
        )

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
    # One column per question answered in the selection, series questions first.
    questions = list(
        Question.objects.filter(answers__registration__in=queryset.values("pk"))
        .distinct()
        .order_by(models.F("series_id").asc(nulls_last=True), "order", "pk")
    )
    writer.writerow([*CSV_HEADER, *(csv_safe(q.label) for q in questions)])
    rows = (
        queryset.select_related("webinar")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by()))
        .order_by("webinar__start", "created", "pk")
    )
    for r in rows:
        answers = {a.question_id: a.text for a in r.answers.all()}
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
    list_filter = ["status", "webinar__series", "webinar"]
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
            {"fields": [("to_confirmed", "to_waitlisted", "to_pending", "to_cancelled")]},
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

"""Admin for after the webinar: materials (inline on a webinar), the follow-up mail, feedback,
and per-webinar figures with attendance."""

import csv
import logging
from datetime import UTC

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from mailer.models import PRIORITY_MEDIUM, Message
from modeltranslation.admin import TranslationTabularInline

from afterwards import attendance, figures
from afterwards.mail import follow_up_message
from afterwards.models import Feedback, FollowUp, Material, WebinarRecord
from webinars.admin.export import csv_safe
from webinars.admin.webinars import WebinarAdmin
from webinars.mail.worker import send_queue
from webinars.models import Registration, Webinar

logger = logging.getLogger(__name__)


class MaterialInline(TranslationTabularInline):
    model = Material
    extra = 0
    fields = ["title", "file", "audience", "order"]


class WebinarWithMaterialsAdmin(WebinarAdmin):
    """The webinar's admin page with its materials, which this app adds to webinars."""

    inlines = [*WebinarAdmin.inlines, MaterialInline]


# webinars registers its admin first (INSTALLED_APPS order); this app extends it rather than
# webinars importing the app that builds on it.
admin.site.unregister(Webinar)
admin.site.register(Webinar, WebinarWithMaterialsAdmin)


class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["subject", "webinar", "send_at", "sent"]
    list_select_related = ["webinar"]
    autocomplete_fields = ["webinar"]
    fields = ["webinar", "subject", "attendees_text", "absentees_text", "send_at", "preview"]
    readonly_fields = ["preview"]
    actions = ["send_test", "send_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(sent_count=Count("deliveries"))

    @admin.display(description=_("sent to"))
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj or not obj.pk:
            return _("Save to see a preview.")
        sample = obj.webinar.registrations.confirmed().first() or Registration(
            webinar=obj.webinar, name=_("Ada Example"), email="ada@example.org", token="x" * 43
        )
        parts = []
        for attended, label in ((True, _("To attendees")), (False, _("To absentees"))):
            message = follow_up_message(obj, sample, attended=attended)
            parts.append((label, message.body))
        return TemplateResponse(
            None, "admin/afterwards/follow_up_preview.html", {"parts": parts}
        ).rendered_content

    @admin.action(description=_("Send a test of the selected follow-ups to me"))
    def send_test(self, request, queryset):
        if not request.user.email:
            self.message_user(
                request, _("Your account has no email address: add one first."), messages.ERROR
            )
            return
        sent, queued_pks = 0, []
        for follow_up in queryset.select_related("webinar"):
            sample = follow_up.webinar.registrations.confirmed().first()
            if sample is None:
                continue
            for attended in (True, False):
                message = follow_up_message(
                    follow_up, sample, attended=attended, to=request.user.email
                )
                message.subject = f"[{_('Test')}] {message.subject}"
                queued = Message(email=message, priority=PRIORITY_MEDIUM)
                queued.save()
                queued_pks.append(queued.pk)
                sent += 1
        try:
            send_queue(Message.objects.filter(pk__in=queued_pks))
        except Exception:  # noqa: BLE001 (it stays queued for the worker)
            logger.exception("Sending the follow-up test failed; it stays queued")
        self.message_user(
            request,
            ngettext(
                "%(count)d test message sent to %(email)s.",
                "%(count)d test messages sent to %(email)s.",
                sent,
            )
            % {"count": sent, "email": request.user.email},
        )

    @admin.action(description=_("Send the selected follow-ups now"), permissions=["change"])
    def send_now(self, request, queryset):
        now = timezone.now()
        early = queryset.filter(webinar__end__gt=now).count()
        count = queryset.filter(webinar__end__lte=now).update(send_at=now)
        if early:
            self.message_user(
                request,
                _("A follow-up goes out only after its webinar is over; %(n)d left as they were.")
                % {"n": early},
                messages.WARNING,
            )
        self.message_user(
            request,
            _("%(count)d follow-ups will go out with the next pass of the mail worker.")
            % {"count": count},
        )


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["webinar", "subject", "attendees_text", "absentees_text", "send_at"]

    def clean(self):
        data = super().clean()
        webinar, send_at = data.get("webinar"), data.get("send_at")
        if webinar and send_at and send_at < webinar.end:
            self.add_error(
                "send_at",
                _("Choose a moment after the webinar ends (%(end)s).") % {"end": webinar.end},
            )
        return data


FollowUpAdmin.form = FollowUpForm
admin.site.register(FollowUp, FollowUpAdmin)


@admin.action(description=_("Export selected feedback as CSV"), permissions=["view"])
def export_feedback(modeladmin, request, queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="feedback.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["webinar", "webinar start (UTC)", "rating", "comment", "updated (UTC)"])
    for f in queryset.select_related("registration__webinar").order_by(
        "registration__webinar__start", "pk"
    ):
        writer.writerow(
            [
                csv_safe(f.registration.webinar.title),
                f.registration.webinar.start.astimezone(UTC).isoformat(),
                f.rating,
                csv_safe(f.comment),
                f.updated.astimezone(UTC).isoformat(),
            ]
        )
    return response


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["webinar", "rating", "comment", "updated"]
    list_filter = ["registration__webinar__series", "registration__webinar", "rating"]
    list_select_related = ["registration__webinar"]
    fields = ["webinar", "rating", "comment", "created", "updated"]
    readonly_fields = fields
    actions = [export_feedback]
    change_list_template = "admin/afterwards/feedback_list.html"

    @admin.display(description=_("webinar"), ordering="registration__webinar__start")
    def webinar(self, obj):
        return obj.registration.webinar

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            response.context_data["feedback_summary"] = cl.queryset.order_by().aggregate(
                average=Avg("rating"), count=Count("pk")
            )
        return response


class AttendanceReportForm(forms.Form):
    report = forms.FileField(
        label=_("Attendance report (CSV)"),
        help_text=_("As exported by Zoom, Microsoft Teams, BigBlueButton or Jitsi."),
    )
    column = forms.CharField(
        label=_("Email column (optional)"),
        required=False,
        max_length=200,
        help_text=_("The header of the column with email addresses, if it is not found by itself."),
    )

    def clean_report(self):
        report = self.cleaned_data["report"]
        if report.size > settings.ATTENDANCE_REPORT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.ATTENDANCE_REPORT_MAX_MB}
            )
        return report


SIGNING_SALT = "afterwards.attendance-import"


@admin.register(WebinarRecord)
class WebinarRecordAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "start",
        "registered",
        "confirmed",
        "waiting",
        "cancelled",
        "joined",
        "no_show",
        "rating",
    ]
    list_filter = ["series"]
    search_fields = ["title"]
    ordering = ["-start"]
    change_form_template = "admin/afterwards/webinar_record.html"
    change_list_template = "admin/afterwards/webinar_record_list.html"

    def get_queryset(self, request):
        return figures.with_figures(super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("registered"), ordering="fig_registered")
    def registered(self, obj):
        return obj.fig_registered

    @admin.display(description=_("confirmed"), ordering="fig_confirmed")
    def confirmed(self, obj):
        return obj.fig_confirmed

    @admin.display(description=_("waiting"), ordering="fig_waiting")
    def waiting(self, obj):
        return obj.fig_waiting

    @admin.display(description=_("cancelled"), ordering="fig_cancelled")
    def cancelled(self, obj):
        return obj.fig_cancelled

    @admin.display(description=_("joined"), ordering="fig_joined")
    def joined(self, obj):
        return obj.fig_joined

    @admin.display(description=_("no-show rate"))
    def no_show(self, obj):
        rate = figures.no_show_rate(obj, timezone.now())
        return "–" if rate is None else f"{rate:.0%}"

    @admin.display(description=_("average rating"), ordering="fig_rating")
    def rating(self, obj):
        return "–" if obj.fig_rating is None else f"{obj.fig_rating:.1f} ({obj.fig_ratings})"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is not None:
            response.context_data["totals"] = figures.totals(cl.queryset, timezone.now())
        return response

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:object_id>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name=f"{name}_attendance",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        webinar = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, webinar):
            raise PermissionDenied
        rows = figures.registrations_per_day(webinar)
        confirmed = list(
            webinar.registrations.confirmed()
            .filter(anonymised_at__isnull=True)
            .order_by("name", "pk")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": webinar.title,
            "original": webinar,
            "webinar": webinar,
            "no_show": self.no_show(webinar),
            "rating": self.rating(webinar),
            "chart": figures.chart_svg(rows),
            "rows": rows,
            "confirmed_registrations": confirmed,
            "report_form": AttendanceReportForm(),
            "can_change": self.has_change_permission(request, webinar),
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def attendance_view(self, request, object_id):
        """Import a report (preview, then save) or tick attendance by hand; POST only."""
        webinar = get_object_or_404(WebinarRecord, pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, webinar):
            raise PermissionDenied
        back = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[webinar.pk]
        )
        step = request.POST.get("step")
        if step == "manual":
            return self._save_manual(request, webinar, back)
        if step == "confirm":
            return self._save_import(request, webinar, back)
        form = AttendanceReportForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return HttpResponseRedirect(back)
        try:
            found = attendance.match(
                webinar, form.cleaned_data["report"].read(), form.cleaned_data["column"]
            )
        except attendance.ReportError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(back)
        signed = signing.dumps([r.pk for r in found.matched], salt=SIGNING_SALT)
        return TemplateResponse(
            request,
            "admin/afterwards/attendance_preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Attendance report for %(title)s") % {"title": webinar.title},
                "webinar": webinar,
                "found": found,
                "signed": signed,
                "back": back,
            },
        )

    def _save_import(self, request, webinar, back):
        try:
            ids = signing.loads(request.POST.get("matched", ""), salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature:
            self.message_user(
                request,
                _("The preview is too old or was changed: upload the report again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(back)
        count = (
            webinar.registrations.confirmed()
            .filter(pk__in=ids, attended_at__isnull=True)
            .update(attended_at=webinar.start)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d registrant marked as attended.",
                "%(count)d registrants marked as attended.",
                count,
            )
            % {"count": count},
        )
        return HttpResponseRedirect(back)

    def _save_manual(self, request, webinar, back):
        ticked, refused = attendance.registration_ids(request.POST.getlist("attended"))
        if refused:  # only a changed form sends these: they name no registration
            self.message_user(request, attendance.refused_message(refused), messages.WARNING)
        confirmed = webinar.registrations.confirmed().filter(anonymised_at__isnull=True)
        added = confirmed.filter(pk__in=ticked, attended_at__isnull=True).update(
            attended_at=webinar.start
        )
        removed = (
            confirmed.exclude(pk__in=ticked)
            .filter(attended_at__isnull=False)
            .update(attended_at=None)
        )
        self.message_user(
            request,
            _("Attendance saved: %(added)d added, %(removed)d removed.")
            % {"added": added, "removed": removed},
        )
        return HttpResponseRedirect(back)

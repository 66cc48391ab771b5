"""Figures and attendance per webinar, with the attendance report import."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from afterwards import attendance, figures
from afterwards.models import WebinarRecord
from core.batches import IDS_PER_QUERY, batched
from series.admin_scope import SeriesScopedAdmin
from webinars import services


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
class WebinarRecordAdmin(SeriesScopedAdmin, admin.ModelAdmin):
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
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

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
        webinar = self.get_object(request, object_id)
        if webinar is None:
            raise Http404
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
        webinar = get_object_or_404(
            WebinarRecord.objects.filter(self.scope_q(request)), pk=object_id
        )
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
        count = services.registrations_mark_attended(webinar=webinar, ids=ids, at=webinar.start)
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
        added = services.registrations_mark_attended(webinar=webinar, ids=ticked, at=webinar.start)
        # In bounded lists of ids, however many registrants the webinar has.
        unticked = set(
            confirmed.filter(attended_at__isnull=False).values_list("pk", flat=True)
        ) - set(ticked)
        removed = sum(
            confirmed.filter(pk__in=batch).update(attended_at=None)
            for batch in batched(sorted(unticked), IDS_PER_QUERY)
        )
        self.message_user(
            request,
            _("Attendance saved: %(added)d added, %(removed)d removed.")
            % {"added": added, "removed": removed},
        )
        return HttpResponseRedirect(back)

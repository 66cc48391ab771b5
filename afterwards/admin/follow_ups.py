"""The follow-up mail of a webinar: preview, test, send."""

from django import forms
from django.contrib import admin, messages
from django.db.models import CharField, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from afterwards.mail import follow_up_message
from afterwards.models import FollowUp
from series.admin_scope import SeriesScopedAdmin
from webinars import mail
from webinars.models import PendingMail, Registration
from webinars.rules import phase


class FollowUpAdmin(SeriesScopedAdmin, admin.ModelAdmin):
    series_paths = ("webinar__series",)
    list_display = ["subject", "webinar", "send_at", "sent"]
    list_select_related = ["webinar"]
    autocomplete_fields = ["webinar"]
    fields = ["webinar", "subject", "attendees_text", "absentees_text", "send_at", "preview"]
    readonly_fields = ["preview"]
    actions = ["send_test", "send_now"]
    change_form_template = "admin/afterwards/followup/change_form.html"

    def get_queryset(self, request):
        records = (
            PendingMail.objects.filter(
                kind=PendingMail.Kind.FOLLOW_UP,
                key__startswith=Concat(
                    Value("follow-up:"), Cast(OuterRef("pk"), CharField()), Value(":")
                ),
            )
            .order_by()
            .values("kind")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(sent_count=Coalesce(Subquery(records, output_field=IntegerField()), 0))
        )

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
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Your account has no email address: add one first."),
                    reverse("admin_account"),
                    _("My account"),
                ),
                messages.ERROR,
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
                queued_pks.append(mail.queue_composed(message).pk)
                sent += 1
        # Sent now, as the organiser waits for it; what fails stays recorded for the worker.
        for pk in queued_pks:
            mail.deliver(pk)
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
        early = queryset.filter(phase.not_over_q(now, prefix="webinar__")).count()
        count = queryset.filter(phase.over_q(now, prefix="webinar__")).update(send_at=now)
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

    # The same test and send as the list's actions, from the follow-up's own page.
    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(request, obj)

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _after_save(self, request, obj):
        one = FollowUp.objects.filter(pk=obj.pk)
        if "_send_test" in request.POST:
            self.send_test(request, one)
        elif "_send_now" in request.POST:
            self.send_now(request, one)
        else:
            return None
        return HttpResponseRedirect(reverse("admin:afterwards_followup_change", args=[obj.pk]))


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

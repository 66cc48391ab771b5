"""Messages organisers write to registrants: preview, test, send."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from series.admin_scope import ScopedInline, SeriesScopedAdmin
from webinars import mail
from webinars.models import (
    MessageDelivery,
    RegistrantMessage,
)
from webinars.selectors import message_recipients
from webinars.services import (
    message_send,
)


class MessageDeliveryInline(ScopedInline, admin.TabularInline):
    """What was sent to whom: the log, as the worker was handed it."""

    model = MessageDelivery
    extra = 0
    fields = ["email", "status", "registration", "queued_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RegistrantMessage)
class RegistrantMessageAdmin(SeriesScopedAdmin, admin.ModelAdmin):
    """Write to registrants: save, look at the preview, send a test to yourself, then send."""

    # To a webinar, or to every webinar of a series.
    series_paths = ("webinar__series", "series")
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
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Your account has no email address: add one to receive a test."),
                    reverse("admin_account"),
                    _("My account"),
                ),
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
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
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

"""Admin "Webhooks": endpoints (each account sees its own; superusers all) and deliveries."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hooks import recording
from hooks.events import EVENT_CHOICES
from hooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from series.access import organises_any_series
from series.admin import URL_AS_HTTPS

RECENT_DELIVERIES = 20
# The secret of an endpoint just added, kept in the (server-side) session until its page shows
# it once; never in a cookie or a message that a cookie could carry.
JUST_ADDED = "hooks-just-added"


def _https_by_default(field, **kwargs):
    # An address typed without a scheme is read as https://, as every URL field of admin does.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def _event_choices():
    # What happens, in words, and the name a receiver's code reads in the delivery's "type".
    return [
        (name, format_html("{} <code>{}</code>", description, name))
        for name, description in EVENT_CHOICES
    ]


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=capfirst(_("events")),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text=_("Deliveries are sent for these events only."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "owner", "active"]
        formfield_callback = _https_by_default
        help_texts = {
            "url": _(
                "An https:// address that accepts POST requests (plain http:// only for this "
                "machine, or with DEBUG on)."
            )
        }


def _owned(request, queryset, path="owner"):
    if request.user.is_superuser:
        return queryset
    return queryset.filter(**{path: request.user})


class OwnRowsAdmin(admin.ModelAdmin):
    """Whoever organises a series keeps their own endpoints (superusers everyone's): a series
    manager needs no group permission, as with API tokens; the queryset holds only own rows."""

    def has_module_permission(self, request):
        return organises_any_series(request.user)

    def has_view_permission(self, request, obj=None):
        return organises_any_series(request.user)

    def has_add_permission(self, request):
        return organises_any_series(request.user)

    def has_change_permission(self, request, obj=None):
        return organises_any_series(request.user)

    def has_delete_permission(self, request, obj=None):
        return organises_any_series(request.user)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OwnRowsAdmin):
    form = EndpointForm
    formfield_overrides = URL_AS_HTTPS
    list_display = ["url", "owner", "active", "event_list", "failing_since", "disabled_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    list_select_related = ["owner"]
    readonly_fields = ["created", "failing_since", "disabled_at", "disabled_reason", "recent"]
    actions = ["send_test"]

    def get_queryset(self, request):
        return _owned(request, super().get_queryset(request))

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "events", "owner", "active"]
        if not request.user.is_superuser:
            fields.remove("owner")
        if obj is not None:
            fields += self.readonly_fields
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        if change and "active" in form.changed_data and obj.active:
            # Switched on again by hand: its failures so far no longer count.
            obj.failing_since = obj.disabled_at = None
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        request.session[JUST_ADDED] = {"pk": obj.pk, "secret": obj.secret}
        self.message_user(request, _("The endpoint was added."), messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:hooks_webhookendpoint_change", args=[obj.pk], current_app=self.admin_site.name)
        )  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        shown = request.session.pop(JUST_ADDED, None)
        extra_context = dict(extra_context or {})
        if shown and str(shown["pk"]) == str(object_id):
            extra_context["new_secret"] = shown["secret"]
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("events"))
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description=_("recent deliveries"))
    def recent(self, obj):
        rows = obj.deliveries.order_by("-created", "-pk")[:RECENT_DELIVERIES]
        link = reverse("admin:hooks_webhookdelivery_changelist") + f"?endpoint={obj.pk}"
        table = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:hooks_webhookdelivery_change", args=[d.pk]),
                    d.event,
                    d.get_state_display(),
                    d.created.strftime("%Y-%m-%d %H:%M"),
                    d.attempts,
                    d.last_status or "",
                )
                for d in rows
            ),
        )
        if not table:
            return _("None yet.")
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}'
            '</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody>'
            '</table><p><a href="{}">{}</a></p>',
            _("event"), _("state"), _("recorded"), _("attempts"), _("last status"), table,
            link, _("All deliveries to this endpoint"),
        )  # fmt: skip

    @admin.action(description=_("Send a test event to the selected endpoints"))
    def send_test(self, request, queryset):
        now = timezone.now()
        endpoints = list(queryset.filter(active=True))
        for endpoint in endpoints:
            recording.record_test(endpoint, now)
        self.message_user(
            request,
            ngettext(
                "A test event to %(count)d endpoint will be sent with the worker's next pass.",
                "A test event to %(count)d endpoints will be sent with the worker's next pass.",
                len(endpoints),
            )
            % {"count": len(endpoints)},
            messages.SUCCESS,
        )


class EndpointFilter(admin.SimpleListFilter):
    """The endpoint, among those this account may see (a related filter would list all)."""

    title = _("webhook endpoint")
    parameter_name = "endpoint"

    def lookups(self, request, model_admin):
        return [(str(e.pk), e.url) for e in _owned(request, WebhookEndpoint.objects.all())]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(endpoint_id=int(self.value()))
        return None


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status", "error", "duration_ms", "response"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OwnRowsAdmin):
    list_display = ["event", "endpoint", "state", "created", "attempts", "last_status"]
    list_filter = ["state", "event", EndpointFilter]
    list_select_related = ["endpoint"]
    search_fields = ["msg_id"]
    fields = [
        "endpoint", "event", "msg_id", "state", "occurred_at", "created", "attempts",
        "next_attempt_at", "last_status", "last_response", "sent_at", "failed_at", "data",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["send_again"]

    def get_queryset(self, request):
        return _owned(request, super().get_queryset(request), "endpoint__owner")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The worker writes these rows; editing one would change what was said.
        return False

    @admin.action(description=_("Send the selected deliveries again"), permissions=["view"])
    def send_again(self, request, queryset):
        # Queued as new, with the same webhook-id: a receiver that has it already can tell.
        count = queryset.update(
            state=WebhookDelivery.State.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            failed_at=None,
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again with the worker's next pass.",
                "%(count)d deliveries will be sent again with the worker's next pass.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

"""Data requests in admin: answer a written request (see, download, erase what is kept for an
address, within the series one organises), and the record of requests answered."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from privacy import services
from privacy.export import json_download
from privacy.models import HonouredRequest, address_hash
from privacy.selectors import kept_for, sees_everything
from series.access import is_series_manager, organises_all_series
from webinars.addresses import sendable_address, validate_sendable_address


class AddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        validators=[validate_sendable_address],
        help_text=_("The address the person wrote from, or gave in their request."),
    )

    def clean_email(self):
        return sendable_address(self.cleaned_data["email"])


def may_answer(user) -> bool:
    """Anyone who organises a series answers for the series they organise."""
    return bool(user.is_staff) and (organises_all_series(user) or is_series_manager(user))


@admin.register(HonouredRequest)
class HonouredRequestAdmin(admin.ModelAdmin):
    list_display = ["created", "action", "code", "done_by", "counts_text"]
    list_filter = ["action"]
    search_fields = ["address_hash"]
    search_help_text = _("Type an email address to find the requests made for it.")
    change_list_template = "admin/privacy/honouredrequest/change_list.html"
    fields = ["created", "action", "address_hash", "acted_by", "by_visitor", "counts", "series"]
    readonly_fields = fields

    def get_queryset(self, request):
        found = super().get_queryset(request).select_related("acted_by")
        user = request.user
        if organises_all_series(user):
            return found
        # A series' organisers see the requests about their series, and their own.
        return found.filter(Q(series__managers=user) | Q(acted_by=user)).distinct()

    def get_search_results(self, request, queryset, search_term):
        # Only the keyed hash is stored: an address is found by its hash, never by its text.
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(address_hash=address_hash(term)), False

    def has_module_permission(self, request):
        return may_answer(request.user)

    def has_view_permission(self, request, obj=None):
        return may_answer(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("code"))
    def code(self, obj):
        return obj.address_hash[:12]

    @admin.display(description=_("done by"))
    def done_by(self, obj):
        if obj.by_visitor:
            return _("the person, through a mailed link")
        return obj.acted_by or "–"

    @admin.display(description=_("counts"))
    def counts_text(self, obj):
        return ", ".join(f"{key}: {value}" for key, value in sorted(obj.counts.items()))

    def get_urls(self):
        return [
            path(
                "answer/",
                self.admin_site.admin_view(self.answer_view),
                name="privacy_honouredrequest_answer",
            ),
            *super().get_urls(),
        ]

    def answer_view(self, request):
        """Type an address (POST, so it stays out of addresses and logs), see what is kept in
        one's series, download it or erase it after a confirmation."""
        user = request.user
        if not may_answer(user):
            raise PermissionDenied
        form = AddressForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Answer a data request"),
            "form": form,
            "partial": not sees_everything(user),
        }
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(request, "admin/privacy/answer.html", context)
        email = form.cleaned_data["email"]
        action = request.POST.get("action", "show")
        kept = kept_for(email, scope=user)
        if action == "download":
            services.access_record(email=email, kept=kept, acted_by=user)
            return json_download(kept, f"data-{address_hash(email)[:12]}.json")
        if action == "erase":
            services.data_erase(email=email, scope=user, acted_by=user)
            messages.success(request, _("The data kept for this address is erased."))
            return HttpResponseRedirect(reverse("admin:privacy_honouredrequest_changelist"))
        context.update(
            kept=kept,
            email=email,
            earlier=services.earlier_requests(email, scope=user),
            confirming=action == "confirm",
        )
        return TemplateResponse(request, "admin/privacy/answer.html", context)

"""Followers in admin: who follows which series, and in what state; never editable addresses."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from following import services
from following.models import Follower
from series.admin_scope import SeriesScopedAdmin


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("following", _("following")),
            ("unconfirmed", _("not confirmed yet")),
            ("unsubscribed", _("unsubscribed")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "following":
            return queryset.following()
        if self.value() == "unconfirmed":
            return queryset.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        if self.value() == "unsubscribed":
            return queryset.filter(unsubscribed_at__isnull=False)
        return queryset


@admin.register(Follower)
class FollowerAdmin(SeriesScopedAdmin, admin.ModelAdmin):
    list_display = ["email", "series", "state", "created", "confirmed_at"]
    list_filter = [StateFilter, "series"]
    search_fields = ["email"]
    list_select_related = ["series"]
    fields = ["series", "email", "language", "created", "confirmed_at", "unsubscribed_at"]
    readonly_fields = fields
    actions = ["unsubscribe_selected"]

    def has_change_permission(self, request, obj=None):
        # Nothing on a follower's page is editable; "change" only allows the unsubscribe action.
        return obj is None and super().has_change_permission(request)

    def has_add_permission(self, request):
        # Only the owner of an address can make it follow (double opt-in).
        return False

    @admin.display(description=_("state"))
    def state(self, follower):
        if follower.unsubscribed_at:
            return _("unsubscribed")
        return _("following") if follower.confirmed_at else _("not confirmed yet")

    @admin.action(description=_("Unsubscribe the selected followers"), permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        # Through the service, one by one: tools that listen (webhooks) hear of each.
        followers = list(queryset.filter(unsubscribed_at__isnull=True))
        now = timezone.now()
        for follower in followers:
            services.follow_stop(follower=follower, now=now)
        count = len(followers)
        self.message_user(request, _("%(count)d followers unsubscribed.") % {"count": count})

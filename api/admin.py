"""API tokens in admin: each staff member makes their own, sees the token once, revokes it.

Organisers see only their own tokens, superusers everyone's. A token's series are chosen among
those its maker organises (series.access); the token itself is shown on the page that answers
the add form, never stored, sent by mail or put in a message (which a cookie may carry).
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiToken
from api.tokens import issue
from series.access import organised_series


def _staff(request) -> bool:
    return request.user.is_active and request.user.is_staff


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "shown_prefix", "scope", "can_write", "state", "last_used_at"]
    list_filter = ["can_write"]
    search_fields = ["name", "prefix"]
    fields = ["name", "series", "can_write", "expires_at"]
    readonly_fields = ["shown_prefix", "user", "created", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    filter_horizontal = ["series"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user").prefetch_related("series")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [*self.list_display[:1], "user", *self.list_display[1:]]
        return self.list_display

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return ["shown_prefix", "user", *self.fields, "created", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.revoked_at:
            return [*self.readonly_fields, *self.fields]
        return self.readonly_fields if obj is not None else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "series":
            kwargs["queryset"] = organised_series(request.user).order_by("title")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # Every staff member may hold tokens: the token can never do more than its holder.
    def has_module_permission(self, request):
        return _staff(request)

    def has_view_permission(self, request, obj=None):
        return _staff(request)

    def has_add_permission(self, request):
        return _staff(request)

    def has_change_permission(self, request, obj=None):
        return _staff(request) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_delete_permission(self, request, obj=None):
        # Revoked tokens stay, with their last use, for the record.
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if not change:
            obj.user = request.user
            request._new_api_token = issue(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Your new API token"),
            "opts": self.model._meta,
            "token": obj,
            "secret": request._new_api_token,
        }
        response = TemplateResponse(request, "admin/api/apitoken/created.html", context)
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.display(description=_("begins with"), ordering="prefix")
    def shown_prefix(self, obj):
        return f"{obj.prefix}..."

    @admin.display(description=_("series"))
    def scope(self, obj):
        titles = [series.title for series in obj.series.all()]
        return ", ".join(titles) if titles else _("every series you organise")

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.revoked_at:
            return _("revoked")
        if obj.expires_at and obj.expires_at <= timezone.now():
            return _("expired")
        return _("active")

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

"""The site's identity (name, logo, colours), edited by administrators."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from core.uploads import CLEAN_IMAGES
from webinars import theme
from webinars.models import (
    SiteSettings,
)


@admin.register(SiteSettings)
class SiteSettingsAdmin(TranslationAdmin):
    """One record: the list goes straight to it, made with the defaults the first time."""

    formfield_overrides = CLEAN_IMAGES
    fields = ["site_name", "logo", "accent_colour", "colours_shown", "contact_email", "footer_text"]
    readonly_fields = ["colours_shown"]

    # The site's identity is the administrators' to change; organisers may read it.
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_superuser
            and not SiteSettings.objects.exists()
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Made on first use, so that organisers (who may read but not add it) are never sent to
        # an "add" page they may not open on a fresh install.
        record = SiteSettings.objects.order_by("pk").first()
        if record is None:
            if not self.has_view_permission(request):
                raise PermissionDenied
            record = SiteSettings.objects.create()
        return HttpResponseRedirect(reverse("admin:webinars_sitesettings_change", args=[record.pk]))

    @admin.display(description=_("colours shown"))
    def colours_shown(self, obj):
        if obj is None or not obj.accent_colour:
            return _("The house colours (%(light)s on light pages, %(dark)s on dark ones).") % {
                "light": theme.HOUSE_LIGHT.accent,
                "dark": theme.HOUSE_DARK.accent,
            }
        return _(
            "Light mode: %(light)s (%(light_ratio).1f:1 on the page); dark mode: %(dark)s "
            "(%(dark_ratio).1f:1)."
        ) % {
            "light": obj.light.accent,
            "light_ratio": theme.contrast(obj.light.accent, theme.LIGHT_BACKGROUNDS[1]),
            "dark": obj.dark.accent,
            "dark_ratio": theme.contrast(obj.dark.accent, theme.DARK_BACKGROUNDS[0]),
        }

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        chosen = obj.accent_colour.lower()
        shaded = [
            str(label) + " " + scheme.accent
            for label, scheme in ((_("light mode:"), obj.light), (_("dark mode:"), obj.dark))
            if scheme and scheme.accent != chosen
        ]
        if shaded:
            self.message_user(
                request,
                _(
                    "%(colour)s is too faint for text in some places, so pages use a shade of it "
                    "that reads well (WCAG AA) there: %(shades)s."
                )
                % {"colour": chosen, "shades": "; ".join(shaded)},
                messages.WARNING,
            )

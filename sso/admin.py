from django.contrib import admin

from sso.models import Identity


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    """Which account each provider's person signs in to. Made by sign-in only; deleting one
    unlinks it (the next sign-in links or makes an account again)."""

    list_display = ["user", "issuer", "subject", "created", "last_sign_in"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "subject"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

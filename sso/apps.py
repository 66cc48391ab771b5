from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("Single sign-on")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from sso.forms import PasswordSignInForm

        # Admin's own login view, with a form that knows when passwords are switched off.
        admin.site.login_form = PasswordSignInForm

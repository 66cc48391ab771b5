"""Admin's sign-in form, which says so when passwords are switched off."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sso.backends import password_sign_in_allowed
from sso.names import provider_name


class PasswordSignInForm(AdminAuthenticationForm):
    def clean(self):
        if not password_sign_in_allowed():
            raise ValidationError(
                _("Password sign-in is switched off on this site: sign in with %(provider)s."),
                code="password_sign_in_off",
                params={"provider": provider_name()},
            )
        return super().clean()

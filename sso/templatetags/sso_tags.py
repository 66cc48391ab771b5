from urllib.parse import urlencode

from django import template
from django.urls import reverse

from sso.backends import password_sign_in_allowed, sso_configured
from sso.names import provider_name

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_sign_in(context):
    """The "Sign in with ..." link of admin's sign-in page, or None without single sign-on."""
    if not sso_configured():
        return None
    next_url = context.get("next") or reverse("admin:index")
    return {
        "url": f"{reverse('oidc_authentication_init')}?{urlencode({'next': next_url})}",
        "name": provider_name(),
        "password": password_sign_in_allowed(),
    }

"""Sign-in through the provider, its callback, and sign-out.

Every way a sign-in can fail ends on a page that says what happened and what to do, in the
language of the admin page the person came from: refused (403), an answer that does not fit this
sign-in (400: an old or tampered link), the provider away (503).
"""

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import admin, auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from sso import discovery
from sso.accounts import AccessRefused
from sso.backends import library_setting, sso_configured
from sso.names import provider_name

logger = logging.getLogger(__name__)


def problem(request, status: int, title: str, message: str) -> TemplateResponse:
    context = {
        **admin.site.each_context(request),
        "title": title,
        "message": message,
        "provider": provider_name(),
    }
    return TemplateResponse(request, "sso/problem.html", context, status=status)


def _in_language_of_next(view):
    """Pages here live outside the language prefixes: speak the language of the admin page the
    sign-in started from (/nl/admin/ -> Dutch). Each answer belongs to one sign-in: never kept
    by a cache in front."""

    @never_cache
    def wrapped(request, *args, **kwargs):
        next_url = request.GET.get("next") or request.session.get("oidc_login_next") or ""
        language = translation.get_language_from_path(next_url) or settings.LANGUAGE_CODE
        with translation.override(language):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
        return response

    return wrapped


def unavailable(request, error) -> TemplateResponse:
    logger.warning("Single sign-on: the provider cannot be reached: %s", error)
    return problem(
        request,
        503,
        _("Sign-in is not available right now"),
        _(
            "%(provider)s cannot be reached at the moment. Please try again in a few minutes; "
            "if it keeps happening, tell the site's administrators."
        )
        % {"provider": provider_name()},
    )


def not_completed(request) -> TemplateResponse:
    return problem(
        request,
        400,
        _("Sign-in was not completed"),
        _(
            "This sign-in could not be completed: it was cancelled, it took too long, or the "
            "link was used already. Please start again from the sign-in page."
        ),
    )


class SignInView(OIDCAuthenticationRequestView):
    """Sends the organiser to the provider (state, nonce and PKCE kept in their session)."""

    get_settings = staticmethod(library_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_CLIENT_ID)
    OIDC_OP_AUTH_ENDPOINT = property(
        lambda self: discovery.configuration()["authorization_endpoint"]
    )

    def get(self, request):
        if not sso_configured():
            raise Http404
        try:
            discovery.configuration()
        except discovery.ProviderUnavailable as error:
            return unavailable(request, error)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the organiser back here (register this address there)."""

    get_settings = staticmethod(library_setting)

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse("admin:index")

    def login_failure(self):
        return not_completed(self.request)

    def get(self, request):
        if not sso_configured():
            raise Http404
        try:
            return super().get(request)
        except AccessRefused:
            logger.info("Single sign-on: refused, the claims allow no access")
            return problem(
                request,
                403,
                _("No access to this site's administration"),
                _(
                    "You signed in with %(provider)s, but your account there does not give "
                    "access to this site's administration. If you organise webinars here, "
                    "ask the site's administrators to add you to the right group."
                )
                % {"provider": provider_name()},
            )
        except discovery.ProviderUnavailable as error:
            return unavailable(request, error)
        except requests.HTTPError as error:
            # The provider refused the code: used already, expired, or not for this client.
            logger.warning("Single sign-on: the provider refused the code: %s", error)
            return not_completed(request)
        except requests.RequestException as error:
            return unavailable(request, error)
        except SuspiciousOperation as error:
            logger.warning("Single sign-on: callback refused: %s", error)
            return not_completed(request)


sign_in = _in_language_of_next(SignInView.as_view())
callback = _in_language_of_next(CallbackView.as_view())


def sign_out(request):
    """Admin's sign-out, which also ends the provider's session when the provider offers it."""
    id_token = request.session.get("oidc_id_token")
    if request.method != "POST" or not id_token or not sso_configured():
        return admin.site.logout(request)
    try:
        end_session = discovery.configuration().get("end_session_endpoint")
    except discovery.ProviderUnavailable:
        end_session = None
    if not end_session:
        return admin.site.logout(request)
    auth.logout(request)
    with translation.override(settings.LANGUAGE_CODE):
        back = settings.SITE_URL + reverse("admin:login")
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": back,
            "client_id": settings.OIDC_CLIENT_ID,
        }
    )
    return HttpResponseRedirect(f"{end_session}?{query}")

"""Authentication backends: passwords (off while OIDC_ONLY is on) and the provider's callback.

mozilla-django-oidc reads its endpoints from settings when a backend is made, which Django does
for every request that loads a signed-in user; here they are properties, read from the provider's
discovery document only when a sign-in needs them.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from sso import discovery
from sso.accounts import account_for

# The library's settings that this site fixes: PKCE with S256, a nonce, the ID token kept in
# the session (to end the provider's session on sign-out), and accounts made by `account_for`.
FIXED = {
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_USE_NONCE": True,
    "OIDC_STORE_ID_TOKEN": True,
    "OIDC_VERIFY_SSL": True,
    "OIDC_ALLOW_UNSECURED_JWT": False,
}
# ... and those this site names in its own words (README, "Configuration").
RENAMED = {
    "OIDC_RP_CLIENT_ID": "OIDC_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET": "OIDC_CLIENT_SECRET",
    "OIDC_RP_SCOPES": "OIDC_SCOPES",
    "OIDC_RP_SIGN_ALGO": "OIDC_SIGN_ALGO",
}


def library_setting(name, *default):
    if name in FIXED:
        return FIXED[name]
    return import_from_settings(RENAMED.get(name, name), *default)


def sso_configured() -> bool:
    return bool(settings.OIDC_ISSUER)


def password_sign_in_allowed() -> bool:
    return not (sso_configured() and settings.OIDC_ONLY)


class PasswordBackend(ModelBackend):
    """Django's password check, refused to everyone while OIDC_ONLY is on."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not password_sign_in_allowed():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider's callback names (sso/views.py passes `nonce`)."""

    get_settings = staticmethod(library_setting)
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    # Django's, which refuses an account switched off since it signed in; the library's does not.
    get_user = ModelBackend.get_user

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_SIGN_ALGO)
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: discovery.configuration()["token_endpoint"])
    OIDC_OP_USER_ENDPOINT = property(
        lambda self: discovery.configuration().get("userinfo_endpoint")
    )
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: discovery.configuration()["jwks_uri"])

    def authenticate(self, request, **kwargs):
        # Only the callback view calls with a nonce: a password form posted to an address
        # with ?code=...&state=... must not start a token exchange.
        if not sso_configured() or "nonce" not in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:
            # The library checks the signature and the nonce; the issuer, audience and expiry
            # of an ID token are checked here (OpenID Connect Core, 3.1.3.7).
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if payload.get("iss") != discovery.configuration()["issuer"]:
                raise SuspiciousOperation("The ID token comes from another issuer.")
            if settings.OIDC_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token is meant for another client.")
            if "exp" not in payload or not payload.get("sub"):
                raise SuspiciousOperation("The ID token has no expiry or no subject.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT:
            return {}
        return super().get_userinfo(access_token, id_token, payload)

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict):
            raise SuspiciousOperation("The provider's userinfo is not an object.")
        if userinfo.get("sub", payload["sub"]) != payload["sub"]:
            raise SuspiciousOperation("The userinfo names another person than the ID token.")
        # Groups may be in either: Entra puts them in the ID token, Keycloak in both.
        return account_for(payload["iss"], {**payload, **userinfo})

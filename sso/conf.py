"""Single sign-on settings, read from the environment once at start-up.

`config/settings.py` calls `from_environment(env)`; a value that cannot work stops start-up with
one line saying what to set, as the other settings do. Nothing here reaches the network: the
provider's endpoints are discovered at the first sign-in (`sso/discovery.py`).
"""

from urllib.parse import urlsplit

REQUIRED = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")


class SsoSettingsError(ValueError):
    """A single sign-on setting that cannot work; the message says what to set instead."""


def from_environment(env) -> dict:
    """The OIDC_* settings (see README, "Configuration"), or SsoSettingsError."""
    values = {
        "OIDC_ISSUER": env.str("OIDC_ISSUER", default="").strip().rstrip("/"),
        "OIDC_CLIENT_ID": env.str("OIDC_CLIENT_ID", default="").strip(),
        "OIDC_CLIENT_SECRET": env.str("OIDC_CLIENT_SECRET", default=""),
        "OIDC_ONLY": env.bool("OIDC_ONLY", default=False),
        # Empty: the page says "single sign-on" in the page's language.
        "OIDC_NAME": env.str("OIDC_NAME", default="").strip(),
        "OIDC_SCOPES": env.str("OIDC_SCOPES", default="openid email profile").strip(),
        "OIDC_GROUPS_CLAIM": env.str("OIDC_GROUPS_CLAIM", default="groups").strip(),
        "OIDC_STAFF_GROUPS": _names(env.list("OIDC_STAFF_GROUPS", default=[])),
        "OIDC_ORGANISER_GROUPS": _names(env.list("OIDC_ORGANISER_GROUPS", default=[])),
        "OIDC_ADMIN_GROUPS": _names(env.list("OIDC_ADMIN_GROUPS", default=[])),
        "OIDC_SERIES_GROUP_PREFIX": env.str("OIDC_SERIES_GROUP_PREFIX", default=""),
        "OIDC_SIGN_ALGO": env.str("OIDC_SIGN_ALGO", default="RS256").strip(),
        "OIDC_TIMEOUT": env.float("OIDC_TIMEOUT", default=10),
    }
    given = [name for name in REQUIRED if values[name]]
    if given and len(given) < len(REQUIRED):
        missing = ", ".join(name for name in REQUIRED if not values[name])
        raise SsoSettingsError(
            f"single sign-on needs {', '.join(REQUIRED)} together: {missing} is not set."
        )
    if values["OIDC_ONLY"] and not given:
        raise SsoSettingsError(
            "OIDC_ONLY=on turns password sign-in off, but OIDC_ISSUER, OIDC_CLIENT_ID and "
            "OIDC_CLIENT_SECRET are not set: nobody could sign in."
        )
    issuer = urlsplit(values["OIDC_ISSUER"])
    if values["OIDC_ISSUER"] and (issuer.scheme not in ("https", "http") or not issuer.netloc):
        raise SsoSettingsError(
            f"OIDC_ISSUER={values['OIDC_ISSUER']}: give the provider's issuer URL, e.g. "
            "https://sso.example.org/realms/staff (its /.well-known/openid-configuration is read)."
        )
    if "openid" not in values["OIDC_SCOPES"].split():
        raise SsoSettingsError(
            f"OIDC_SCOPES={values['OIDC_SCOPES']}: the scopes must include openid."
        )
    if not values["OIDC_GROUPS_CLAIM"]:
        raise SsoSettingsError("OIDC_GROUPS_CLAIM is empty: name the claim that lists groups.")
    if not 0 < values["OIDC_TIMEOUT"] <= 120:
        raise SsoSettingsError("OIDC_TIMEOUT: give the seconds a call to the provider may take.")
    return values


def _names(items: list[str]) -> list[str]:
    return [item.strip() for item in items if item.strip()]

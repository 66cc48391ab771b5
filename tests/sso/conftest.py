import pytest

from sso import discovery
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET, claims, start_provider

ACCOUNTS = {
    "organiser": claims(["organisers"], email="olga@example.org", preferred_username="olga"),
    "manager": claims(["series:alpha"], email="max@example.org", preferred_username="max"),
    "outsider": claims(["canteen"], email="otto@example.org", preferred_username="otto"),
}


@pytest.fixture(scope="session")
def oidc_provider():
    provider = start_provider()
    yield provider
    provider.stop()


@pytest.fixture
def sso_settings(settings):
    """Single sign-on configured, the groups mapped as docs/deploy.md suggests."""
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_NAME = "Test ID"
    settings.OIDC_SCOPES = "openid email profile groups"
    settings.OIDC_ORGANISER_GROUPS = ["organisers"]
    settings.OIDC_SERIES_GROUP_PREFIX = "series:"
    settings.OIDC_TIMEOUT = 5
    discovery.forget()
    yield settings
    discovery.forget()


@pytest.fixture
def provider(sso_settings, oidc_provider):
    """The provider on loopback, its accounts as ACCOUNTS says, its clock the suite's."""
    sso_settings.OIDC_ISSUER = oidc_provider.issuer
    for account, account_claims in ACCOUNTS.items():
        oidc_provider.set_account(account, account_claims)
    oidc_provider.sync_clock()
    return oidc_provider

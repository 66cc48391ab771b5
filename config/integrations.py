"""Settings of the parts that talk to other systems, each read by its own app's `conf` module.

Single sign-on (sso/conf.py), meeting providers (meetings/conf.py) and webhooks (hooks/conf.py)
keep their variables, defaults and checks beside the code that uses them; settings.py merges
what this returns. A value that cannot work raises IntegrationSettingsError with one line that
says what to set.
"""

from hooks.conf import from_environment as hooks_settings
from meetings.conf import MeetingSettingsError
from meetings.conf import from_environment as meetings_settings
from sso.conf import SsoSettingsError
from sso.conf import from_environment as sso_settings

IntegrationSettingsError = (SsoSettingsError, MeetingSettingsError)


def from_environment(env, base_dir) -> dict:
    return {**sso_settings(env), **meetings_settings(env), **hooks_settings(env, base_dir)}

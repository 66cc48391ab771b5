"""Meeting providers' settings, read from the environment once at start-up.

`config/settings.py` calls `from_environment(env)`. A provider is offered in admin once its
settings are there (meetings/registry.py); a pair that only works together, or an unknown
checksum, stops start-up with one line saying what to set.
"""


class MeetingSettingsError(ValueError):
    """A meeting setting that cannot work; the message says what to set instead."""


def from_environment(env) -> dict:
    """BBB_*, JITSI_* and MEETING_TIMEOUT_SECONDS (see README, "Configuration")."""
    values = {
        # https://bbb.example.org/bigbluebutton/api/ and the server's shared secret.
        "BBB_API_URL": env.str("BBB_API_URL", default="").strip(),
        "BBB_SECRET": env.str("BBB_SECRET", default=""),
        "BBB_CHECKSUM": env.str("BBB_CHECKSUM", default="sha1").strip().lower(),
        # Jitsi Meet; with an app id and secret (token authentication) join links carry a JWT.
        "JITSI_URL": env.str("JITSI_URL", default="https://meet.jit.si").strip().rstrip("/"),
        "JITSI_APP_ID": env.str("JITSI_APP_ID", default=""),
        "JITSI_APP_SECRET": env.str("JITSI_APP_SECRET", default=""),
        # The longest any call to a provider may wait, to connect and for each read.
        "MEETING_TIMEOUT_SECONDS": env.float("MEETING_TIMEOUT_SECONDS", default=4.0),
    }
    for first, second in (("BBB_API_URL", "BBB_SECRET"), ("JITSI_APP_ID", "JITSI_APP_SECRET")):
        if bool(values[first]) != bool(values[second]):
            raise MeetingSettingsError(f"{first} and {second} go together: set both (or neither).")
    if values["BBB_CHECKSUM"] not in ("sha1", "sha256"):
        raise MeetingSettingsError(
            f"BBB_CHECKSUM={values['BBB_CHECKSUM']!r}: use sha1 (BigBlueButton's default) or sha256."
        )
    return values

"""Meeting providers' settings, read from the environment once at start-up.

`config/settings.py` calls `from_environment(env)` (through config/integrations.py). A provider
is offered in admin once configured (meetings/registry.py): BigBlueButton's API address
(https://bbb.example.org/bigbluebutton/api/) and shared secret; Jitsi Meet, whose join links
carry a JWT with an app id and secret; Zoom, a Server-to-Server OAuth app's account id, client
id and secret with its webhook secret token (ZOOM_USE_WEBINARS: Zoom webinars instead of
meetings, the account's licence). Provider calls wait at most MEETING_TIMEOUT_SECONDS. Settings
that only work together, or an unknown checksum, stop start-up with one line saying what to set.
"""


class MeetingSettingsError(ValueError):
    """A meeting setting that cannot work; the message says what to set instead."""


GROUPS = (
    ("BBB_API_URL", "BBB_SECRET"),
    ("JITSI_APP_ID", "JITSI_APP_SECRET"),
    ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_WEBHOOK_SECRET"),
)


def from_environment(env) -> dict:
    """BBB_*, JITSI_*, ZOOM_* and MEETING_TIMEOUT_SECONDS (see README, "Configuration")."""
    found = {
        "BBB_API_URL": env.str("BBB_API_URL", default="").strip(),
        "BBB_SECRET": env.str("BBB_SECRET", default=""),
        "BBB_CHECKSUM": env.str("BBB_CHECKSUM", default="sha1").strip().lower(),
        "JITSI_URL": env.str("JITSI_URL", default="https://meet.jit.si").strip().rstrip("/"),
        "JITSI_APP_ID": env.str("JITSI_APP_ID", default=""),
        "JITSI_APP_SECRET": env.str("JITSI_APP_SECRET", default=""),
        "MEETING_TIMEOUT_SECONDS": env.float("MEETING_TIMEOUT_SECONDS", default=4.0),
        "ZOOM_ACCOUNT_ID": env.str("ZOOM_ACCOUNT_ID", default="").strip(),
        "ZOOM_CLIENT_ID": env.str("ZOOM_CLIENT_ID", default="").strip(),
        "ZOOM_CLIENT_SECRET": env.str("ZOOM_CLIENT_SECRET", default=""),
        "ZOOM_WEBHOOK_SECRET": env.str("ZOOM_WEBHOOK_SECRET", default=""),
        "ZOOM_API_URL": env.str("ZOOM_API_URL", default="https://api.zoom.us/v2")
        .strip()
        .rstrip("/"),
        "ZOOM_OAUTH_URL": env.str("ZOOM_OAUTH_URL", default="https://zoom.us/oauth/token").strip(),
        "ZOOM_USE_WEBINARS": env.bool("ZOOM_USE_WEBINARS", default=False),
    }
    for group in GROUPS:
        if any(found[name] for name in group) and not all(found[name] for name in group):
            raise MeetingSettingsError(
                f"{', '.join(group)} go together: set all of them (or none)."
            )
    if found["BBB_CHECKSUM"] not in ("sha1", "sha256"):
        raise MeetingSettingsError(
            f"BBB_CHECKSUM={found['BBB_CHECKSUM']!r}: use sha1 (BigBlueButton's default) or sha256."
        )
    return found

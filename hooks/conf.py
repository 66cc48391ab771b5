"""Outgoing webhooks' settings, read from the environment once at start-up."""


def from_environment(env, base_dir) -> dict:
    """WEBHOOK_* (see README, "Configuration")."""
    return {
        # Tries before a delivery is given up and shown as failed.
        "WEBHOOK_MAX_ATTEMPTS": env.int("WEBHOOK_MAX_ATTEMPTS", default=10),
        # Days of failing before an endpoint is switched off (its owner is mailed).
        "WEBHOOK_DISABLE_AFTER_DAYS": env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=3),
        # Days a finished delivery is kept: payloads name people.
        "WEBHOOK_RETENTION_DAYS": env.int("WEBHOOK_RETENTION_DAYS", default=30),
        # The SQLite senders' flock: one of their own, so a slow receiver never holds the mail.
        "WEBHOOK_LOCK_FILE": str(
            env.path("WEBHOOK_LOCK_FILE", default=base_dir / "send_webhooks.flock")
        ),
    }

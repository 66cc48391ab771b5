"""System checks on settings that would otherwise fail quietly."""

from django.conf import settings
from django.core import checks

from webinars.views.protection import origin_of


@checks.register(checks.Tags.security)
def check_embed_origins(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An EMBED_ALLOWED_ORIGINS entry that is no origin lets no site frame or post: say so."""
    return [
        checks.Warning(
            f"EMBED_ALLOWED_ORIGINS: {entry!r} is not an origin such as https://www.example.org; "
            "it is ignored, so that site can neither frame the embed pages nor post their forms.",
            id="webinars.W001",
        )
        for entry in settings.EMBED_ALLOWED_ORIGINS
        if origin_of(entry) is None
    ]

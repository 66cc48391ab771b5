"""Which sites may frame the embed pages, and the HTML an organiser pastes to show one."""

from django.conf import settings
from django.utils.html import escape

from core.protection import origin_of


def frame_origins() -> list[str]:
    """The origins that may frame the embed pages, as CSP source expressions."""
    origins = (origin_of(o) for o in settings.EMBED_ALLOWED_ORIGINS)
    return sorted({o for o in origins if o})


def iframe_snippet(path: str, title: str) -> str:
    """The HTML an organiser pastes into their own site to show an embed page.

    The resize script is named without its content hash so the pasted address keeps working
    after a deploy (whitenoise serves both names).
    """
    site = settings.SITE_URL
    return (
        f'<iframe src="{site}{path}" title="{escape(title)}" data-webinars-embed '
        f'width="100%" height="640" style="border:0" loading="lazy"></iframe>\n'
        f'<script src="{site}/{settings.STATIC_URL.strip("/")}/js/embed.js" async></script>'
    )

"""Pages for an iframe on the organisation's own site: the calendar, a series, their forms.

Only the origins in EMBED_ALLOWED_ORIGINS may frame them (CSP frame-ancestors); every other
page keeps refusing to be framed. They are public pages like the others: cookie-free and
page-cached, the same bytes for every visitor.
"""

from functools import wraps

from django.conf import settings
from django.utils.html import escape

from webinars.views.pages import CalendarView, SeriesDetailView
from webinars.views.protection import origin_of


def frame_origins() -> list[str]:
    """The origins that may frame the embed pages, as CSP source expressions."""
    origins = (origin_of(o) for o in settings.EMBED_ALLOWED_ORIGINS)
    return sorted({o for o in origins if o})


def embeddable(view):
    """Let the allowed origins frame this view's pages; without any, it stays unframeable."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origins = frame_origins()
        if origins:
            # X-Frame-Options cannot name an origin; frame-ancestors replaces it.
            response._csp_replace = {"frame-ancestors": origins}
            response.xframe_options_exempt = True
        return response

    return wrapped


class EmbedCalendarView(CalendarView):
    template_name = "embed/calendar.html"


class EmbedSeriesView(SeriesDetailView):
    template_name = "embed/series.html"


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

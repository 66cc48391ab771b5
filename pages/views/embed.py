"""Pages for an iframe on the organisation's own site: the calendar, a series, their forms.

Only the origins in EMBED_ALLOWED_ORIGINS may frame them (CSP frame-ancestors); every other
page keeps refusing to be framed. They are public pages like the others: cookie-free and
page-cached, the same bytes for every visitor.
"""

from functools import wraps

from pages.views.pages import CalendarView, SeriesDetailView
from webinars.csp import allow_framing_by
from webinars.embedding import frame_origins


def embeddable(view):
    """Let the allowed origins frame this view's pages; without any, it stays unframeable."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origins = frame_origins()
        return allow_framing_by(response, origins) if origins else response

    return wrapped


class EmbedCalendarView(CalendarView):
    template_name = "embed/calendar.html"


class EmbedSeriesView(SeriesDetailView):
    template_name = "embed/series.html"

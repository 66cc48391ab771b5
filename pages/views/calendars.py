"""Calendar files and discovery: .ics downloads and feeds, the month grid, RSS/Atom, robots.txt.

Calendar clients poll feeds every few hours; the page cache answers them (a 304 when nothing
changed) without rendering.
"""

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from pages.sitemaps import SITEMAPS
from webinars.formatting import when
from webinars.ical import (
    DEFAULT_REFRESH,
    CalendarResponse,
    calendar_for,
    event_description,
    organiser_names,
)
from webinars.identity import site_name
from webinars.models import Webinar
from webinars.rules import phase
from webinars.selectors import webinars_for_calendars
from webinars.text import one_line, plain_text, xml_safe

# The all-webinars feed keeps 90 days of the past and everything ahead: its size follows the
# site's schedule, not its history (each series' own feed keeps all of that series). It is
# not streamed: the page cache stores whole bodies and its strong ETag is their digest, and a
# bounded feed is built quickly from the serialised events it reuses (webinars.ical).
FEED_PAST = timedelta(days=90)
FEED_ITEMS = 30


def _site_feed_webinars(now: datetime | None = None) -> QuerySet[Webinar]:
    now = now or timezone.now()
    ended_since = phase.not_over_q(now - FEED_PAST)
    return webinars_for_calendars().filter(ended_since).order_by("start", "pk")


def _series_feed_webinars(slug: str) -> QuerySet[Webinar]:
    return webinars_for_calendars().filter(series__slug=slug).order_by("start", "pk")


def _webinar_ics(slug: str) -> QuerySet[Webinar]:
    return webinars_for_calendars().filter(slug=slug)


# --- .ics -------------------------------------------------------------------------------


def month_label(year: int, month: int) -> str:
    """'June 2026', 'juni 2026': Django's month names follow the active language; the
    calendar module's would stay English."""
    return f"{MONTHS[month]} {year}"


@require_safe
def webinar_calendar(request, slug: str):
    """One webinar as a downloadable .ics file."""
    webinar = get_object_or_404(_webinar_ics(slug))
    return CalendarResponse(calendar_for([webinar], alarm=True), filename=f"{webinar.slug}.ics")


@require_safe
def series_calendar(request, slug: str):
    """Subscribable feed of every published webinar of one series, its whole history."""
    webinars = list(_series_feed_webinars(slug))
    if not webinars:
        raise Http404("No published webinars in this series.")
    series = webinars[0].series
    content = calendar_for(
        webinars,
        name=series.title,
        description=plain_text(series.description) or None,
        url=settings.SITE_URL + series.get_absolute_url(),
        source=settings.SITE_URL + request.path,
        refresh=DEFAULT_REFRESH,
    )
    return CalendarResponse(content)


@require_safe
def site_calendar(request):
    """Subscribable feed of all published webinars: upcoming ones and the past 90 days."""
    # With nothing to show this is still a valid (empty) calendar that clients keep polling.
    webinars = list(_site_feed_webinars())
    content = calendar_for(
        webinars,
        name=site_name(),
        description=_(
            "All webinars: upcoming ones and those of the past 90 days. Each series' own "
            "calendar keeps all of its webinars."
        ),
        url=settings.SITE_URL + reverse("webinars:calendar"),
        source=settings.SITE_URL + request.path,
        refresh=DEFAULT_REFRESH,
    )
    return CalendarResponse(content)


# --- Month grid -------------------------------------------------------------------------


@dataclass
class Day:
    date: date | None
    in_month: bool
    is_today: bool
    webinars: list[Webinar] = field(default_factory=list)
    is_past: bool = False


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC instants that hold every webinar starting this month in any zone (UTC-12..UTC+14)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    low = first - timedelta(days=1) if first > date.min else first
    high = last + timedelta(days=1) if last < date.max else last
    return datetime.combine(low, time.min, UTC), datetime.combine(high, time.max, UTC)


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int] | None:
    index = year * 12 + (month - 1) + delta
    shifted = divmod(index, 12)
    if not 1 <= shifted[0] <= 9999:
        return None
    return shifted[0], shifted[1] + 1


def _month_link(year_month: tuple[int, int] | None) -> dict | None:
    if year_month is None:
        return None
    year, month = year_month
    return {
        "url": reverse("webinars:month", kwargs={"year": f"{year:04d}", "month": f"{month:02d}"}),
        "label": month_label(year, month),
    }


def month_grid(year: int, month: int, *, today: date | None = None) -> list[list[Day]]:
    """Weeks from Monday; each published webinar on its local start date in its own zone.

    One query: webinars starting within a day either side of the month in UTC, placed by
    their local date in Python (a 23:30 New York webinar is on its own day, not the next).
    """
    low, high = _month_bounds(year, month)
    candidates = (
        Webinar.objects.published()
        .filter(start__gte=low, start__lte=high)
        .select_related("series")
        .order_by("start", "pk")
    )
    by_day: dict[date, list[Webinar]] = {}
    for webinar in candidates:
        by_day.setdefault(webinar.local_start.date(), []).append(webinar)

    # Day numbers, 0 for the days of the neighbouring months that fill the first and last
    # week (no dates for those: the week after 31 December 9999 has none).
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdayscalendar(year, month)
    return [
        [
            Day(
                date=date(year, month, number),
                in_month=True,
                is_today=date(year, month, number) == today,
                webinars=by_day.get(date(year, month, number), []),
                is_past=today is not None and date(year, month, number) < today,
            )
            if number
            else Day(date=None, in_month=False, is_today=False)
            for number in week
        ]
        for week in weeks
    ]


def next_month_with_webinars(year: int, month: int) -> tuple[int, int] | None:
    """The first month after this one in which a published webinar starts (in its own zone)."""
    _, high = _month_bounds(year, month)
    # From a day before the month's end in UTC: a webinar early on the 1st in Tokyo starts then.
    later = (
        Webinar.objects.published()
        .filter(start__gte=high - timedelta(days=2))
        .order_by("start", "pk")
        .only("start", "time_zone")
    )
    # Only the first few can still fall in this month locally; the rest start after them.
    for webinar in later[:50]:
        local = webinar.local_start
        if (local.year, local.month) > (year, month):
            return local.year, local.month
    return None


@require_safe
def month_view(request, year: str, month: str):
    """The month grid with links to the previous and next months."""
    year_number, month_number = int(year), int(month)
    if not (1 <= year_number <= 9999 and 1 <= month_number <= 12):
        raise Http404("No such month.")
    today = timezone.localdate()
    weeks = month_grid(year_number, month_number, today=today)
    following = _shift_month(year_number, month_number, 1)
    next_busy = next_month_with_webinars(year_number, month_number)
    context = {
        "year": year_number,
        "month": month_number,
        "month_label": month_label(year_number, month_number),
        "weekdays": [(WEEKDAYS[i], WEEKDAYS_ABBR[i]) for i in range(7)],
        "weeks": weeks,
        "count": sum(len(day.webinars) for week in weeks for day in week),
        "previous": _month_link(_shift_month(year_number, month_number, -1)),
        "next": _month_link(following),
        # A jump over empty months, when the next one has nothing.
        "next_with_webinars": _month_link(next_busy) if next_busy != following else None,
        "this_month": (
            _month_link((today.year, today.month))
            if (today.year, today.month) != (year_number, month_number)
            else None
        ),
    }
    return render(request, "webinars/month.html", context)


@require_safe
def current_month(request):
    """/calendar/ shows this month."""
    today = timezone.localdate()
    return redirect("webinars:month", year=f"{today.year:04d}", month=f"{today.month:02d}")


# --- RSS / Atom -------------------------------------------------------------------------


class NewWebinarsFeed(Feed):
    """RSS 2.0 feed of the most recently announced webinars."""

    # Methods, not class attributes, so that each request reads them in its own language.
    def title(self):
        return _("%(site)s: new webinars") % {"site": site_name()}

    def description(self):
        return _("Webinars as they are announced.")

    # Atom wants an author for every entry (or the feed): the organisers, else the site.
    def author_name(self):
        return site_name()

    def link(self):
        return settings.SITE_URL + reverse("webinars:calendar")

    def feed_url(self):
        return settings.SITE_URL + reverse("webinars:feed")

    def items(self):
        return list(webinars_for_calendars().order_by("-created", "-pk")[:FEED_ITEMS])

    def item_title(self, item: Webinar) -> str:
        if item.is_cancelled:
            text = _("Cancelled: %(title)s (%(when)s)")
        else:
            text = _("%(title)s (%(when)s)")
        return one_line(text % {"title": item.title, "when": when(item)})

    def item_description(self, item: Webinar) -> str:
        # Feed readers show HTML: keep the paragraphs of the plain text, escaped.
        text = xml_safe(f"{when(item)}\n\n{event_description(item)}")
        return linebreaks(text, autoescape=True)

    def item_link(self, item: Webinar) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def item_guid(self, item: Webinar) -> str:
        return f"urn:uuid:{item.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Webinar) -> datetime:
        return item.created

    def item_updateddate(self, item: Webinar) -> datetime:
        return item.updated

    def item_author_name(self, item: Webinar) -> str:
        return ", ".join(organiser_names(item)) or site_name()

    def item_categories(self, item: Webinar):
        return [one_line(item.series.title)] if item.series_id else []


class NewWebinarsAtomFeed(NewWebinarsFeed):
    """The same feed in Atom."""

    feed_type = Atom1Feed
    subtitle = NewWebinarsFeed.description

    def feed_url(self):
        return settings.SITE_URL + reverse("webinars:feed_atom")


# --- Sitemaps ---------------------------------------------------------------------------


@require_safe
def sitemap_index(request):
    """The sitemap index: every page of every section, addresses from SITE_URL (Django's own
    index view would take the host from the request, and the page cache keys no host)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = settings.SITE_URL + reverse("webinars:sitemap_section", args=[section])
        for page in sitemap.paginator.page_range:
            entries.append(
                {"location": location if page == 1 else f"{location}?p={page}", "last_mod": None}
            )
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@require_safe
def sitemap_section(request, section: str):
    """One section of the sitemap, one page of it (?p=) at a time."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap section.")
    return sitemap(request, {section: SITEMAPS[section]}, section=section)


# --- robots.txt -------------------------------------------------------------------------


@require_safe
def robots_txt(request):
    """Keep crawlers out of admin and personal pages; point them to the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /registrations/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('webinars:sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

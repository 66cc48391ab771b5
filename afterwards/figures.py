"""Figures for organisers: counts per webinar and per series, and registrations per day.

The chart is SVG drawn on the server (readable without JavaScript), always beside a table
with the same numbers for screen readers and for copying.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from afterwards.models import Feedback
from webinars.models import Registration, Webinar
from webinars.rules import phase

S = Registration.Status


def _registrations(**conditions) -> Coalesce:
    """How many of a webinar's registrations meet the conditions: a correlated subquery, so
    a page of 100 webinars reads their own rows and a count of the list reads none."""
    rows = (
        Registration.objects.filter(webinar=OuterRef("pk"), **conditions)
        .order_by()
        .values("webinar")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def with_figures(webinars: QuerySet) -> QuerySet:
    ratings = (
        Feedback.objects.filter(registration__webinar=OuterRef("pk"))
        .order_by()
        .values("registration__webinar")
    )
    return webinars.annotate(
        fig_registered=_registrations(),
        fig_confirmed=_registrations(status=S.CONFIRMED),
        fig_waiting=_registrations(status=S.WAITLISTED),
        fig_cancelled=_registrations(status=S.CANCELLED),
        fig_joined=_registrations(attended_at__isnull=False),
        fig_rating=Subquery(ratings.annotate(a=Avg("rating")).values("a")),
        fig_ratings=Coalesce(Subquery(ratings.annotate(n=Count("pk")).values("n")), 0),
    )


@dataclass
class Totals:
    registered: int = 0
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    joined: int = 0
    past_confirmed: int = 0
    rating_sum: float = 0.0
    ratings: int = 0

    @property
    def no_show_rate(self) -> float | None:
        if not self.past_confirmed:
            return None
        return 1 - self.joined / self.past_confirmed

    @property
    def rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None


def no_show_rate(webinar, now) -> float | None:
    """Share of confirmed registrants who did not join; None before the end or without any."""
    if not phase.is_over(webinar, now) or not webinar.fig_confirmed:
        return None
    return 1 - min(webinar.fig_joined, webinar.fig_confirmed) / webinar.fig_confirmed


def totals(webinars: QuerySet, now) -> Totals:
    """The sums over every webinar of the list (with_figures), in one query."""
    over = phase.over_q(now)
    sums = webinars.order_by().aggregate(
        registered=Sum("fig_registered"),
        confirmed=Sum("fig_confirmed"),
        waiting=Sum("fig_waiting"),
        cancelled=Sum("fig_cancelled"),
        # Joined counts towards the no-show rate only up to the confirmed, and once over.
        joined=Sum(Case(When(over, then=Least("fig_joined", "fig_confirmed")), default=0)),
        past_confirmed=Sum(Case(When(over, then="fig_confirmed"), default=0)),
        rating_sum=Sum(
            Case(When(fig_ratings__gt=0, then=F("fig_rating") * F("fig_ratings")), default=0.0),
            output_field=FloatField(),
        ),
        ratings=Sum("fig_ratings"),
    )
    return Totals(**{name: value or 0 for name, value in sums.items()})


def registrations_per_day(webinar: Webinar) -> list[tuple[date, int]]:
    """Every day from the announcement (the webinar's creation) to its start, in its zone."""
    zone = webinar.tz
    first = webinar.created.astimezone(zone).date()
    last = webinar.start.astimezone(zone).date()
    created = webinar.registrations.values_list("created", flat=True)
    per_day = Counter(moment.astimezone(zone).date() for moment in created)
    if per_day:
        first = min(first, min(per_day))
        last = max(last, max(per_day))
    # A webinar announced years ahead would draw thousands of bars; the last 366 days tell it.
    first = max(first, last - timedelta(days=365))
    days = (last - first).days + 1
    return [
        (first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range(days)
    ]


def chart_svg(rows: list[tuple[date, int]]) -> str:
    """Bars of registrations per day; the figure's title and table carry the words."""
    width, height, pad = 720, 200, 24
    peak = max((n for _, n in rows), default=0) or 1
    bar = (width - 2 * pad) / max(len(rows), 1)
    # Only numbers and ISO dates go into the bars, so they need no escaping.
    bars = mark_safe(  # noqa: S308
        "".join(
            f'<rect x="{pad + i * bar:.1f}" y="{height - pad - (n / peak) * (height - 2 * pad):.1f}" width="{max(bar - 1, 0.5):.1f}" height="{(n / peak) * (height - 2 * pad):.1f}"><title>{day.isoformat()}: {int(n)}</title></rect>'
            for i, (day, n) in enumerate(rows)
        )
    )
    first = rows[0][0].isoformat() if rows else ""
    last = rows[-1][0].isoformat() if rows else ""
    return format_html(
        '<svg class="figures-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{title}</title>'
        '<line x1="{pad}" y1="{base}" x2="{right}" y2="{base}" class="axis"></line>'
        '<g class="bars">{bars}</g>'
        '<text x="{pad}" y="{label_y}" class="label">{first}</text>'
        '<text x="{right}" y="{label_y}" class="label" text-anchor="end">{last}</text>'
        '<text x="{pad}" y="14" class="label">{peak_label}</text></svg>',
        w=width,
        h=height,
        pad=pad,
        base=height - pad,
        right=width - pad,
        label_y=height - 6,
        bars=bars,
        first=first,
        last=last,
        title=_("Registrations per day, %(first)s to %(last)s; the table below has the numbers.")
        % {"first": first, "last": last},
        peak_label=_("most in a day: %(peak)d") % {"peak": peak if rows else 0},
    )

"""Public pages: the calendar, webinars, series, speakers."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from afterwards.models import Material
from afterwards.selectors import recap_for
from core.viewer import is_staff
from pages.views.registration import registration_form_for
from series.models import Series
from webinars.availability import list_state
from webinars.csp import allow_frame_src
from webinars.formatting import page_url
from webinars.models import Speaker, Webinar, WebinarSpeaker
from webinars.rules import phase
from webinars.selectors import (
    list_speakers,
    load_partners_and_disclaimers,
    partners_by_role,
    sibling_webinars,
    webinars_visible_to,
)

PAST_PER_PAGE = 20
SPEAKER_PAST_PER_PAGE = 20
# Upcoming webinars come in pages too: a busy site has hundreds scheduled (month pages list all).
UPCOMING_PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_OFFSET = 2**31


def clean_query(raw: str) -> str:
    """A search string safe for any database: no control characters (PostgreSQL refuses NUL)."""
    printable = "".join(ch for ch in raw if ch.isprintable())
    return printable.strip()[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class ListPage:
    """One page of a list, read with one row more than it shows to learn whether more follow.

    No COUNT over the whole list: a search on a busy site would count every match to show 20.
    """

    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def list_page(queryset: QuerySet, per_page: int, raw_number: str | None) -> ListPage:
    try:
        number = max(1, int(raw_number or 1))
    except ValueError:
        number = 1
    start = (number - 1) * per_page
    # An offset no list reaches is past the end without asking (SQLite's integers stop at 2**63).
    rows = list(queryset[start : start + per_page + 1]) if start < MAX_OFFSET else []
    if not rows and number > 1:
        # Past the end (an old link): the last page, as a paginator would show.
        last = max(1, -(-queryset.count() // per_page))
        return list_page(queryset, per_page, str(last)) if last < number else ListPage([], 1, False)
    return ListPage(rows[:per_page], number, len(rows) > per_page)


def with_list_states(webinars: Sequence[Webinar], now: datetime) -> None:
    """Set the speakers' names, the badge and the past marker that each list item shows.

    Upcoming webinars need their seat counts (WebinarQuerySet.with_counts); past ones show none.
    """
    speakers = list_speakers(webinars)
    for webinar in webinars:
        webinar.list_speakers = speakers[webinar.pk]
        webinar.speaker_names = [speaker.name for speaker in webinar.list_speakers]
        webinar.list_state = list_state(webinar, now)
        webinar.is_over = phase.is_over(webinar, now)


class CalendarView(TemplateView):
    """Upcoming webinars soonest first, then past ones (paginated); series filter and search."""

    template_name = "webinars/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        query = clean_query(params.get("q", ""))
        series_slug = params.get("series", "").strip()
        # EXISTS, not a join with DISTINCT: one index probe per series, not every webinar.
        published = Webinar.objects.published().filter(series=OuterRef("pk"))
        # Plain rows, not model instances: the dropdown lists every series on every page.
        all_series = list(
            Series.objects.filter(Exists(published))
            .order_by("title")
            .values_list("pk", "slug", "title", named=True)
        )
        active_series = None
        if series_slug:
            row = next((s for s in all_series if s.slug == series_slug), None)
            if row is None:
                raise Http404("No such series.")
            active_series = Series(pk=row.pk, slug=row.slug, title=row.title)

        webinars = Webinar.objects.published().for_list_items().search(query)
        if active_series:
            webinars = webinars.filter(series=active_series)
        now = timezone.now()
        past_page = list_page(webinars.past(now), PAST_PER_PAGE, params.get("page"))
        # Seat counts in the same query as the page's rows, for the shown rows only.
        upcoming_page = list_page(
            webinars.upcoming(now).with_counts(), UPCOMING_PER_PAGE, params.get("upcoming")
        )
        upcoming, past = upcoming_page.items, past_page.items
        with_list_states(upcoming + past, now)
        is_filtered = bool(query or active_series)
        # The first page of the whole calendar leads with the next webinar that takes place.
        next_up = None
        if upcoming_page.number == 1 and not is_filtered:
            next_up = next((w for w in upcoming if not w.is_cancelled), None)
        context.update(
            upcoming=upcoming,
            next_up=next_up,
            next_up_list=[next_up] if next_up else [],
            upcoming_after_next=[w for w in upcoming if w is not next_up],
            upcoming_page=upcoming_page,
            past=past,
            past_page=past_page,
            # Past webinars stay folded unless they are what the visitor is looking at.
            past_open=is_filtered or past_page.number > 1 or not upcoming,
            query=query,
            all_series=all_series,
            active_series=active_series,
            is_filtered=is_filtered,
        )
        return context


class WebinarDetailView(DetailView):
    template_name = "webinars/webinar_detail.html"
    context_object_name = "webinar"

    def get_queryset(self):
        return (
            webinars_visible_to(staff=is_staff(self.request))
            .with_counts()
            .with_question_flag()
            .for_listing()
            .select_related("series")
            .annotate(has_materials=Exists(Material.objects.filter(webinar=OuterRef("pk"))))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        webinar = self.object
        series = webinar.series
        if series is not None:
            load_partners_and_disclaimers(series)
        now = timezone.now()
        is_over = phase.is_over(webinar, now)
        # A past webinar's page leads on to what comes next in its series.
        siblings = sibling_webinars(
            webinar, staff=is_staff(self.request), next_after=now if is_over else None
        )
        context.update(
            series=series,
            partner_groups=partners_by_role(series) if series else [],
            siblings=siblings,
            next_in_series=siblings.following,
            is_over=is_over,
            share_url=page_url(webinar),
            recap=recap_for(webinar, registrant=False) if is_over else None,
            registration_form=registration_form_for(webinar),
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        recap = context.get("recap")
        if recap and recap.player:
            # The one frame this page may load, and only once the visitor presses play.
            response = allow_frame_src(response, recap.player.origin)
        return response


class SeriesDetailView(DetailView):
    template_name = "series/series_detail.html"
    context_object_name = "series"
    model = Series

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        staff = is_staff(self.request)
        webinars = list(
            webinars_visible_to(staff=staff)
            .filter(series=self.object)
            .for_list_items()
            .with_counts()
            .order_by("start", "pk")
        )
        if not webinars and not staff:
            # A series with nothing published yet is not public.
            raise Http404("No published webinars in this series.")
        with_list_states(webinars, timezone.now())
        load_partners_and_disclaimers(self.object)
        context.update(webinars=webinars, partner_groups=partners_by_role(self.object))
        return context


class SeriesListView(TemplateView):
    """Every series with a published webinar: how many are coming and when the next is."""

    template_name = "series/series_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        published = Q(webinars__is_published=True)
        upcoming = published & phase.not_over_q(now, prefix="webinars__")
        context["series_list"] = list(
            Series.objects.annotate(
                published_count=Count("webinars", filter=published),
                upcoming_count=Count("webinars", filter=upcoming),
                next_start=Min("webinars__start", filter=upcoming),
                last_start=Max("webinars__start", filter=published),
            )
            .filter(published_count__gt=0)
            # Series with webinars to come first, the soonest on top; then the others.
            .order_by(F("next_start").asc(nulls_last=True), "-last_start", "title")
        )
        return context


class SpeakerDetailView(DetailView):
    """A speaker and their webinars: every upcoming one, the past ones SPEAKER_PAST_PER_PAGE at
    a time (?page=), so a speaker of hundreds of webinars still has a short page."""

    template_name = "webinars/speaker_detail.html"
    context_object_name = "speaker"
    model = Speaker

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        appearances = WebinarSpeaker.objects.filter(
            speaker=self.object,
            webinar__in=webinars_visible_to(staff=is_staff(self.request)),
        ).select_related("webinar__series")
        past_page = list_page(
            appearances.filter(phase.over_q(now, prefix="webinar__")).order_by(
                "-webinar__start", "-pk"
            ),
            SPEAKER_PAST_PER_PAGE,
            self.request.GET.get("page"),
        )
        upcoming = []
        if past_page.number == 1:
            upcoming = list(
                appearances.filter(phase.not_over_q(now, prefix="webinar__")).order_by(
                    "webinar__start", "pk"
                )
            )
        context.update(upcoming_appearances=upcoming, past_page=past_page, past=past_page.items)
        return context

"""Public pages: the calendar, webinars, series, speakers; health and error pages."""

import logging

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from series.models import Series
from webinars.models import Speaker, Webinar, WebinarSpeaker
from webinars.selectors import (
    attach_registration_counts,
    partners_by_role,
    series_with_partners,
    webinars_visible_to,
)

logger = logging.getLogger(__name__)

PAST_PER_PAGE = 20
# Upcoming webinars come in pages too: a busy site has hundreds scheduled (month pages list all).
UPCOMING_PER_PAGE = 20
MAX_QUERY_LENGTH = 200


def clean_query(raw: str) -> str:
    """A search string safe for any database: no control characters (PostgreSQL refuses NUL)."""
    printable = "".join(ch for ch in raw if ch.isprintable())
    return printable.strip()[:MAX_QUERY_LENGTH]


class _CountedPaginator(Paginator):
    """A paginator told its number of items, so it does not count them again."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


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
        # Both lists' sizes in one query.
        sizes = webinars.order_by().aggregate(
            past=Count("pk", filter=Q(end__lt=now)),
            upcoming=Count("pk", filter=Q(end__gte=now)),
        )
        past_page = _CountedPaginator(webinars.past(now), PAST_PER_PAGE, sizes["past"]).get_page(
            params.get("page")
        )
        upcoming_page = _CountedPaginator(
            webinars.upcoming(now), UPCOMING_PER_PAGE, sizes["upcoming"]
        ).get_page(params.get("upcoming"))
        # Seats for the shown upcoming rows only: a past webinar's item has no seats badge
        # (ui_tags.list_registration_state). Speakers load with the items that are not in the
        # fragment cache (webinars.fragments).
        upcoming = list(upcoming_page.object_list)
        attach_registration_counts(upcoming)
        context.update(
            upcoming=upcoming,
            upcoming_page=upcoming_page,
            past_page=past_page,
            query=query,
            all_series=all_series,
            active_series=active_series,
            is_filtered=bool(query or active_series),
        )
        return context


class WebinarDetailView(DetailView):
    template_name = "webinars/webinar_detail.html"
    context_object_name = "webinar"

    def get_queryset(self):
        return webinars_visible_to(self.request.user).for_listing().select_related("series")

    def get_object(self, queryset=None):
        webinar = super().get_object(queryset)
        attach_registration_counts([webinar])
        return webinar

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        webinar = self.object
        series = None
        if webinar.series_id:
            series = series_with_partners().get(pk=webinar.series_id)
        # The other webinars of the series come from {% sibling_webinars %} (cached block).
        context.update(
            series=series,
            partner_groups=partners_by_role(series) if series else [],
            registration_open=webinar.is_registration_open(),
        )
        return context


class SeriesDetailView(DetailView):
    template_name = "series/series_detail.html"
    context_object_name = "series"

    def get_queryset(self):
        return series_with_partners()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        webinars = list(
            webinars_visible_to(self.request.user)
            .filter(series=self.object)
            .for_list_items()
            .order_by("start", "pk")
        )
        attach_registration_counts(webinars)
        if not webinars and not (self.request.user.is_authenticated and self.request.user.is_staff):
            # A series with nothing published yet is not public.
            raise Http404("No published webinars in this series.")
        context.update(webinars=webinars, partner_groups=partners_by_role(self.object))
        return context


class SpeakerDetailView(DetailView):
    template_name = "webinars/speaker_detail.html"
    context_object_name = "speaker"
    model = Speaker

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        appearances = list(
            WebinarSpeaker.objects.filter(
                speaker=self.object,
                webinar__in=webinars_visible_to(self.request.user),
            )
            .select_related("webinar__series")
            .order_by("-webinar__start")
        )
        context["appearances"] = appearances
        return context


def healthz(request):
    """200 'ok' when the app and its database answer; nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 (any database failure means unhealthy)
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


# The 500 page when even 500.html cannot render (a static file missing from the manifest after
# a half-done deploy, a broken template): plain HTML, no template, no static file.
BARE_SERVER_ERROR = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Something went wrong · Webinars</title></head><body><main>"
    "<h1>Something went wrong</h1><p>Sorry, the page could not be shown. We have been told and "
    "will look into it. Your registration data is safe; please try again in a few minutes.</p>"
    '<p><a href="/">Go to the webinar calendar</a></p></main></body></html>'
)


def server_error(request):
    # No context processors that could fail again: a plain template render.
    from django.template import loader

    try:
        html = loader.get_template("500.html").render()
    except Exception:  # noqa: BLE001 (the error page must not fail in turn)
        logger.exception("The 500 page could not be rendered; sent the bare one.")
        html = BARE_SERVER_ERROR
    return HttpResponse(html, status=500)

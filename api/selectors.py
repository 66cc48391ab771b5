"""The API's reads: only what visitors may see (published webinars and what they show)."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from series.models import Series, SeriesOrganisation
from webinars.models import Speaker, Webinar, WebinarSpeaker, speakers_prefetch


def public_webinars() -> QuerySet[Webinar]:
    """Published webinars with their series, speakers and seat counts: two queries a page."""
    return (
        Webinar.objects.published()
        .select_related("series")
        .prefetch_related(*speakers_prefetch())
        .with_counts()
    )


def public_series() -> QuerySet[Series]:
    """Series with at least one published webinar (the others have no public page)."""
    published = Webinar.objects.published().filter(series=OuterRef("pk"))
    return (
        Series.objects.filter(Exists(published))
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=SeriesOrganisation.objects.select_related("organisation").order_by(
                    "order", "pk"
                ),
            ),
            "disclaimers",
        )
        .order_by("title", "pk")
    )


def public_speakers() -> QuerySet[Speaker]:
    """Speakers of at least one published webinar."""
    appears = WebinarSpeaker.objects.filter(speaker=OuterRef("pk"), webinar__is_published=True)
    return Speaker.objects.filter(Exists(appears)).order_by("name", "pk")


def appearances(speaker: Speaker) -> list[WebinarSpeaker]:
    """The speaker's published webinars, latest first, in one query."""
    return list(
        WebinarSpeaker.objects.filter(speaker=speaker, webinar__is_published=True)
        .select_related("webinar")
        .order_by("-webinar__start", "-webinar__pk", "pk")
    )

"""The questions every view, feed and export asks about webinars, as QuerySet methods."""

from datetime import datetime

from django.apps import apps
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from webinars.models.speakers import WebinarSpeaker, speakers_prefetch
from webinars.rules import phase, registration


def _model(name: str) -> type[models.Model]:
    # Registrations and questions are defined on top of Webinar (their modules import the
    # webinar's), so the questions asked about them find their model in the app registry.
    return apps.get_model("webinars", name)


def registration_count(status: str):
    counts = (
        _model("Registration")
        .objects.filter(webinar=models.OuterRef("pk"), status=status)
        .order_by()
        .values("webinar")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(models.Subquery(counts), 0)


LIST_ITEM_FIELDS = (
    "series__title",
    "series__slug",
    "series__updated",
    "number",
    "title",
    "slug",
    "start",
    "end",
    "time_zone",
    "capacity",
    "registration_closes",
    "status",
    "is_published",
    "updated",
    "recording_url",
    "recording_audience",
    "cover_image",
    "series__cover_image",
)


class WebinarQuerySet(models.QuerySet):
    """The questions every view, feed and export asks about webinars."""

    def published(self):
        return self.filter(is_published=True)

    # The phases of webinars.rules.phase (and registration.open_q): the end instant is past.
    def upcoming(self, now: datetime | None = None):
        """Not over yet (live ones included), soonest first."""
        return self.filter(phase.not_over_q(now or timezone.now())).order_by("start", "pk")

    def past(self, now: datetime | None = None):
        return self.filter(phase.over_q(now or timezone.now())).order_by("-start", "-pk")

    def live(self, now: datetime | None = None):
        return self.filter(phase.live_q(now or timezone.now()))

    def open_for_registration(self, now: datetime | None = None):
        return self.filter(registration.open_q(now or timezone.now()))

    def with_counts(self):
        # Correlated subqueries, not JOIN + GROUP BY: with a LIMIT after an indexed ORDER BY,
        # both databases work them out for the rows a page shows only.
        return self.annotate(
            confirmed_count=registration_count("confirmed"),
            waitlisted_count=registration_count("waitlisted"),
        )

    def with_question_flag(self):
        """has_questions: whether the webinar or its series asks questions, so that forms of
        webinars without any (most) need no query for them."""
        return self.annotate(
            has_questions=models.Exists(
                _model("Question").objects.filter(
                    Q(webinar=models.OuterRef("pk")) | Q(series=models.OuterRef("series"))
                )
            )
        )

    def for_listing(self, *, many: bool = False):
        """Everything a list of webinars shows, in a fixed number of queries.

        many=True for lists of any length (feeds), False for a page of them.
        """
        return self.select_related("series").prefetch_related(*speakers_prefetch(many=many))

    def for_list_items(self):
        """The columns a list item (includes/webinar_item.html) and its badge read, no more.

        Speakers come after paginating (pages.views.pages.with_list_states); seats by with_counts().
        """
        return self.select_related("series").only(*LIST_ITEM_FIELDS)

    def search(self, query: str):
        query = query.strip()
        if not query:
            return self
        # EXISTS for the speakers rather than a join: one row per webinar, so no DISTINCT
        # (which made PostgreSQL sort and count every joined row of every page).
        by_speaker = WebinarSpeaker.objects.filter(
            webinar=models.OuterRef("pk"), speaker__name__icontains=query
        )
        return self.filter(
            Q(title__icontains=query)
            | Q(description__icontains=query)
            | Q(series__title__icontains=query)
            | Q(models.Exists(by_speaker))
        )

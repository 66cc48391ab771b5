"""A run of webinars from one rule, created as drafts in one transaction."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from series.models import Series
from webinars.models import Webinar
from webinars.services.webinars import free_slug, webinar_duplicate, webinar_save


@dataclass(frozen=True)
class PlannedWebinar:
    number: int
    title: str
    start: datetime  # aware, in the webinar's zone
    end: datetime


def next_number(series: Series) -> int:
    """The number after the series' last one (1 for a series without numbers yet)."""
    return (Webinar.objects.filter(series=series).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def webinar_run_create(
    *,
    series: Series,
    planned: list[PlannedWebinar],
    time_zone: str,
    template: Webinar | None = None,
    capacity: int | None = None,
) -> list[Webinar]:
    """Unpublished drafts, one per planned date; with a template, each is its copy (speakers,
    capacity, place, description, its own questions), else a bare webinar of the series.

    Drafts go through webinar_save like any organiser's new webinar: nobody is told until one
    is published.
    """
    made = []
    questions = list(template.questions.all()) if template is not None else []
    for plan in planned:
        if template is not None:
            webinar = webinar_duplicate(webinar=template)
        else:
            webinar = Webinar(series=series, capacity=capacity, is_published=False)
        webinar.series = series
        webinar.number = plan.number
        webinar.title = plan.title
        webinar.slug = free_slug(slugify(plan.title)[:190] or "webinar", copy=False)
        webinar.start, webinar.end = plan.start, plan.end
        webinar.time_zone = time_zone
        if capacity is not None:
            webinar.capacity = capacity
        webinar.is_published = False
        webinar_save(webinar=webinar)
        for question in questions:
            question.pk = question.id = None
            question._state.adding = True
            question.webinar = webinar
            question.save()
        made.append(webinar)
    return made

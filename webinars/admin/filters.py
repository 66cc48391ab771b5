"""List filters and paging for admin lists that must not grow with the data.

A list of a million registrations cannot offer one filter link per webinar, nor count every
row it could show: the webinar filter names the chosen webinar and the next few, and links to
the webinar list to pick any other; the paginator counts at most COUNT_CAP rows.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from series.access import series_q
from webinars.models import Webinar

# Rows counted before a list says "more than": the count reads at most this many.
COUNT_CAP = 10_000
NEARBY_CHOICES = 10


class CappedCountPaginator(Paginator):
    """Counts rows up to COUNT_CAP (a COUNT over a LIMIT subquery), never the whole table."""

    @cached_property
    def count(self):
        return self.object_list.order_by().values("pk")[:COUNT_CAP].count()


def _is_id(value: str | None) -> bool:
    # Bounded, so that no database is asked about an integer it cannot hold.
    return bool(value) and value.isdigit() and len(value) <= 18


def webinar_filter(path: str = "webinar", *, past: bool = False) -> type[admin.SimpleListFilter]:
    """A filter on the webinar reached by `path`; its address keeps Django's own parameter
    (`webinar__id__exact=<pk>`), so links from other admin pages still select it. It offers
    the next webinars, or the last ones with `past` (feedback comes afterwards)."""

    class WebinarFilter(admin.SimpleListFilter):
        title = _("webinar")
        parameter_name = f"{path}__id__exact"
        template = "admin/webinars/webinar_filter.html"

        def lookups(self, request, model_admin):
            choices = []
            value = self.value()
            # Only webinars of series this user organises are named.
            webinars = Webinar.objects.filter(series_q(request.user))
            if _is_id(value):
                chosen = webinars.filter(pk=value).only("title", "start").first()
                if chosen is not None:
                    choices.append((str(chosen.pk), chosen.title))
            now = timezone.now()
            nearby = webinars.past(now) if past else webinars.upcoming(now)
            nearby = nearby.exclude(pk__in=[int(pk) for pk, _ in choices]).only("title", "start")
            return choices + [(str(w.pk), w.title) for w in nearby[:NEARBY_CHOICES]]

        def queryset(self, request, queryset):
            value = self.value()
            if value is None:
                return queryset
            if not _is_id(value):
                return queryset.none()
            return queryset.filter(**{f"{path}__id": int(value)})

        @property
        def pick_url(self) -> str:
            return reverse("admin:webinars_webinar_changelist")

    return WebinarFilter

"""The series admin with a list of its webinars (each edited on its own page), and the
questions inline shared with webinars."""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from series.access import organises_all_series
from series.admin import BaseSeriesAdmin
from series.admin_scope import ScopedInline, SeriesScopedAdmin
from series.models import Series
from webinars.admin.fields import (
    DURATIONS,
    SendableAddressMixin,
    WebinarTimesMedia,
)
from webinars.admin.runs import run_urls
from webinars.admin.series_webinars import webinar_table
from webinars.embedding import frame_origins, iframe_snippet
from webinars.models import (
    Question,
    Webinar,
)


class QuestionInline(ScopedInline, TranslationStackedInline):
    """The organisers' own questions on the registration form, in order."""

    model = Question
    extra = 0
    fields = [("label", "kind", "required"), "options", "help_text", "order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}


def next_in_series(previous: Webinar) -> dict:
    """The add form's initial values for the webinar after `previous` in its series: the next
    number, the same time of day a week later in the same zone, capacity and place."""
    # Adding to a zoned datetime keeps its wall-clock time, across a DST change too.
    start = previous.local_start + timedelta(days=7)
    length = previous.end - previous.start
    numbers = Webinar.objects.filter(series=previous.series_id).aggregate(n=Max("number"))["n"]
    minutes = int(length.total_seconds() // 60)
    return {
        "series": previous.series_id,
        "number": (numbers or 0) + 1 if previous.series_id else None,
        "time_zone": previous.time_zone,
        "start": start,
        "end": start + length,
        "duration": minutes if minutes in dict(DURATIONS) else None,
        "capacity": previous.capacity,
        "location": previous.location,
        "event_url": previous.event_url,
    }


@admin.register(Series)
class SeriesAdmin(SeriesScopedAdmin, SendableAddressMixin, BaseSeriesAdmin):
    series_paths = ("",)
    address_fields = ("notify_email", "reply_to")
    address_list_fields = ("notify_also",)
    filter_horizontal = ["managers"]
    inlines = [*BaseSeriesAdmin.inlines, QuestionInline]
    readonly_fields = ["webinar_list", "add_next_webinar", "embed_snippet"]
    list_display = [*BaseSeriesAdmin.list_display, "follower_count"]
    Media = WebinarTimesMedia

    def get_queryset(self, request):
        following = Q(
            followers__confirmed_at__isnull=False, followers__unsubscribed_at__isnull=True
        )
        return (
            super()
            .get_queryset(request)
            .annotate(follower_count=Count("followers", filter=following))
            # A grouped query drops Meta.ordering; the autocomplete's pages need an order.
            .order_by(*Series._meta.ordering)
        )

    def get_readonly_fields(self, request, obj=None):
        # Administrators say who manages a series; its managers and organisers only read it.
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else [*fields, "managers"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "managers":
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                is_staff=True, is_active=True
            ).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request):
        # A new series is the administrators' or the all-series organisers' to make: a manager
        # would make one they are not listed on, and so could not open.
        return super().has_add_permission(request) and organises_all_series(request.user)

    def get_urls(self):
        return [*run_urls(self), *super().get_urls()]

    @admin.display(description=_("webinars"))
    def webinar_list(self, obj):
        if obj is None or not obj.pk:
            return _("Save the series first.")
        return webinar_table(obj.pk, timezone.now())

    @admin.display(description=_("followers"), ordering="follower_count")
    def follower_count(self, obj):
        url = reverse("admin:following_follower_changelist")
        return format_html(
            '<a href="{}?series__id__exact={}&amp;state=following">{}</a>',
            url,
            obj.pk,
            obj.follower_count,
        )

    @admin.display(description=_("next webinar"))
    def add_next_webinar(self, obj):
        if obj is None or not obj.pk:
            return _("Save the series first.")
        last = obj.webinars.order_by("-start", "-pk").first()
        url = reverse("admin:webinars_webinar_add")
        add = format_html(
            '<a class="addlink" href="{}?series={}">{}</a>',
            url,
            obj.pk,
            _("Add a webinar to this series"),
        )
        run = format_html(
            '<a class="addlink" href="{}">{}</a>',
            reverse("admin:series_series_run", args=[obj.pk]),
            _("Add a run of webinars"),
        )
        if last is None:
            return format_html("{}<br>{}", add, run)
        return format_html(
            '<a class="addlink" href="{}?after={}&amp;time_zone={}">{}</a><p class="help">{}</p>'
            "{}<br>{}",
            url,
            last.pk,
            last.time_zone,
            _("Add the next webinar"),
            _(
                "Number, time of day, zone, capacity, place and speakers as in the last one, "
                "a week later."
            ),
            add,
            run,
        )

    @admin.display(description=_("embed on your website"))
    def embed_snippet(self, obj):
        if obj is None or not obj.pk:
            return _("Save the series first.")
        snippet = iframe_snippet(
            reverse("embed:series", kwargs={"slug": obj.slug}),
            _("Webinars: %(title)s") % {"title": obj.title},
        )
        origins = frame_origins()
        if origins:
            allowed = _("Sites allowed to show it: %(origins)s.") % {"origins": ", ".join(origins)}
        else:
            allowed = _(
                "No site may show it yet: add your website's origin (e.g. https://www.example.org) "
                "to EMBED_ALLOWED_ORIGINS."
            )
        return format_html(
            '<textarea readonly rows="4" cols="90" class="vLargeTextField" aria-label="{}">{}'
            '</textarea><p class="help">{} {}</p>',
            _("HTML to paste"),
            snippet,
            _(
                "Paste this into a page of your website. The script is optional: it makes the "
                "frame as tall as its content."
            ),
            allowed,
        )

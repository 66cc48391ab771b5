"""The series admin with its webinars as rows, and the questions inline shared with webinars."""

import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import widgets
from django.db import models
from django.db.models import Count, Max, Q
from django.urls import reverse
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
    UnzonedDateTimeField,
    WebinarTimesMedia,
    time_zone_field,
)
from webinars.embedding import frame_origins, iframe_snippet
from webinars.models import (
    Question,
    Webinar,
)
from webinars.services import webinar_save


class QuestionInline(ScopedInline, TranslationStackedInline):
    """The organisers' own questions on the registration form, in order."""

    model = Question
    extra = 0
    fields = [("label", "kind", "required"), "options", "help_text", "order"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}


class WebinarRowForm(forms.ModelForm):
    """A webinar as one row among others (the series page): each row in its own zone.

    Django reads and shows datetimes in one active zone per page; a series may mix zones,
    so the times here are wall-clock times attached to each row's zone.
    """

    time_zone = time_zone_field()
    start = UnzonedDateTimeField(label=_("start"), widget=widgets.AdminSplitDateTime)
    end = UnzonedDateTimeField(label=_("end"), widget=widgets.AdminSplitDateTime)

    class Meta:
        model = Webinar
        fields = ["number", "title", "start", "end", "time_zone", "status", "is_published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["start"] = self.instance.local_start.replace(tzinfo=None)
            self.initial["end"] = self.instance.local_end.replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        # An unknown zone is reported on its field; the times still need some zone meanwhile.
        zone = zoneinfo.ZoneInfo(cleaned.get("time_zone") or settings.TIME_ZONE)
        for name in ("start", "end"):
            if cleaned.get(name) is not None:
                cleaned[name] = cleaned[name].replace(tzinfo=zone)
        return cleaned


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


class WebinarInline(ScopedInline, admin.TabularInline):
    model = Webinar
    form = WebinarRowForm
    extra = 0
    show_change_link = True
    ordering = ["start"]


@admin.register(Series)
class SeriesAdmin(SeriesScopedAdmin, SendableAddressMixin, BaseSeriesAdmin):
    series_paths = ("",)
    address_fields = ("notify_email", "reply_to")
    address_list_fields = ("notify_also",)
    filter_horizontal = ["managers"]
    inlines = [*BaseSeriesAdmin.inlines, QuestionInline, WebinarInline]
    readonly_fields = ["add_next_webinar", "embed_snippet"]
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

    def save_formset(self, request, form, formset, change):
        if formset.model is not Webinar:
            return super().save_formset(request, form, formset, change)
        # Each webinar row is an organiser's edit, as on the webinar's own page: its
        # registrants and the series' followers are told (services.webinar_save).
        saved = formset.save(commit=False)
        for webinar in formset.deleted_objects:
            webinar.delete()
        for webinar in saved:
            webinar_save(webinar=webinar)
        formset.save_m2m()
        return None

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
        if last is None:
            return format_html(
                '<a class="addlink" href="{}?series={}">{}</a>', url, obj.pk, _("Add a webinar")
            )
        return format_html(
            '<a class="addlink" href="{}?after={}&amp;time_zone={}">{}</a><p class="help">{}</p>',
            url,
            last.pk,
            last.time_zone,
            _("Add the next webinar"),
            _(
                "Number, time of day, zone, capacity, place and speakers as in the last one, "
                "a week later."
            ),
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

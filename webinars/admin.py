"""Admin for webinars, speakers and registrations, and the series admin with its webinars."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from series.admin import URL_AS_HTTPS, BaseSeriesAdmin
from series.models import Series
from webinars.models import Registration, Speaker, Webinar, WebinarSpeaker


class WebinarInline(admin.TabularInline):
    model = Webinar
    extra = 0
    fields = ["number", "title", "start", "end", "status", "is_published"]
    show_change_link = True
    ordering = ["start"]


@admin.register(Series)
class SeriesAdmin(BaseSeriesAdmin):
    inlines = [*BaseSeriesAdmin.inlines, WebinarInline]


class WebinarSpeakerInline(admin.TabularInline):
    model = WebinarSpeaker
    extra = 1
    autocomplete_fields = ["speaker"]
    fields = ["speaker", "role", "order"]


class WhenFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        if self.value() == "upcoming":
            return queryset.filter(end__gte=timezone.now())
        if self.value() == "past":
            return queryset.filter(end__lt=timezone.now())
        return queryset


@admin.register(Webinar)
class WebinarAdmin(admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = [
        "title",
        "series",
        "number",
        "start_local",
        "status",
        "is_published",
        "seats",
        "waiting",
    ]
    list_filter = ["series", "status", "is_published", WhenFilter]
    list_select_related = ["series"]
    search_fields = ["title", "description", "series__title", "webinar_speakers__speaker__name"]
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["series"]
    inlines = [WebinarSpeakerInline]
    readonly_fields = ["uid", "sequence", "created", "updated"]
    fieldsets = [
        (None, {"fields": ["series", "number", "title", "slug", "description"]}),
        (_("When"), {"fields": ["start", "end", "time_zone"]}),
        (_("Where"), {"fields": ["location", "event_url", "join_url"]}),
        (
            _("Registration and publishing"),
            {"fields": ["capacity", "registration_closes", "status", "is_published"]},
        ),
        (
            _("Calendar"),
            {"classes": ["collapse"], "fields": ["uid", "sequence", "created", "updated"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("start (own zone)"), ordering="start")
    def start_local(self, obj):
        local = obj.local_start
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"

    @admin.display(description=_("confirmed / capacity"), ordering="confirmed_count")
    def seats(self, obj):
        return f"{obj.confirmed_count} / {obj.capacity or '∞'}"

    @admin.display(description=_("waiting"), ordering="waitlisted_count")
    def waiting(self, obj):
        return obj.waitlisted_count


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = ["name", "affiliation", "slug"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "webinar", "status", "created"]
    list_filter = ["status", "webinar__series", "webinar"]
    list_select_related = ["webinar"]
    search_fields = ["name", "email", "organisation"]
    date_hierarchy = "created"
    readonly_fields = [
        "created",
        "updated",
        "consent_at",
        "cancelled_at",
        "promoted_at",
        "details_sent_at",
        "reminder_sent_at",
        "anonymised_at",
    ]
    autocomplete_fields = ["webinar"]

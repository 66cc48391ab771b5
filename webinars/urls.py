"""URLs of webinars, speakers and series (series views read webinars, so they live here)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path, register_converter

from webinars import views, views_calendar, views_registration
from webinars.sitemaps import SITEMAPS


class TokenConverter:
    """Registration tokens: URL-safe base64; anything else is a 404 without a query."""

    regex = "[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "webinars"

series_patterns = (
    [
        path("<slug:slug>/", views.SeriesDetailView.as_view(), name="detail"),
        path("<slug:slug>/register/", views_registration.series_register, name="register"),
        path(
            "<slug:slug>/register/thanks/",
            views_registration.series_register_thanks,
            name="register_thanks",
        ),
        path("<slug:slug>/calendar.ics", views_calendar.series_calendar, name="ical"),
    ],
    "series",
)

urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("webinars/<slug:slug>/", views.WebinarDetailView.as_view(), name="detail"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker"),
    path("webinars/<slug:slug>/register/", views_registration.register, name="register"),
    path(
        "webinars/<slug:slug>/register/thanks/",
        views_registration.register_thanks,
        name="register_thanks",
    ),
    path(
        "registrations/<token:token>/",
        views_registration.registration_detail,
        name="registration",
    ),
    path(
        "registrations/<token:token>/cancel/",
        views_registration.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "registrations/<token:token>/join",
        views_registration.registration_join,
        name="registration_join",
    ),
    path(
        "registrations/<token:token>/calendar.ics",
        views_registration.registration_calendar,
        name="registration_calendar",
    ),
    path("privacy/", views_registration.PrivacyView.as_view(), name="privacy"),
]

# Calendars and discovery (issue 4).
urlpatterns += [
    path("webinars/<slug:slug>/calendar.ics", views_calendar.webinar_calendar, name="ical"),
    path("calendar.ics", views_calendar.site_calendar, name="site_ical"),
    path("calendar/", views_calendar.current_month, name="current_month"),
    # Four-digit years and two-digit months only; anything else is a 404, never a 500.
    re_path(
        r"^calendar/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views_calendar.month_view,
        name="month",
    ),
    path("feed/", views_calendar.NewWebinarsFeed(), name="feed"),
    path("feed/atom/", views_calendar.NewWebinarsAtomFeed(), name="feed_atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views_calendar.robots_txt, name="robots"),
]

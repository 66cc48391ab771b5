"""URLs of webinars, speakers and series (series views read webinars, so they live here)."""

from django.urls import path, re_path

import core.converters  # noqa: F401 (registers the `token` converter)
from pages.views import calendars, pages, registration, system

app_name = "webinars"

series_patterns = (
    [
        path("", pages.SeriesListView.as_view(), name="index"),
        path("<slug:slug>/", pages.SeriesDetailView.as_view(), name="detail"),
        path("<slug:slug>/register/", registration.series_register, name="register"),
        path(
            "<slug:slug>/register/thanks/",
            registration.series_register_thanks,
            name="register_thanks",
        ),
        path("<slug:slug>/calendar.ics", calendars.series_calendar, name="ical"),
    ],
    "series",
)

urlpatterns = [
    path("", pages.CalendarView.as_view(), name="calendar"),
    path("webinars/<slug:slug>/", pages.WebinarDetailView.as_view(), name="detail"),
    path("speakers/<slug:slug>/", pages.SpeakerDetailView.as_view(), name="speaker"),
    path("webinars/<slug:slug>/register/", registration.register, name="register"),
    path(
        "webinars/<slug:slug>/register/thanks/",
        registration.register_thanks,
        name="register_thanks",
    ),
    path(
        "webinars/<slug:slug>/confirm-address/<token:token>/",
        registration.confirm_address,
        name="confirm_address",
    ),
    path(
        "registrations/<token:token>/",
        registration.registration_detail,
        name="registration",
    ),
    path(
        "registrations/<token:token>/cancel/",
        registration.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "registrations/<token:token>/join",
        registration.registration_join,
        name="registration_join",
    ),
    path(
        "registrations/<token:token>/calendar.ics",
        registration.registration_calendar,
        name="registration_calendar",
    ),
    path("privacy/", registration.PrivacyView.as_view(), name="privacy"),
]

# Calendar files, feeds and discovery.
urlpatterns += [
    path("webinars/<slug:slug>/calendar.ics", calendars.webinar_calendar, name="ical"),
    path("webinars/<slug:slug>/cover.png", system.cover_image, name="cover_image"),
    path("calendar.ics", calendars.site_calendar, name="site_ical"),
    path("calendar/", calendars.current_month, name="current_month"),
    # Four-digit years and two-digit months only; anything else is a 404, never a 500.
    re_path(
        r"^calendar/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        calendars.month_view,
        name="month",
    ),
    path("feed/", calendars.NewWebinarsFeed(), name="feed"),
    path("feed/atom/", calendars.NewWebinarsAtomFeed(), name="feed_atom"),
    path("sitemap.xml", calendars.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", calendars.sitemap_section, name="sitemap_section"),
    path("robots.txt", calendars.robots_txt, name="robots"),
    path("theme.css", system.theme_css, name="theme_css"),
    path("social.png", system.social_image, name="social_image"),
]

"""URLs of webinars, speakers and series (series views read webinars, so they live here)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from webinars import views, views_calendar
from webinars.sitemaps import SITEMAPS

app_name = "webinars"

series_patterns = (
    [
        path("<slug:slug>/", views.SeriesDetailView.as_view(), name="detail"),
        path("<slug:slug>/calendar.ics", views_calendar.series_calendar, name="ical"),
    ],
    "series",
)

urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("webinars/<slug:slug>/", views.WebinarDetailView.as_view(), name="detail"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker"),
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

"""URLs of webinars, speakers and series (series views read webinars, so they live here)."""

from django.urls import path

from webinars import views

app_name = "webinars"

series_patterns = (
    [
        path("<slug:slug>/", views.SeriesDetailView.as_view(), name="detail"),
    ],
    "series",
)

urlpatterns = [
    path("", views.CalendarView.as_view(), name="calendar"),
    path("webinars/<slug:slug>/", views.WebinarDetailView.as_view(), name="detail"),
    path("speakers/<slug:slug>/", views.SpeakerDetailView.as_view(), name="speaker"),
]

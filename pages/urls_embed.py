"""The embed pages (/embed/...), in a module of their own so the site's URL configuration can
place them (e.g. under a language prefix) without touching the rest."""

from django.urls import path

from pages.views import registration
from pages.views.embed import EmbedCalendarView, EmbedSeriesView, embeddable

app_name = "embed"

EMBED = {"embed": True}

urlpatterns = [
    path("", embeddable(EmbedCalendarView.as_view()), name="calendar"),
    path("series/<slug:slug>/", embeddable(EmbedSeriesView.as_view()), name="series"),
    path(
        "series/<slug:slug>/register/",
        embeddable(registration.series_register),
        EMBED,
        name="series_register",
    ),
    path(
        "series/<slug:slug>/register/thanks/",
        embeddable(registration.series_register_thanks),
        EMBED,
        name="series_register_thanks",
    ),
    path(
        "webinars/<slug:slug>/register/",
        embeddable(registration.register),
        EMBED,
        name="register",
    ),
    path(
        "webinars/<slug:slug>/register/thanks/",
        embeddable(registration.register_thanks),
        EMBED,
        name="register_thanks",
    ),
]

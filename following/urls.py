from django.urls import path

import core.converters  # noqa: F401 (registers the `token` converter)
from following import views

app_name = "following"

urlpatterns = [
    path("series/<slug:slug>/follow/", views.follow, name="follow"),
    path("series/<slug:slug>/follow/sent/", views.follow_sent, name="sent"),
    path("follow/<token:token>/", views.confirm, name="confirm"),
    path("follow/<token:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]

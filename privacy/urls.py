from django.urls import path

import core.converters  # noqa: F401 (registers the `token` converter)
from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/my-data/", views.ask, name="ask"),
    path("privacy/my-data/sent/", views.sent, name="sent"),
    path("privacy/my-data/erased/", views.erased, name="erased"),
    path("privacy/my-data/<token:token>/", views.data, name="data"),
    path("privacy/my-data/<token:token>/my-data.json", views.download, name="download"),
    path("privacy/my-data/<token:token>/erase/", views.erase, name="erase"),
]

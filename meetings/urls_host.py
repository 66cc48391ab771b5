"""A speaker's host link, in each language like every page people open."""

from django.urls import path

from meetings import views

app_name = "meetings_host"

urlpatterns = [path("meetings/host/<str:token>/", views.host, name="host")]

"""The providers' callbacks: outside any language prefix, machines call them."""

from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("callbacks/<slug:provider>/<slug:kind>/<str:token>/", views.callback, name="callback"),
]

"""The providers' callbacks: outside any language prefix, machines call them."""

from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    # For providers that call one fixed address (a webhook) and sign the call themselves.
    path("callbacks/<slug:provider>/<slug:kind>/", views.callback, name="webhook"),
    path("callbacks/<slug:provider>/<slug:kind>/<str:token>/", views.callback, name="callback"),
]

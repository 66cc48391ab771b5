from django.urls import path

import core.converters  # noqa: F401 (registers the `token` converter)
from afterwards import views

app_name = "afterwards"

urlpatterns = [
    path("webinars/<slug:slug>/materials/<int:pk>/", views.public_material, name="material"),
    path("registrations/<token:token>/feedback/", views.feedback, name="feedback"),
    path("registrations/<token:token>/certificate.pdf", views.certificate, name="certificate"),
    path(
        "registrations/<token:token>/materials/<int:pk>/",
        views.registrant_material,
        name="registrant_material",
    ),
]

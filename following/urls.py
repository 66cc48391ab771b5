from django.urls import path

# The `token` converter is registered by pages.urls.
import pages.urls  # noqa: F401
from following import views

app_name = "following"

urlpatterns = [
    path("series/<slug:slug>/follow/", views.follow, name="follow"),
    path("series/<slug:slug>/follow/sent/", views.follow_sent, name="sent"),
    path("follow/<token:token>/", views.confirm, name="confirm"),
    path("follow/<token:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]

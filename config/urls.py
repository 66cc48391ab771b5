"""Root URL configuration."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from webinars.urls import series_patterns
from webinars.views import system

admin.site.site_header = "Webinars administration"
admin.site.site_title = "Webinars admin"
admin.site.index_title = "Series, webinars and registrations"

urlpatterns = [
    path("", include("webinars.urls")),
    path("series/", include(series_patterns)),
    path("healthz", system.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "webinars.views.system.page_not_found"
handler500 = "webinars.views.system.server_error"

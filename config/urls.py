"""Root URL configuration."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from api.api import api
from api.api import not_found as api_not_found
from webinars.urls import series_patterns
from webinars.views import system

admin.site.site_header = "Webinars administration"
admin.site.site_title = "Webinars admin"
admin.site.index_title = "Series, webinars and registrations"

urlpatterns = [
    path("", include("webinars.urls")),
    path("series/", include(series_patterns)),
    path("", include("following.urls")),
    path("", include("afterwards.urls")),
    path("embed/", include("webinars.urls_embed")),
    # Outside any language prefix: the API's addresses are one contract for every client.
    path("api/", api.urls),
    re_path(r"^api/", api_not_found),
    path("healthz", system.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "webinars.views.system.page_not_found"
handler500 = "webinars.views.system.server_error"

"""Root URL configuration."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from api.api import api
from api.api import not_found as api_not_found
from pages.urls import series_patterns
from pages.views import system
from sso import views as sso_views
from webinars.admin.account import account_view

admin.site.site_header = _("Webinars administration")
admin.site.site_title = _("Webinars admin")
admin.site.index_title = _("Series, webinars and registrations")

# Outside any language prefix: the API's addresses are one contract for every client, the
# health check and the meeting providers' callbacks are for machines.
urlpatterns = [
    path("api/", api.urls),
    re_path(r"^api/", api_not_found),
    path("healthz", system.healthz, name="healthz"),
    path("meetings/", include("meetings.urls")),
    # Single sign-on: the callback is one address, registered at the provider.
    path("oidc/", include("sso.urls")),
]

# English without a prefix, the other languages under /nl/, /fr/: the address alone says the
# language, so no cookie is needed to remember it and each cached page is right for everyone who
# asks for it. Only the languages in settings.LANGUAGES get a prefix; another one is a 404.
urlpatterns += i18n_patterns(
    path("", include("pages.urls")),
    path("series/", include(series_patterns)),
    path("", include("following.urls")),
    path("", include("afterwards.urls")),
    path("", include("meetings.urls_host")),
    path("embed/", include("pages.urls_embed")),
    path("admin/account/", admin.site.admin_view(account_view), name="admin_account"),
    # Before admin's own: signing out also ends the provider's session (sso/views.py).
    path("admin/logout/", sso_views.sign_out),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "pages.views.system.permission_denied"
handler404 = "pages.views.system.page_not_found"
handler500 = "pages.views.system.server_error"

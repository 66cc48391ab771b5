"""The health check and the error pages."""

import logging

from django.contrib import admin
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_safe

from core.viewer import is_staff
from pages.views.pages import with_list_states
from webinars.cover_image import cover_png
from webinars.models import SiteSettings, Webinar
from webinars.selectors import webinars_visible_to
from webinars.social_image import social_png

logger = logging.getLogger(__name__)


def healthz(request):
    """200 'ok' when the app and its database answer; nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 (any database failure means unhealthy)
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def _scheme_css(scheme) -> str:
    return (
        f"--accent: {scheme.accent}; --accent-strong: {scheme.strong}; "
        f"--accent-tint: {scheme.tint}; --accent-fg: {scheme.on_accent};"
    )


@require_safe
def theme_css(request):
    """The accent colour from the site settings, shaded per scheme to stay readable (AA)."""
    site = SiteSettings.current()
    light, dark = site.light, site.dark
    css = ""
    if light and dark:
        # Screen only: the print styles keep their black on white.
        css = (
            f"@media screen {{ :root {{ {_scheme_css(light)} }} }}\n"
            f"@media screen and (prefers-color-scheme: dark) {{ :root {{ {_scheme_css(dark)} }} }}\n"
        )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    # Pages link it with the settings' version, so a new colour is a new address.
    fresh = request.GET.get("v") == site.version
    response["Cache-Control"] = "public, max-age=31536000, immutable" if fresh else "no-cache"
    return response


@require_safe
def social_image(request):
    """The share image with the site's name (webinars.social_image), cached under each version."""
    site = SiteSettings.current()
    response = HttpResponse(social_png(site), content_type="image/png")
    fresh = request.GET.get("v") == site.version
    response["Cache-Control"] = "public, max-age=31536000, immutable" if fresh else "no-cache"
    return response


@require_safe
def cover_image(request, slug):
    """A webinar's drawn picture (webinars.cover_image); kept for a year under its version."""
    webinar = get_object_or_404(
        webinars_visible_to(staff=is_staff(request)).for_listing(), slug=slug
    )
    png, current = cover_png(webinar)
    response = HttpResponse(png, content_type="image/png")
    fresh = request.GET.get("v") == current and webinar.is_published
    response["Cache-Control"] = "public, max-age=31536000, immutable" if fresh else "no-cache"
    return response


NOT_FOUND_SUGGESTIONS = 3


def _in_admin(request) -> bool:
    """A staff member inside admin, who is better served by admin's own look and links."""
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_active
        and user.is_staff
        and request.path.startswith(reverse("admin:index"))
    )


def _admin_error(request, template: str, status: int):
    context = {**admin.site.each_context(request), "title": ""}
    return render(request, template, context, status=status)


def permission_denied(request, exception):
    """In admin, a page in admin's look with a way back; elsewhere Django's own."""
    if _in_admin(request):
        return _admin_error(request, "admin/403.html", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    """The 404 page: a search box and the next webinars, where a visitor may have been headed."""
    if _in_admin(request):
        return _admin_error(request, "admin/404.html", 404)
    now = timezone.now()
    try:
        upcoming = list(
            Webinar.objects.published()
            .for_list_items()
            .upcoming(now)
            .with_counts()[:NOT_FOUND_SUGGESTIONS]
        )
        with_list_states(upcoming, now)
    except DatabaseError:
        # A missing page must not turn into an error page when the database is away.
        logger.warning("The 404 page shows no webinars: the database did not answer.")
        upcoming = []
    return render(request, "404.html", {"upcoming": upcoming}, status=404)


# The 500 page when even 500.html cannot render (a static file missing from the manifest after
# a half-done deploy, a broken template): plain HTML, no template, no static file.
BARE_SERVER_ERROR = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Something went wrong · Webinars</title></head><body><main>"
    "<h1>Something went wrong</h1><p>Sorry, the page could not be shown. We have been told and "
    "will look into it. If you were sending a form, such as a registration, it may not have "
    "been saved: if no confirmation email arrives, please try again in a few minutes.</p>"
    '<p><a href="/">Go to the webinar calendar</a></p></main></body></html>'
)


def server_error(request):
    # No context processors that could fail again: a plain template render.
    try:
        html = loader.get_template("500.html").render()
    except Exception:  # noqa: BLE001 (the error page must not fail in turn)
        logger.exception("The 500 page could not be rendered; sent the bare one.")
        html = BARE_SERVER_ERROR
    return HttpResponse(html, status=500)

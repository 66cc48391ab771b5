"""The API's rate limit, counted before the page cache so that stored answers count too."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from core.protection import over_limit

API_PREFIX = "/api/"


class ApiRateLimitMiddleware:
    """API_RATE_LIMIT reads per client per API_RATE_WINDOW seconds, then 429 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX) and over_limit(
            request,
            group="api",
            limit=settings.API_RATE_LIMIT,
            window=settings.API_RATE_WINDOW,
            methods=["GET", "HEAD"],
        ):
            window = settings.API_RATE_WINDOW
            return JsonResponse(
                {
                    "detail": _("Too many requests: try again in %(seconds)d seconds.")
                    % {"seconds": window},
                    "errors": [],
                },
                status=429,
                headers={"Retry-After": str(window)},
            )
        return self.get_response(request)

"""The API's rate limit, counted before the page cache so that stored answers count too.

A request with a usable organisers' token counts against that token (every method), any
other against its client's network (reads). Answers to the organisers' operations are marked
private and never stored (api.organisers sets `request.api_private`).
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_ratelimit import ALL

from api.tokens import presented_token
from core.protection import over_limit

API_PREFIX = "/api/"


def _limited(request) -> bool:
    token = presented_token(request)
    if token is not None:
        return over_limit(
            request,
            group="api-token",
            limit=settings.API_TOKEN_RATE_LIMIT,
            window=settings.API_RATE_WINDOW,
            methods=ALL,
            key=lambda group, request: str(token.pk),
        )
    return over_limit(
        request,
        group="api",
        limit=settings.API_RATE_LIMIT,
        window=settings.API_RATE_WINDOW,
        methods=["GET", "HEAD"],
    )


class ApiRateLimitMiddleware:
    """API_RATE_LIMIT reads per client (API_TOKEN_RATE_LIMIT requests per token) per
    API_RATE_WINDOW seconds, then 429 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if _limited(request):
            window = settings.API_RATE_WINDOW
            response = JsonResponse(
                {
                    "detail": _("Too many requests: try again in %(seconds)d seconds.")
                    % {"seconds": window},
                    "errors": [],
                },
                status=429,
                headers={"Retry-After": str(window)},
            )
        else:
            response = self.get_response(request)
        if getattr(request, "api_private", False):
            # For one token's holder: no browser or proxy may keep it.
            patch_cache_control(response, private=True, no_store=True)
        return response

"""Per-response additions to the Content-Security-Policy, through django-csp's public API only.

django-csp 4 offers its policy changes as view decorators with a fixed configuration; a page
whose extra origin is known only once it is rendered (a recording's player) applies the same
decorator to the finished response.
"""

from csp.decorators import csp_replace, csp_update
from django.views.decorators.clickjacking import xframe_options_exempt


def allow_frame_src(response, origin: str):
    """The response, its policy letting it frame pages from origin as well."""
    return csp_update({"frame-src": [origin]})(lambda: response)()


def allow_framing_by(response, origins: list[str]):
    """The response, framable by these origins only (CSP frame-ancestors). X-Frame-Options
    cannot name an origin, so it is left off; frame-ancestors replaces it."""
    framed = csp_replace({"frame-ancestors": origins})(lambda: response)
    return xframe_options_exempt(framed)()

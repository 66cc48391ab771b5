"""Per-response additions to the Content-Security-Policy, through django-csp's public API only.

django-csp 4 offers its policy changes as view decorators with a fixed configuration; a page
whose extra origin is known only once it is rendered (a recording's player) applies the same
decorator to the finished response.
"""

from csp.decorators import csp_update


def allow_frame_src(response, origin: str):
    """The response, its policy letting it frame pages from origin as well."""
    return csp_update({"frame-src": [origin]})(lambda: response)()

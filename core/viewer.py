"""Who is looking: a visitor, or staff who may preview drafts."""

from django.conf import settings


def is_staff(request) -> bool:
    """True for signed-in staff. A visitor has no session cookie, and the session is then not
    opened at all: a page that read it would vary by Cookie and no shared cache could keep it."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = request.user
    return user.is_authenticated and user.is_staff

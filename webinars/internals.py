"""The one place where the site leans on framework internals that have no public counterpart.

Each use has a test in tests/config/test_public_api.py that fails as soon as the framework
changes underneath it, and that test keeps every other module free of private names.
"""

from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict


def replace_form(request: HttpRequest, form: QueryDict) -> None:
    """Make form the request's POST, with no files, before anything reads them.

    Django parses an application/x-www-form-urlencoded body only as UTF-8 and offers no public
    way to hand it a form decoded otherwise; it keeps both dictionaries in these two attributes.
    """
    request._post, request._files = form, MultiValueDict()

"""Request bodies in whatever character set the client declares: read correctly, or a clear 400.

Django reads an `application/x-www-form-urlencoded` body only when its declared charset is
spelled exactly `utf-8` and answers any other spelling (`utf8`, `UTF8`) or charset
(`iso-8859-1`, `latin1`) with a bare 400. This middleware, in front of everything that reads a
form, decodes such a body with the charset it names, and answers a charset nobody knows with a
page that says what went wrong.
"""

import codecs

from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict
from django.shortcuts import render

from webinars.internals import replace_form

FORM = "application/x-www-form-urlencoded"


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _read_form(request, codec: str) -> QueryDict:
    # Decoded here, not by QueryDict, so that bytes the charset cannot read become U+FFFD
    # instead of QueryDict's fallback to Latin-1.
    return QueryDict(request.body.decode(codec, errors="replace"), encoding=codec)


class RequestCharsetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.content_params.get("charset")
        if not declared:
            return self.get_response(request)
        codec = _codec(declared.strip())
        # The query string is UTF-8 whatever the body says (browsers percent-encode it so).
        request.encoding = "utf-8"
        if codec is None:
            return unreadable_response(request, declared)
        if request.content_type == FORM and codec != "utf-8":
            try:
                replace_form(request, _read_form(request, codec))
            except TooManyFieldsSent:
                return unreadable_response(request, declared)
        elif codec != "utf-8":
            # multipart/form-data: Django's parser decodes its fields with request.encoding.
            request.encoding = codec
        return self.get_response(request)


def unreadable_response(request, charset: str):
    return render(request, "400_charset.html", {"charset": charset[:40]}, status=400)

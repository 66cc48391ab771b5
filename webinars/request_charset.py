"""Request bodies in whatever character set the client declares: read correctly, or a clear 400.

Django reads an `application/x-www-form-urlencoded` body only when its declared charset is
spelled exactly `utf-8` and answers any other spelling (`utf8`, `UTF8`) or charset
(`iso-8859-1`, `latin1`) with a bare 400. This middleware, in front of everything that reads a
form, decodes such a body with the charset it names, and answers a charset nobody knows with a
page that says what went wrong.
"""

import codecs
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

FORM = "application/x-www-form-urlencoded"


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _read_form(request, codec: str) -> QueryDict:
    text = request.body.decode(codec, errors="replace")
    pairs = parse_qsl(
        text,
        keep_blank_values=True,
        encoding=codec,
        errors="replace",
        max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
    )
    form = QueryDict(mutable=True)
    for key, value in pairs:
        form.appendlist(key, value)
    form._mutable = False
    return form


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
                request._post, request._files = _read_form(request, codec), MultiValueDict()
            except ValueError:  # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
                return unreadable_response(request, declared)
        elif codec != "utf-8":
            # multipart/form-data: Django's parser decodes its fields with request.encoding.
            request.encoding = codec
        return self.get_response(request)


def unreadable_response(request, charset: str):
    return render(request, "400_charset.html", {"charset": charset[:40]}, status=400)

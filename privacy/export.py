"""The download of what is kept for an address: one JSON file, for the person or an organiser."""

import json

from django.http import HttpResponse
from django.utils import timezone

from privacy.selectors import Kept, as_data


def json_download(kept: Kept, filename: str) -> HttpResponse:
    body = json.dumps(as_data(kept, generated=timezone.now()), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

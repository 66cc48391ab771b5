"""The public, read-only JSON API under /api/ (django-ninja), with its OpenAPI schema.

The organisers' operations (api/organisers.py) join this NinjaAPI, so one schema lists both;
what is said below is about the public reads.

Answers are public pages like any other: the page cache stores them, gives them ETags and
answers If-None-Match with 304 (webinars/cache.py); CORS headers come from django-cors-headers
and the rate limit from api.middleware, both in front of the cache so they apply to cached
answers too. Nothing private is ever read here: no join link, no registrant, nothing unpublished.
"""

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Path, Query
from ninja.errors import ValidationError

from api import schemas
from api.representations import absolute, api_url, series_ref_data, webinar_data
from api.selectors import appearances, public_series, public_speakers, public_webinars
from series.models import Series
from webinars.cache import vary_on_query
from webinars.images import thumbnail
from webinars.models import Speaker, WebinarSpeaker
from webinars.text import render_markdown

# 304 comes from the page cache (If-None-Match), 429 from api.middleware: listed for clients.
ERRORS = {304: None, 404: schemas.Error, 422: schemas.Error, 429: schemas.Error}
READ = ["GET", "HEAD"]


class ReadOnlyAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """HEAD is answered wherever GET is (HTTP says it is GET without the body); listed
        apart it would repeat each operation under the same operationId."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            item.pop("head", None)
        return schema


api = ReadOnlyAPI(
    title="Webinars API",
    version="1",
    description=(
        "Public reads: published series, webinars and speakers. No authentication, no "
        "cookies. Answers carry an ETag (send If-None-Match for a 304), CORS allows any origin, "
        "and each client has a request budget per minute (429 with Retry-After beyond it). "
        "The organisers' operations (tag `organisers`: registrations, adding and changing "
        "webinars) take an API token made in admin, `Authorization: Bearer <token>`; they see "
        "the series the token's holder organises, within the token's own series, are never "
        "cached, and each token has its own request budget."
    ),
    urls_namespace="api",
    # The interactive docs page loads its script from a CDN: a third-party request.
    docs_url=None,
    openapi_url="/openapi.json",
)


def read(path: str, schema, name: str):
    """A GET (and HEAD) operation answering `schema`, or one of the ERRORS."""
    return api.api_operation(READ, path, response={200: schema, **ERRORS}, url_name=name)


def _one(queryset, slug: str):
    found = queryset.filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        errors.append(f"{where}: {error.get('msg', '')}")
    return api.create_response(
        request, {"detail": _("Invalid parameters."), "errors": errors}, status=422
    )


def not_found(request, exception=None):
    """Any other address under /api/: a JSON 404, not the site's HTML page."""
    return api.create_response(request, {"detail": _("Not found."), "errors": []}, status=404)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found."), "errors": []}, status=404)


def paged(request: HttpRequest, queryset, params: schemas.ListParams, item) -> dict:
    """One page of `queryset`, read with one row more to learn whether another follows.

    No COUNT over the whole list: the client follows `next` until it is null.
    """
    start = (params.page - 1) * params.page_size
    rows = list(queryset[start : start + params.page_size + 1])
    # Only the parameters the list reads: the page cache keys on those alone (vary_on_query), so
    # a tracking tag must not travel into the stored links either.
    # One value each, the last, as the parameters were read.
    query = {name: request.GET[name] for name in type(params).model_fields if name in request.GET}

    def link(number: int) -> str:
        query["page"] = str(number)
        return absolute(request.path) + "?" + urlencode(sorted(query.items()))

    return {
        "page": params.page,
        "page_size": params.page_size,
        "next": link(params.page + 1) if len(rows) > params.page_size else None,
        "previous": link(params.page - 1) if params.page > 1 else None,
        "items": [item(row) for row in rows[: params.page_size]],
    }


def changed_since(queryset, params: schemas.ListParams):
    if params.changed_since is not None:
        queryset = queryset.filter(updated__gte=params.changed_since)
    return queryset


# --- Series ---


def _series(series: Series) -> dict:
    return {
        **series_ref_data(series),
        "description": series.description,
        "description_html": render_markdown(series.description),
        "calendar_url": absolute(reverse("series:ical", kwargs={"slug": series.slug})),
        "webinars_url": api_url("webinar_list") + "?" + urlencode({"series": series.slug}),
        "embed_url": absolute(reverse("embed:series", kwargs={"slug": series.slug})),
        "organisations": [
            {
                "name": partner.organisation.name,
                "website": partner.organisation.url or None,
                "role": partner.role,
            }
            for partner in series.partners.all()
        ],
        "disclaimers": [disclaimer.text for disclaimer in series.disclaimers.all()],
        "updated": series.updated,
    }


for _name, _params in [
    ("api:series_list", schemas.ListParams),
    ("api:webinar_list", schemas.WebinarParams),
    ("api:speaker_list", schemas.ListParams),
]:
    vary_on_query(_name, _params.model_fields)


@read("/series", schemas.SeriesPage, "series_list")
def series_list(request, params: Query[schemas.ListParams]):
    """Series with published webinars, by title."""
    return paged(request, changed_since(public_series(), params), params, _series)


@read("/series/{slug}", schemas.Series, "series_detail")
def series_detail(request, slug: Path[str]):
    """One series; its webinars are at `webinars_url`."""
    series = _one(public_series(), slug)
    return _series(series)


# --- Webinars ---


@read("/webinars", schemas.WebinarPage, "webinar_list")
def webinar_list(request, params: Query[schemas.WebinarParams]):
    """Published webinars; filter by series, speaker, upcoming or past, and changed since."""
    now = timezone.now()
    webinars = changed_since(public_webinars(), params)
    if params.series:
        webinars = webinars.filter(series__slug=params.series)
    if params.speaker:
        # EXISTS, not a join: one row per webinar without DISTINCT.
        with_speaker = WebinarSpeaker.objects.filter(
            webinar=OuterRef("pk"), speaker__slug=params.speaker
        )
        webinars = webinars.filter(Exists(with_speaker))
    if params.when == "upcoming":
        webinars = webinars.upcoming(now)
    elif params.when == "past":
        webinars = webinars.past(now)
    else:
        webinars = webinars.order_by("start", "pk")
    return paged(request, webinars, params, lambda webinar: webinar_data(webinar, now))


@read("/webinars/{slug}", schemas.Webinar, "webinar_detail")
def webinar_detail(request, slug: Path[str]):
    webinar = _one(public_webinars(), slug)
    return webinar_data(webinar, timezone.now())


# --- Speakers ---


def _speaker(speaker: Speaker) -> dict:
    # The size the speaker pages use, so the file made for them serves here too.
    photo = thumbnail(speaker.photo, width=240, height=240, crop=True)
    return {
        "id": speaker.pk,
        "slug": speaker.slug,
        "name": speaker.name,
        "affiliation": speaker.affiliation,
        "bio": speaker.bio,
        "bio_html": render_markdown(speaker.bio),
        "website": speaker.url or None,
        "photo": absolute(photo.url) if photo else None,
        "url": absolute(speaker.get_absolute_url()),
        "api_url": api_url("speaker_detail", slug=speaker.slug),
        "updated": speaker.updated,
    }


@read("/speakers", schemas.SpeakerPage, "speaker_list")
def speaker_list(request, params: Query[schemas.ListParams]):
    """Speakers of published webinars, by name."""
    return paged(request, changed_since(public_speakers(), params), params, _speaker)


@read("/speakers/{slug}", schemas.SpeakerDetail, "speaker_detail")
def speaker_detail(request, slug: Path[str]):
    speaker = _one(public_speakers(), slug)
    return {
        **_speaker(speaker),
        "webinars": [
            {
                "webinar": link.webinar.slug,
                "title": link.webinar.title,
                "start": link.webinar.start,
                "role": link.role,
                "url": absolute(link.webinar.get_absolute_url()),
                "api_url": api_url("webinar_detail", slug=link.webinar.slug),
            }
            for link in appearances(speaker)
        ],
    }


@api.api_operation(
    READ, "/", response={200: schemas.Index, 304: None, 429: schemas.Error}, url_name="index"
)
def index(request):
    """Where the lists are."""
    return {
        "series": api_url("series_list"),
        "webinars": api_url("webinar_list"),
        "speakers": api_url("speaker_list"),
        "openapi": api_url("openapi-json"),
    }

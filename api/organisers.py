"""The organisers' API: registrations and webinars, for the holder of a token (api.tokens).

Registered on the public API's NinjaAPI (ApiConfig.ready), so both share one OpenAPI schema.
A token sees what its user organises (series.access), within the token's own series: anything
else is answered as if it did not exist (404), except a write that names it (403). Writes go
through webinars.services, as the form and admin do, so the same rules hold and the same
people are told. Answers are for one holder: never stored (api.middleware marks them private).
"""

from django.conf import settings
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from ninja import Path, Query, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer

from api import schemas
from api.api import READ, api, changed_since, paged
from api.models import ApiToken
from api.representations import registration_data, webinar_data
from api.tokens import bearer, in_scope, presented_token, scope_q
from series.models import Series
from webinars import services
from webinars.models import Registration, Webinar

MAX_ID = 2**63 - 1  # BigAutoField
ERRORS = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
    429: schemas.Error,
}
# Text fields a client may clear with null; the model keeps them as "".
TEXT_FIELDS = ("description", "location", "event_url", "join_url")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`, found once per request (api.tokens.presented_token)."""

    def __call__(self, request):
        request.api_private = True
        return presented_token(request)

    def authenticate(self, request, token):  # pragma: no cover (__call__ answers)
        return presented_token(request)


token_auth = TokenAuth()


def operation(methods: list[str], path: str, responses: dict, name: str):
    """An organisers' operation: the token required, its answers or one of the ERRORS."""
    return api.api_operation(
        methods,
        path,
        auth=token_auth,
        response={**responses, **ERRORS},
        url_name=name,
        tags=["organisers"],
    )


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    if bearer(request) is None:
        detail, challenge = _("Send a token: Authorization: Bearer <token>."), "Bearer"
    else:
        detail = _("The token is unknown, revoked or expired.")
        challenge = 'Bearer error="invalid_token"'
    response = api.create_response(request, {"detail": detail, "errors": []}, status=401)
    response["WWW-Authenticate"] = challenge
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # django-ninja's own refusals; a body that is not JSON (its 400) is bad input like any.
    if exc.status_code == 400:
        errors = [f"body: {_('not a JSON object.')}"]
        body, status = {"detail": _("Invalid parameters."), "errors": errors}, 422
    else:
        body, status = {"detail": str(exc), "errors": []}, exc.status_code
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthorizationError)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": exc.message, "errors": []}, status=403)


def _invalid(field: str, message: str) -> ValidationError:
    """A 422 in the API's shape (api.api's handler): `field: message`."""
    return ValidationError([{"loc": ("body", field), "msg": message}])


def _writer(request) -> ApiToken:
    token = request.auth
    if not token.can_write:
        raise AuthorizationError(message=_("This token may only read."))
    return token


def _registrations(token: ApiToken):
    return Registration.objects.filter(scope_q(token, "webinar__series")).select_related("webinar")


def _registration(token: ApiToken, registration_id: int) -> Registration:
    found = _registrations(token).filter(pk=registration_id).first()
    if found is None:
        raise Http404
    return found


RegistrationId = Path(..., ge=1, le=MAX_ID, description="The registration's id.")


# --- Registrations ---


@operation(READ, "/registrations", {200: schemas.RegistrationRecordPage}, "registrations")
def registration_list(request, params: Query[schemas.RegistrationParams]):
    """Registrations of the series the token may see, oldest first; filter by webinar, status
    and changed since (any change: a new status, attendance)."""
    registrations = changed_since(_registrations(request.auth), params)
    if params.webinar:
        registrations = registrations.filter(webinar__slug=params.webinar)
    if params.status:
        registrations = registrations.filter(status=params.status)
    return paged(request, registrations.order_by("created", "pk"), params, registration_data)


@operation(
    ["POST"],
    "/registrations",
    {200: schemas.RegistrationRecord, 201: schemas.RegistrationRecord},
    "registrations",
)
def registration_create(request, payload: schemas.NewRegistration):
    """Register someone by the form's rules: a seat, the waiting list, or approval first; the
    same mail. An address already registered gets its details again (200, not 201)."""
    token = _writer(request)
    webinar = Webinar.objects.select_related("series").filter(slug=payload.webinar).first()
    if webinar is None:
        raise _invalid("webinar", _("No webinar has this slug."))
    if not in_scope(token, webinar.series):
        raise AuthorizationError(message=_("This token may not register for this webinar."))
    offered = {code.split("-")[0]: code for code, _name in settings.LANGUAGES}
    language = offered.get((payload.language or settings.LANGUAGE_CODE).split("-")[0])
    if language is None:
        raise _invalid("language", _("Not a language of this site."))
    if not payload.name.strip():
        raise _invalid("name", _("Give a name."))
    with translation.override(language):
        try:
            [outcome] = services.registration_create(
                webinars=[webinar],
                name=payload.name,
                email=payload.email,
                organisation=payload.organisation,
                # The organisation registers the person and answers for their consent.
                consent=True,
            )
        except services.RegistrationError as error:
            field = "email" if error.code == "email" else "webinar"
            raise _invalid(field, error.messages[0]) from None
    return Status(201 if outcome.created else 200, registration_data(outcome.registration))


@operation(
    READ, "/registrations/{registration_id}", {200: schemas.RegistrationRecord}, "registration"
)
def registration_detail(request, registration_id: int = RegistrationId):
    return registration_data(_registration(request.auth, registration_id))


@operation(
    ["POST"],
    "/registrations/{registration_id}/cancel",
    {200: schemas.RegistrationRecord},
    "registration_cancel",
)
def registration_cancel(request, registration_id: int = RegistrationId):
    """Cancel as the registrant's own page does (already cancelled: nothing changes); the
    freed seat goes to the oldest waiting registrant, who is told by mail."""
    token = _writer(request)
    registration = _registration(token, registration_id)
    services.registration_cancel(registration=registration, by_organiser=True)
    return registration_data(registration)


@operation(
    ["POST"],
    "/registrations/{registration_id}/attended",
    {200: schemas.RegistrationRecord},
    "registration_attended",
)
def registration_attended(request, registration_id: int = RegistrationId):
    """Note that a confirmed registrant attended (now, unless noted before)."""
    token = _writer(request)
    registration = _registration(token, registration_id)
    if registration.status != Registration.Status.CONFIRMED:
        raise _invalid("registration", _("Only a confirmed registration can be marked attended."))
    services.registration_record_attendance(registration=registration)
    registration.refresh_from_db(fields=["attended_at", "updated"])
    return registration_data(registration)


# --- Webinars ---


def _series(token: ApiToken, slug: str | None) -> Series | None:
    series = None
    if slug is not None:
        series = Series.objects.filter(slug=slug).first()
        if series is None:
            raise _invalid("series", _("No series has this slug."))
    if not in_scope(token, series):
        raise AuthorizationError(
            message=_("This token may not add webinars to this series.")
            if series
            else _("Name a series this token may use.")
        )
    return series


def _apply(token: ApiToken, webinar: Webinar, fields: dict) -> None:
    """Set the client's fields on the webinar and validate it as admin would; 422 or 403."""
    if "series" in fields or webinar._state.adding:
        webinar.series = _series(token, fields.pop("series", None))
    for name, value in fields.items():
        setattr(webinar, name, "" if value is None and name in TEXT_FIELDS else value)
    if not webinar.slug:
        webinar.slug = slugify(webinar.title or "")[:200]
    try:
        webinar.full_clean(exclude=["cover_image"])
    except ModelValidationError as error:
        raise ValidationError(
            [
                {"loc": ("body", field.removesuffix("_en")), "msg": message}
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from None


@operation(["POST"], "/webinars", {201: schemas.Webinar}, "webinar_list")
def webinar_create(request, payload: schemas.NewWebinar):
    """A new draft (unpublished) webinar; without a slug, one is made from the title."""
    token = _writer(request)
    webinar = Webinar(is_published=False)
    _apply(token, webinar, payload.model_dump(exclude_unset=True))
    services.webinar_save(webinar=webinar)
    return Status(201, webinar_data(webinar, timezone.now()))


@operation(["PATCH"], "/webinars/{slug}", {200: schemas.Webinar}, "webinar_detail")
def webinar_update(request, slug: str, payload: schemas.WebinarChange):
    """Change the fields given, as admin does: registrants hear of a cancellation or a move,
    followers of a publication, and waiting registrants take any seats freed."""
    token = _writer(request)
    webinar = Webinar.objects.filter(scope_q(token), slug=slug).select_related("series").first()
    if webinar is None:
        raise Http404
    _apply(token, webinar, payload.model_dump(exclude_unset=True))
    services.webinar_save(webinar=webinar)
    return webinar_data(webinar, timezone.now())

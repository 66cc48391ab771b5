"""Registration pages: the forms, the thanks page, a registrant's own page, join link and feed.

Views stay thin: parse, call webinars.services, render. Pages reached by a token are private:
never cached by shared caches, never indexed, and they send no Referer onwards.
"""

import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import TemplateView

from afterwards.certificates import can_have_certificate
from afterwards.selectors import recap_for
from core.protection import is_rate_limited, private_page, public_form, rate_limited_response
from core.viewer import is_staff
from meetings import services as meetings
from meetings import views as meeting_views
from series.models import Series
from webinars import addresses, ical, services
from webinars.availability import registration_state
from webinars.csp import allow_frame_src
from webinars.forms import DOMAIN_TYPOS, RegistrationForm, SeriesRegistrationForm, suggest_domain
from webinars.mail import personal_links
from webinars.models import Question, Registration, Webinar
from webinars.rules import join, phase
from webinars.selectors import registration_for_token, webinars_for_calendars, webinars_visible_to


def _person(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "email": data["email"],
        "organisation": data.get("organisation", ""),
        "consent": data["consent"],
        "time_zone": data.get("time_zone", ""),
        "answers": form.answers(),
    }


def questions_for(webinars) -> list[Question]:
    """The questions of these webinars (annotated with_question_flag) and their series."""
    if not any(webinar.has_questions for webinar in webinars):
        return []
    return list(Question.objects.for_webinars(webinars).select_related("webinar"))


def registration_form_for(webinar: Webinar, data=None) -> RegistrationForm:
    """The registration form of one webinar, with its own and its series' questions."""
    return RegistrationForm(data, questions=questions_for([webinar]))


def _thanks_url(name: str, slug: str, email: str) -> str:
    # Only what the visitor typed goes in the URL, never what is stored: the page stays the
    # same for an address that was registered before and one that was not.
    query = {"to": addresses.masked(email)}
    if suggest_domain(email):
        query["domain"] = email.rpartition("@")[2].strip().lower()
    return reverse(name, kwargs={"slug": slug}) + "?" + urlencode(query)


def _thanks_context(request) -> dict:
    """What every thanks page shows besides its webinar or series: a likely typo, the mail."""
    typed = request.GET.get("domain", "")[:100].lower()
    sent_to = request.GET.get("to", "")[: addresses.MAX_LENGTH]
    return {
        "sent_to": sent_to if addresses.is_masked(sent_to) else "",
        "resend_minutes": settings.REGISTRATION_RESEND_MINUTES,
        "typed_domain": typed,
        "suggested_domain": DOMAIN_TYPOS.get(typed),
        "hold_minutes": settings.REGISTRATION_HOLD_MINUTES,
        "join_window_minutes": settings.JOIN_WINDOW_MINUTES,
    }


def _webinar_or_404(request, slug) -> Webinar:
    return get_object_or_404(
        webinars_visible_to(staff=is_staff(request))
        .with_counts()
        .with_question_flag()
        .select_related("series"),
        slug=slug,
    )


def _submit(request, form, thanks_name: str, slug: str, chosen) -> HttpResponse | None:
    """Handle a registration POST; the redirect to the thanks page, or None to show the form.

    Bots (the honeypot) get the same answer as people, and nothing is stored for them.
    """
    if is_rate_limited(request):
        return rate_limited_response(request)
    if not form.is_valid():
        return None
    thanks = redirect(_thanks_url(thanks_name, slug, form.cleaned_data["email"]))
    if form.is_bot:
        return thanks
    try:
        services.registration_create(webinars=chosen(), **_person(form))
    except services.RegistrationError as error:
        form.add_error(None, error)
        return None
    return thanks


@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def register(request, slug, *, embed=False):
    """The registration form of one webinar (GET), and its submission (POST).

    embed=True: the compact form for an iframe, whose thanks page stays in the frame.
    """
    if request.method == "POST":
        # The rules read the locked row; seat counts are only needed if the form comes back.
        webinar = get_object_or_404(
            webinars_visible_to(staff=is_staff(request))
            .only("pk", "series_id")
            .with_question_flag(),
            slug=slug,
        )
        form = registration_form_for(webinar, request.POST)
        thanks = "embed:register_thanks" if embed else "webinars:register_thanks"
        answer = _submit(request, form, thanks, slug, lambda: [webinar])
        if answer:
            return answer
        webinar = _webinar_or_404(request, slug)
    else:
        webinar = _webinar_or_404(request, slug)
        form = registration_form_for(webinar)
    return render(
        request,
        "embed/register.html" if embed else "webinars/register.html",
        {"webinar": webinar, "form": form, "state": registration_state(webinar)},
    )


@require_safe
def register_thanks(request, slug, *, embed=False):
    # Its speakers too: the calendar links name them.
    webinar = get_object_or_404(
        webinars_visible_to(staff=is_staff(request)).for_listing(), slug=slug
    )
    return render(
        request,
        "embed/thanks.html" if embed else "webinars/thanks.html",
        {"webinar": webinar, **_thanks_context(request)},
    )


def _open_webinars(request, series: Series):
    now = timezone.now()
    return (
        webinars_visible_to(staff=is_staff(request))
        .filter(series=series, status=Webinar.Status.SCHEDULED, start__gt=now)
        .filter(Q(registration_closes__isnull=True) | Q(registration_closes__gt=now))
        .with_question_flag()
        .order_by("start", "pk")
    )


@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def series_register(request, slug, *, embed=False):
    """One form, one checkbox per webinar of the series open for registration."""
    # A series with nothing published is not public.
    visible = webinars_visible_to(staff=is_staff(request)).filter(series=OuterRef("pk"))
    series = get_object_or_404(Series.objects.filter(Exists(visible)), slug=slug)
    open_webinars = _open_webinars(request, series)
    listed = list(open_webinars)
    form = SeriesRegistrationForm(
        request.POST if request.method == "POST" else None,
        webinars=open_webinars,
        questions=questions_for(listed),
    )
    # The checkboxes from the rows just read, not a second query of the same rows; a POST is
    # still checked against the query.
    field = form.fields["webinars"]
    field.choices = [(w.pk, field.label_from_instance(w)) for w in listed]
    if request.method == "POST":
        answer = _submit(
            request,
            form,
            "embed:series_register_thanks" if embed else "series:register_thanks",
            slug,
            lambda: list(form.cleaned_data["webinars"]),
        )
        if answer:
            return answer
    return render(
        request,
        "embed/series_register.html" if embed else "webinars/series_register.html",
        {"series": series, "form": form, "has_open": bool(listed)},
    )


@require_safe
def series_register_thanks(request, slug, *, embed=False):
    series = get_object_or_404(Series, slug=slug)
    return render(
        request,
        "embed/thanks.html" if embed else "webinars/thanks.html",
        {
            "series": series,
            # A series form's webinars may each ask for it; the site-wide setting asks for all.
            "series_confirms": settings.REGISTRATION_CONFIRM_EMAIL
            or series.webinars.filter(confirm_email=True).exists(),
            **_thanks_context(request),
        },
    )


def _registration_context(registration: Registration) -> dict:
    webinar = registration.webinar
    now = timezone.now()
    is_over = phase.is_over(webinar, now)
    is_confirmed = registration.status == Registration.Status.CONFIRMED
    return {
        "registration": registration,
        "webinar": webinar,
        "is_confirmed": is_confirmed,
        "is_waitlisted": registration.status == Registration.Status.WAITLISTED,
        "is_cancelled": registration.status == Registration.Status.CANCELLED,
        "is_pending": registration.status == Registration.Status.PENDING,
        "is_held": registration.is_held,
        "join_opens": join.opens(webinar).astimezone(webinar.tz),
        "join_open": is_confirmed and join.is_open(webinar, now),
        "is_over": is_over,
        "can_cancel": registration.status != Registration.Status.CANCELLED and not is_over,
        "join_window_minutes": settings.JOIN_WINDOW_MINUTES,
        **personal_links(registration),
    }


# Who sees what is kept for registrants once it is over: those who had, or waited for, a seat.
SAW_IT = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


@private_page
@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def registration_detail(request, token):
    """A registrant's own page: status, webinar, join link in the window; POST cancels."""
    registration = registration_for_token(token)
    if request.method == "POST":
        return _cancel(registration)
    context = _registration_context(registration)
    context["just_cancelled"] = request.GET.get("cancelled") == "1" and context["is_cancelled"]
    context["just_confirmed"] = request.GET.get("confirmed") == "1" and not context["is_held"]
    recap = None
    if context["is_over"] and registration.status in SAW_IT:
        recap = recap_for(registration.webinar, registrant=True)
    context["recap"] = recap
    context["has_certificate"] = can_have_certificate(registration, timezone.now())
    response = render(request, "webinars/registration.html", context)
    if recap and recap.player:
        response = allow_frame_src(response, recap.player.origin)
    return response


@private_page
@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_address(request, slug, token):
    """The link in the "please confirm your address" mail: GET asks (a link scanner must not
    confirm for the registrant), POST confirms. A hold that expired, or was purged since, gets
    a page saying so, with the way to register again."""
    webinar = get_object_or_404(Webinar, slug=slug)
    registration = (
        Registration.objects.select_related("webinar__series")
        .filter(token=token, webinar=webinar, anonymised_at__isnull=True)
        .first()
    )
    if registration is None or not hmac.compare_digest(registration.token, token):
        return _hold_gone(request, webinar, "expired")
    page = registration.token_url()
    if not registration.is_held:
        return redirect(page)
    if request.method == "POST":
        outcome = services.registration_confirm_address(registration=registration).outcome
        if outcome in ("confirmed", "done"):
            return redirect(f"{page}?confirmed=1")
        return _hold_gone(request, webinar, outcome)
    if registration.hold_expires_at <= timezone.now():
        return _hold_gone(request, webinar, "expired")
    return render(request, "webinars/confirm_address.html", _registration_context(registration))


def _hold_gone(request, webinar: Webinar, outcome: str) -> HttpResponse:
    return render(
        request,
        "webinars/confirm_address_gone.html",
        {
            "webinar": webinar,
            "closed": outcome == "closed" or not webinar.is_registration_open(),
            "hold_minutes": settings.REGISTRATION_HOLD_MINUTES,
        },
        status=410,
    )


@private_page
@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, token):
    """GET asks for confirmation (a link prefetcher must not cancel); POST cancels."""
    registration = registration_for_token(token)
    if request.method == "POST":
        return _cancel(registration)
    return render(request, "webinars/cancel_confirm.html", _registration_context(registration))


def _cancel(registration: Registration) -> HttpResponse:
    """Cancel (again harmless) and show the registrant's page saying so."""
    services.registration_cancel(registration=registration)
    url = registration.token_url()
    return redirect(f"{url}?cancelled=1")


@private_page
@require_safe
def registration_join(request, token):
    """Redirect a confirmed registrant to the webinar's current join URL once the window opens:
    the link typed in admin, or a personal one into the provider's room (meetings)."""
    registration = registration_for_token(token)
    context = _registration_context(registration)
    webinar = registration.webinar
    if context["join_open"] and meetings.uses_provider(webinar):
        try:
            url = meetings.registrant_join_url(registration)
        except meetings.MeetingUnavailable:
            return meeting_views.unavailable(request, webinar, context["page_url"])
        services.registration_record_attendance(registration=registration)
        return HttpResponseRedirect(url)
    if context["join_open"] and webinar.join_url:
        services.registration_record_attendance(registration=registration)
        return HttpResponseRedirect(webinar.join_url)
    return render(request, "webinars/join_not_yet.html", context)


@private_page
@require_safe
def registration_calendar(request, token):
    """Personal feed: every webinar this email address is registered for (not cancelled)."""
    registration = registration_for_token(token)
    registered = (
        Registration.objects.active()
        .for_address(registration.email)
        .filter(anonymised_at__isnull=True)
    )
    webinars = webinars_for_calendars().filter(pk__in=registered.values("webinar_id"))
    return ical.CalendarResponse(
        ical.calendar_for(webinars, name=_("My webinars")), filename="my-webinars.ics"
    )


class PrivacyView(TemplateView):
    template_name = "webinars/privacy.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["retention_days"] = settings.REGISTRATION_RETENTION_DAYS
        context["resend_minutes"] = settings.REGISTRATION_RESEND_MINUTES
        return context

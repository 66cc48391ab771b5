"""The providers' callbacks, a speaker's host link, and the page a visitor gets when the meeting
room cannot be opened."""

import hmac

from django.core import signing
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from core.protection import private_page
from meetings import jobs, services
from meetings.models import MeetingJob, MeetingRoom
from meetings.providers.base import Report
from meetings.registry import provider_for
from webinars.mail import in_mail_thread
from webinars.models import Webinar
from webinars.rules import join, phase

# BigBlueButton and others give up on a callback after a while; a minute is plenty for them and
# the visitor alike.
RETRY_AFTER_SECONDS = 60


def unavailable(request, webinar: Webinar, back_url: str = "") -> HttpResponse:
    """ "The meeting room could not be opened, try again in a minute": never a 500, and the
    error is on the webinar's admin page already (services.note_error)."""
    response = render(
        request,
        "meetings/unavailable.html",
        {"webinar": webinar, "back_url": back_url},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request, provider: str, kind: str, token: str = ""):
    """A provider reports on a meeting. Verified by the provider (a signed token in the address,
    the provider's own signature), idempotent (a repeat changes nothing more), quick (remote
    calls it asks for are left to the worker, or to the mail thread after the answer)."""
    handler = provider_for(provider)
    if handler is None:
        return HttpResponseNotFound("no such provider here")
    report = handler.read_callback(request, kind, token)
    if isinstance(report, HttpResponse):
        return report
    return _act_on(report)


def _act_on(report: Report) -> HttpResponse:
    now = timezone.now()
    webinar = Webinar.objects.filter(pk=report.webinar_pk).first()
    if webinar is None:
        return HttpResponse("this webinar was deleted", status=410)
    room = MeetingRoom.objects.filter(webinar=webinar).first()
    if room is None or (report.room_id and not hmac.compare_digest(report.room_id, room.room_id)):
        return HttpResponseNotFound("no such meeting")
    services.callback_received(webinar, report.kind, now)
    if report.ended:
        services.meeting_ended(webinar, now)
    if report.joined or report.registrations:
        services.attendance_received(webinar, report.joined, now, report.registrations)
    if report.recording_url:
        services.recording_received(webinar, report.recording_url, now)
    elif report.fetch_recording:
        jobs.schedule(webinar, MeetingJob.Action.RECORDINGS, now)
        if report.fetch_now:
            # After this answer, in the web worker's mail thread; the worker retries a failure.
            in_mail_thread(jobs.run_now, webinar.pk)
    return HttpResponse("ok")


HOST_SALT = "meetings.host"


def host_link_token(webinar: Webinar, *, name: str, key: str) -> str:
    return signing.dumps({"w": webinar.pk, "n": name, "k": key}, salt=HOST_SALT, compress=True)


@private_page
@require_safe
def host(request, token: str):
    """A speaker's or moderator's personal host link (the organisers pass it on): in the join
    window it leads into the room as a moderator."""
    try:
        data = signing.loads(token, salt=HOST_SALT)
        pk, name, key = int(data["w"]), str(data["n"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return HttpResponseNotFound("no such host link")
    webinar = get_object_or_404(Webinar, pk=pk)
    now = timezone.now()
    if not services.uses_provider(webinar) or not join.is_open(webinar, now):
        context = {
            "webinar": webinar,
            "join_opens": join.opens(webinar).astimezone(webinar.tz),
            "is_over": phase.is_over(webinar, now),
            "has_room": services.uses_provider(webinar),
        }
        return render(request, "meetings/host_closed.html", context)
    try:
        url = services.host_join_url(webinar, name=name, key=key, now=now)
    except services.MeetingUnavailable:
        return unavailable(request, webinar)
    return HttpResponseRedirect(url)

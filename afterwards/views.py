"""Materials as downloads: public ones by the webinar's address, the rest by a registrant's token."""

from datetime import timedelta

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from afterwards.certificates import can_have_certificate, certificate_pdf
from afterwards.forms import FeedbackForm
from afterwards.models import Feedback, Material
from core.protection import private_page, public_form
from core.viewer import is_staff
from webinars.models import Audience, Registration
from webinars.rules import phase
from webinars.selectors import registration_for_token, webinars_visible_to


def _download(material: Material) -> FileResponse:
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404("The file is missing.") from missing
    return FileResponse(handle, as_attachment=False, filename=material.file.name.rsplit("/", 1)[-1])


@require_GET
def public_material(request, slug, pk):
    webinar = get_object_or_404(webinars_visible_to(staff=is_staff(request)), slug=slug)
    material = get_object_or_404(Material, pk=pk, webinar=webinar, audience=Audience.PUBLIC)
    return _download(material)


@private_page
@require_GET
def registrant_material(request, token, pk):
    registration = registration_for_token(token)
    if registration.status not in (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED):
        raise Http404("Materials are for those who had or waited for a seat.")
    return _download(get_object_or_404(Material, pk=pk, webinar=registration.webinar))


def feedback_closes(webinar):
    return webinar.end + timedelta(days=settings.FEEDBACK_DAYS)


@private_page
@public_form
@require_http_methods(["GET", "POST"])
def feedback(request, token):
    """A 1-5 rating and a comment, by the registrant's token; editable until it closes."""
    registration = registration_for_token(token)
    webinar = registration.webinar
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404("Only confirmed registrants give feedback.")
    now = timezone.now()
    existing = Feedback.objects.filter(registration=registration).first()
    state = "open"
    if not phase.is_over(webinar, now):
        state = "not_yet"
    elif now >= feedback_closes(webinar):
        state = "closed"
    form = FeedbackForm(
        request.POST if request.method == "POST" and state == "open" else None,
        instance=existing or Feedback(registration=registration),
    )
    saved = False
    if state == "open" and request.method == "POST" and form.is_valid():
        form.save()
        saved = True
    return render(
        request,
        "afterwards/feedback.html",
        {
            "registration": registration,
            "webinar": webinar,
            "form": form,
            "state": state,
            "saved": saved,
            "existing": existing,
            "closes": feedback_closes(webinar),
            "page_url": reverse("webinars:registration", kwargs={"token": token}),
        },
    )


@private_page
@require_GET
def certificate(request, token):
    registration = registration_for_token(token)
    if not can_have_certificate(registration, timezone.now()):
        raise Http404("No certificate for this registration.")
    response = HttpResponse(certificate_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="certificate.pdf"'
    return response

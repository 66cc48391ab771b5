"""The mail a request for one's data sends: a link to the data, or word that nothing is kept.

Recorded by services.data_request for every address alike; what it says is decided here, in
the worker, after the visitor has had their answer.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from privacy.selectors import followers_of, registrations_of
from privacy.services import LINK_LIFETIME, link_create
from webinars.formatting import absolute_url
from webinars.identity import site_name
from webinars.language import offered_language
from webinars.mail.compose import compose
from webinars.models import PendingMail


def link_message_for(record: PendingMail) -> EmailMultiAlternatives | None:
    """None when a mail for this address went out moments ago (REGISTRATION_RESEND_MINUTES),
    so the form cannot be used to flood someone's inbox."""
    email = record.args["email"]
    if PendingMail.objects.sent_lately(record, email=email):
        return None
    language = offered_language(record.args.get("language", settings.LANGUAGE_CODE))
    known = registrations_of(email).exists() or followers_of(email).exists()
    with translation.override(language):
        subject = _("Your data at %(site)s") % {"site": site_name()}
        context = {
            "ask_url": absolute_url(reverse("privacy:ask")),
            "privacy_url": absolute_url(reverse("webinars:privacy")),
        }
        if not known:
            return compose("privacy_nothing", subject=subject, to=email, context=context)
        token = link_create(email=email, language=language)
        context["data_url"] = absolute_url(reverse("privacy:data", kwargs={"token": token}))
        context["minutes"] = int(LINK_LIFETIME.total_seconds() // 60)
        return compose("privacy_link", subject=subject, to=email, context=context)

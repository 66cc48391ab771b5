"""Mail to followers: the confirmation link, and one notice per new webinar.

Both are records in webinars' one outbox (kinds follow_confirm and follow_notice), composed here
and sent by its worker, so a failing message is retried and given up like any other; a
follower's request only records what is due.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from following.models import Follower
from webinars.formatting import absolute_url, page_url, when
from webinars.language import offered_language
from webinars.mail.compose import compose
from webinars.models import PendingMail, Webinar


def follower_links(follower: Follower) -> dict[str, str]:
    kwargs = {"token": follower.token}
    return {
        "confirm_url": absolute_url(reverse("following:confirm", kwargs=kwargs)),
        "unsubscribe_url": absolute_url(reverse("following:unsubscribe", kwargs=kwargs)),
        "series_url": absolute_url(follower.series.get_absolute_url()),
    }


def confirmation_message(follower: Follower) -> EmailMultiAlternatives:
    with translation.override(offered_language(follower.language)):
        return compose(
            "follow_confirm",
            subject=_("Confirm that you want to follow %(series)s") % {"series": follower.series},
            to=follower.email,
            context={"follower": follower, "series": follower.series, **follower_links(follower)},
        )


def notice_message(follower: Follower, webinar: Webinar) -> EmailMultiAlternatives:
    with translation.override(offered_language(follower.language)):
        # Inside the follower's language: the links lead to their pages in it.
        links = follower_links(follower)
        message = compose(
            "follow_new_webinar",
            subject=_("New in %(series)s: %(title)s")
            % {"series": follower.series, "title": webinar.title},
            to=follower.email,
            context={
                "follower": follower,
                "series": follower.series,
                "webinar": webinar,
                "when": when(webinar),
                "webinar_url": page_url(webinar),
                **links,
            },
        )
    # RFC 2369 and RFC 8058: mail clients show their own unsubscribe button, and a single POST
    # to the link (no page, no sign-in) unsubscribes.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    message.extra_headers.update(
        {
            "List-Id": f"<{follower.series.slug}.series.{host}>",
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    )
    return message


def confirmation_for(record: PendingMail) -> EmailMultiAlternatives | None:
    """The confirmation a follower asked for, unless one went out moments ago.

    A link mailed less than REGISTRATION_RESEND_MINUTES ago is still fresh: repeated requests
    within that time send nothing more, so the form cannot be used to flood someone's inbox.
    """
    pk = record.args["follower"]
    follower = Follower.objects.select_related("series").filter(pk=pk).first()
    if follower is None or follower.is_following:
        return None
    if PendingMail.objects.sent_lately(record, follower=pk):
        return None
    return confirmation_message(follower)


def notice_for(record: PendingMail) -> EmailMultiAlternatives | None:
    """A new-webinar notice, unless it is no longer news. Dropped while the webinar is
    unpublished; publishing it again records the notice again."""
    follower = Follower.objects.select_related("series").filter(pk=record.args["follower"]).first()
    webinar = Webinar.objects.select_related("series").filter(pk=record.args["webinar"]).first()
    if (
        follower is None
        or webinar is None
        or not follower.is_following
        or not webinar.is_published
        or webinar.status != Webinar.Status.SCHEDULED
        or webinar.start <= timezone.now()
    ):
        return None
    return notice_message(follower, webinar)

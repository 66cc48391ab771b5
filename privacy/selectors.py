"""Everything kept about one address, as the person (or an organiser for them) may see it.

`scope` is the organiser answering a written request: they see and erase only rows of the
series they organise (series.access). None is the person themselves, through a mailed link:
everything. Nothing here reads another person's rows: each query starts from the address.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from afterwards.models import Feedback, FollowUp
from following.models import Follower
from series.access import organises_all_series, series_q
from webinars.formatting import iso_datetime
from webinars.models import Answer, PendingMail, RegistrantMessage, Registration

FOLLOWER_KINDS = (PendingMail.Kind.FOLLOW_CONFIRM, PendingMail.Kind.FOLLOW_NOTICE)


def registrations_of(email: str, scope=None) -> QuerySet:
    rows = Registration.objects.for_address(email).filter(anonymised_at__isnull=True)
    if scope is not None:
        rows = rows.filter(series_q(scope, "webinar__series"))
    return rows


def followers_of(email: str, scope=None) -> QuerySet:
    rows = Follower.objects.filter(email__iexact=email.strip())
    if scope is not None:
        rows = rows.filter(series_q(scope, "series"))
    return rows


def sees_everything(scope) -> bool:
    """Rows tied to no series (the mail with a link to one's data) go with the whole answer."""
    return scope is None or organises_all_series(scope)


def mail_of(email: str, registration_ids, follower_ids, scope=None) -> QuerySet:
    about = Q(registration_id__in=registration_ids) | Q(
        kind__in=FOLLOWER_KINDS, args__follower__in=list(follower_ids)
    )
    if sees_everything(scope):
        about |= Q(kind=PendingMail.Kind.DATA_REQUEST, args__email=email.strip().lower())
    return PendingMail.objects.filter(about).select_related("registration__webinar__series")


@dataclass
class Kept:
    """What is kept about an address. Each registration carries `kept_answers` and
    `kept_feedback` (or None), each mail row its `subject` where the outbox knows one."""

    email: str
    registrations: list = field(default_factory=list)
    follows: list = field(default_factory=list)
    mail: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.registrations or self.follows or self.mail)

    def counts(self) -> dict[str, int]:
        return {
            "registrations": len(self.registrations),
            "answers": sum(len(r.kept_answers) for r in self.registrations),
            "feedback": sum(r.kept_feedback is not None for r in self.registrations),
            "follows": len(self.follows),
            "mail": len(self.mail),
        }

    def series(self) -> set[int]:
        """The series these rows belong to (for the record of the request)."""
        ids = {r.webinar.series_id for r in self.registrations}
        ids |= {f.series_id for f in self.follows}
        return {pk for pk in ids if pk}


def kept_for(email: str, scope=None) -> Kept:
    registrations = list(
        registrations_of(email, scope)
        .select_related("webinar__series")
        .order_by("webinar__start", "pk")
    )
    ids = [r.pk for r in registrations]
    answers: dict[int, list] = {}
    for answer in (
        Answer.objects.filter(registration_id__in=ids)
        .select_related("question")
        .order_by("registration_id", "question__order", "question__pk")
    ):
        answers.setdefault(answer.registration_id, []).append(answer)
    feedback = {f.registration_id: f for f in Feedback.objects.filter(registration_id__in=ids)}
    for r in registrations:
        r.kept_answers = answers.get(r.pk, [])
        r.kept_feedback = feedback.get(r.pk)
    follows = list(followers_of(email, scope).select_related("series").order_by("created", "pk"))
    mail = list(mail_of(email, ids, [f.pk for f in follows], scope).order_by("created", "pk"))
    subjects = mail_subjects(mail)
    for m in mail:
        m.subject = subjects.get(m.pk, "")
    return Kept(email=email, registrations=registrations, follows=follows, mail=mail)


def mail_subjects(mail: list) -> dict[int, str]:
    """Subjects the outbox knows without composing anything: organisers' messages and
    follow-ups (their subjects are the organisers' words; bodies are never shown)."""
    message_ids = {m.args.get("message") for m in mail if m.kind == PendingMail.Kind.MESSAGE}
    follow_up_ids = {m.args.get("follow_up") for m in mail if m.kind == PendingMail.Kind.FOLLOW_UP}
    messages = dict(
        RegistrantMessage.objects.filter(pk__in=message_ids - {None}).values_list("pk", "subject")
    )
    follow_ups = dict(
        FollowUp.objects.filter(pk__in=follow_up_ids - {None}).values_list("pk", "subject")
    )
    subjects = {}
    for m in mail:
        if m.kind == PendingMail.Kind.MESSAGE:
            subjects[m.pk] = messages.get(m.args.get("message"), "")
        elif m.kind == PendingMail.Kind.FOLLOW_UP:
            subjects[m.pk] = follow_ups.get(m.args.get("follow_up"), "")
    return subjects


def _when(value) -> str | None:
    return iso_datetime(value) if value else None


def as_data(kept: Kept, *, generated) -> dict:
    """The machine-readable download: plain JSON types, times in ISO 8601 with their offset."""
    return {
        "address": kept.email,
        "generated": _when(generated),
        "registrations": [_registration(r) for r in kept.registrations],
        "follows": [
            {
                "series": str(f.series.title),
                "language": f.language,
                "asked": _when(f.created),
                "confirmed": _when(f.confirmed_at),
                "unsubscribed": _when(f.unsubscribed_at),
            }
            for f in kept.follows
        ],
        "mail": [
            {
                "kind": m.kind,
                "description": str(m.get_kind_display()),
                "subject": m.subject,
                "webinar": str(m.registration.webinar.title) if m.registration_id else None,
                "state": m.state,
                "recorded": _when(m.created),
                "sent": _when(m.sent_at),
            }
            for m in kept.mail
        ],
    }


def _registration(r: Registration) -> dict:
    webinar = r.webinar
    feedback = r.kept_feedback
    return {
        "webinar": str(webinar.title),
        "series": str(webinar.series.title) if webinar.series else None,
        "webinar_start": _when(webinar.start),
        "webinar_end": _when(webinar.end),
        "status": r.status,
        "name": r.name,
        "email": r.email,
        "organisation": r.organisation,
        "language": r.language,
        "time_zone": r.time_zone,
        "registered": _when(r.created),
        "consent": _when(r.consent_at),
        "address_confirmed": _when(r.email_confirmed_at),
        "approved": _when(r.approved_at),
        "declined": _when(r.declined_at),
        "promoted": _when(r.promoted_at),
        "cancelled": _when(r.cancelled_at),
        "attended": _when(r.attended_at),
        "answers": [{"question": str(a.question.label), "answer": a.text} for a in r.kept_answers],
        "feedback": feedback
        and {
            "rating": feedback.rating,
            "comment": feedback.comment,
            "given": _when(feedback.created),
        },
    }

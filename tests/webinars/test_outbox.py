"""One outbox for every kind of mail: the same retries, back-off, failed state, admin and lock."""

import base64
import os
import pickle
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from smtplib import SMTPRecipientsRefused

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from following.models import Follower
from following.services import webinar_published
from tests.factories import make_registration, make_series, make_webinar
from webinars import cache, mail
from webinars.mail import worker
from webinars.models import PendingMail

ROOT = Path(__file__).resolve().parents[2]


class RefusingBackend(LocmemBackend):
    """A mail server that refuses every recipient."""

    def send_messages(self, messages):
        raise SMTPRecipientsRefused({m.to[0]: (550, b"no such user") for m in messages})


def follower_notice(settings):
    settings.MAIL_SEND_IMMEDIATELY = False
    series = make_series(title="Soil science", slug="soil")
    follower = Follower.objects.create(
        series=series, email="ada@example.org", confirmed_at=timezone.now()
    )
    webinar = make_webinar(
        series=series, title="Second talk", start=timezone.now() + timedelta(days=5)
    )
    webinar_published(webinar=webinar)
    return PendingMail.objects.get(
        kind="follow_notice", key=f"follow-notice:{follower.pk}:{webinar.pk}"
    )


def test_a_failing_follower_notice_is_retried_with_back_off_then_marked_failed(
    db, settings, admin_client, mailoutbox
):
    settings.EMAIL_BACKEND = "tests.webinars.test_outbox.RefusingBackend"
    settings.MAIL_RETRY_BASE_SECONDS = 60
    settings.MAIL_MAX_ATTEMPTS = 3
    notice = follower_notice(settings)
    now = timezone.now()

    assert mail.queue_flush(now)["failed"] == 1
    notice.refresh_from_db()
    assert (notice.attempts, notice.retry_after, notice.state) == (
        1,
        now + timedelta(seconds=60),
        "retrying",
    )
    assert notice.last_error.startswith("SMTPRecipientsRefused")
    # Not before its delay; then the delay doubles.
    assert mail.queue_flush(now + timedelta(seconds=59))["failed"] == 0
    later = now + timedelta(seconds=61)
    assert mail.queue_flush(later)["failed"] == 1
    notice.refresh_from_db()
    assert (notice.attempts, notice.retry_after) == (2, later + timedelta(seconds=120))
    last = later + timedelta(seconds=121)
    counts = mail.queue_flush(last)
    notice.refresh_from_db()
    assert (counts["failed"], counts["given_up"]) == (1, 1)
    assert (notice.attempts, notice.failed_at, notice.state) == (3, last, "failed")
    # Given up: no pass tries it again, however late.
    assert mail.queue_flush(last + timedelta(days=30))["failed"] == 0

    row = f'<td class="field-key">{notice.key}</td>'
    failed = admin_client.get("/admin/webinars/pendingmail/?state=failed").content.decode()
    assert row in failed
    assert '<td class="field-state">failed</td>' in failed
    assert "SMTPRecipientsRefused" in failed
    assert row not in admin_client.get("/admin/webinars/pendingmail/?state=sent").content.decode()

    # "Send again" puts it back; the next pass, with the server taking mail again, sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin_client.post(
        "/admin/webinars/pendingmail/",
        {"action": "send_again", "_selected_action": [notice.pk]},
    )
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("queued", 0)
    assert mail.queue_flush()["sent"] == 1
    notice.refresh_from_db()
    assert notice.state == "sent"
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["ada@example.org"], "New in Soil science: Second talk")
    ]


def test_recording_the_same_key_twice_records_one_message(db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    registration = make_registration(make_webinar(), email="Ada@Example.org")
    first = mail.record("message", key="message:1:ada@example.org", registration=registration)
    second = mail.record("message", key="message:1:ada@example.org", registration=registration)

    assert first is not None and second is None
    assert PendingMail.objects.filter(key="message:1:ada@example.org").count() == 1


def hold_the_lock_in(lock_file: Path) -> subprocess.Popen:
    """Another process holding the sender lock, through the worker's own code."""
    code = (
        "import django, sys, time\n"
        "django.setup()\n"
        "from webinars.mail import worker\n"
        "with worker.file_lock(0) as held:\n"
        "    print('held' if held else 'busy', flush=True)\n"
        "    time.sleep(120)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "MAIL_LOCK_FILE": str(lock_file),
    }
    holder = subprocess.Popen(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_killed_sender_leaves_no_lock_behind(db, settings, mailoutbox, tmp_path):
    if worker.row_locks():
        pytest.skip("PostgreSQL claims rows, which the server releases with the connection")
    settings.MAIL_SEND_IMMEDIATELY = False
    settings.MAIL_LOCK_FILE = str(tmp_path / "send_mail.flock")
    mail.queue_composed(EmailMessage("Hello", "Body", "webinars@example.org", ["a@example.org"]))
    holder = hold_the_lock_in(tmp_path / "send_mail.flock")
    try:
        # While another sender holds the lock, this one leaves the mail alone.
        assert mail.queue_flush()["sent"] == 0
        assert mailoutbox == []
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        holder.stdout.close()

    # The file is still there; the lock died with its holder.
    assert (tmp_path / "send_mail.flock").exists()
    assert mail.queue_flush()["sent"] == 1
    assert [m.subject for m in mailoutbox] == ["Hello"]
    # Sent: the composed message (addresses, text) is not kept.
    assert PendingMail.objects.get().args == {}


BEFORE = [
    ("webinars", "0009_translated_content"),
    ("following", "0002_organisers_see_followers"),
    ("afterwards", "0003_translated_content"),
]


@pytest.fixture
def old_schema(transactional_db):
    """The database as it was before the one outbox, put back to the latest state afterwards."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE mailer_message (id integer PRIMARY KEY, message_data text NOT NULL,"
            " when_added timestamp with time zone NULL, priority varchar(1) NOT NULL)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE mailer_message (id integer PRIMARY KEY, message_data text NOT NULL,"
            " when_added datetime NULL, priority varchar(1) NOT NULL)"
        )
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS mailer_message")
    executor = MigrationExecutor(connection)
    executor.migrate(latest)


def test_upgrading_moves_waiting_mail_of_the_old_tables_into_the_outbox(
    old_schema, settings, mailoutbox, monkeypatch
):
    apps = old_schema
    # The old schema has no content generation table; stored pages are not this test's matter.
    monkeypatch.setattr(cache, "content_changed", lambda: None)
    now = timezone.now()
    Follower = apps.get_model("following", "Follower")
    FollowNotice = apps.get_model("following", "FollowNotice")
    FollowUp = apps.get_model("afterwards", "FollowUp")
    FollowUpDelivery = apps.get_model("afterwards", "FollowUpDelivery")
    # Series did not change since; webinars and registrations gained columns (French texts), so
    # they are made as the old schema knew them, which also records no mail in the new way.
    series = make_series(title="Soil", slug="soil")
    start = now + timedelta(days=3)
    webinar = apps.get_model("webinars", "Webinar").objects.create(
        series_id=series.pk,
        title="Copper",
        title_en="Copper",
        slug="copper",
        start=start,
        end=start + timedelta(hours=1),
        time_zone="Europe/Brussels",
        is_published=True,
    )
    registration = apps.get_model("webinars", "Registration").objects.create(
        webinar=webinar, name="Cy", email="cy@example.org", status="confirmed", token="c" * 43
    )
    ada = Follower.objects.create(
        series_id=series.pk, email="ada@example.org", token="a" * 43, confirmed_at=now
    )
    bob = Follower.objects.create(
        series_id=series.pk, email="bob@example.org", token="b" * 43, confirmation_requested_at=now
    )
    waiting = FollowNotice.objects.create(follower=ada, webinar_id=webinar.pk)
    follow_up = FollowUp.objects.create(
        webinar_id=webinar.pk, subject="Thanks", attendees_text="Thanks.", absentees_text="Sorry."
    )
    sent = FollowUpDelivery.objects.create(
        follow_up=follow_up, registration_id=registration.pk, attended=True, queued_at=now
    )
    queued = EmailMessage("Old queue", "Body", "webinars@example.org", ["dee@example.org"])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mailer_message (id, message_data, when_added, priority)"
            " VALUES (7, %s, %s, '2')",
            [base64.b64encode(pickle.dumps(queued)).decode("ascii"), now],
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    records = {r.key or f"{r.kind}:{r.args}": r for r in PendingMail.objects.all()}
    notice = records[f"follow-notice:{ada.pk}:{webinar.pk}"]
    assert (notice.kind, notice.sent_at, notice.args) == (
        "follow_notice",
        None,
        {"follower": ada.pk, "webinar": webinar.pk},
    )
    assert waiting.pk  # moved, whatever its old id
    # Mailed before the upgrade: kept as sent, so the key keeps it from going out twice.
    done = records[f"follow-up:{follow_up.pk}:{registration.pk}"]
    assert (done.kind, done.registration_id, done.sent_at) == (
        "follow_up",
        registration.pk,
        sent.queued_at,
    )
    old = records["mailer:7"]
    assert (old.kind, old.sent_at) == ("raw", None)
    confirmation = records[f"follow_confirm:{{'follower': {bob.pk}}}"]
    assert confirmation.sent_at is None

    settings.MAIL_SEND_IMMEDIATELY = False
    counts = mail.queue_flush(now)
    assert counts["sent"] == 3
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("ada@example.org", "New in Soil: Copper"),
        ("bob@example.org", "Confirm that you want to follow Soil"),
        ("dee@example.org", "Old queue"),
    ]

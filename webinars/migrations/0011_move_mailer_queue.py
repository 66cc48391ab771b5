import base64
import pickle

from django.db import migrations
from django.utils import timezone


def move_mailer_queue(apps, schema_editor):
    """django-mailer's unsent messages become RAW records, sent by the one worker from now on.

    Read with SQL: django-mailer is no longer installed, but its table may still hold mail.
    Its message_data is the base64 of the pickled message, which is what a RAW record keeps.
    """
    connection = schema_editor.connection
    if "mailer_message" not in connection.introspection.table_names():
        return
    PendingMail = apps.get_model("webinars", "PendingMail")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, message_data, when_added FROM mailer_message ORDER BY id")
        rows = cursor.fetchall()
    records = []
    for pk, data, added in rows:
        if not data:
            continue
        try:
            # Only to check that it is a message this code can send; stored as it was.
            pickle.loads(base64.b64decode(data))  # noqa: S301 (django-mailer's own rows)
        except Exception:  # noqa: BLE001 (a message that cannot be read is kept as failed)
            failed_at, error = timezone.now(), "Unreadable message from django-mailer's queue"
        else:
            failed_at, error = None, ""
        records.append(
            PendingMail(
                kind="raw",
                key=f"mailer:{pk}",
                args={"message": data.strip()},
                created=added or timezone.now(),
                failed_at=failed_at,
                last_error=error,
            )
        )
    PendingMail.objects.bulk_create(records)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mailer_message")


class Migration(migrations.Migration):
    # Apart from the schema change: on PostgreSQL, rows written in the same transaction as
    # the new key's index would leave it "pending trigger events".
    dependencies = [
        ("webinars", "0010_one_outbox"),
    ]

    operations = [
        migrations.RunPython(move_mailer_queue, migrations.RunPython.noop),
    ]

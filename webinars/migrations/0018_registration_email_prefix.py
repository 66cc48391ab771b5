"""An index for the registrations list's address search (the start of an address, any case).

Django's istartswith reads UPPER("email"::text) LIKE UPPER('ab%') on PostgreSQL: an index on
that expression with text_pattern_ops answers it whatever the database's collation. SQLite
has no such index for LIKE; its lists stay small enough to read.
"""

from django.db import migrations

INDEX = "registration_email_upper_prefix"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} "
            "ON webinars_registration ((UPPER(email::text)) text_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("webinars", "0017_data_request_mail"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

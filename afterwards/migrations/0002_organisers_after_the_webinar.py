"""Organisers manage materials and follow-ups, read feedback and figures, record attendance."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    *(f"{action}_material" for action in ("add", "change", "delete", "view")),
    *(f"{action}_followup" for action in ("add", "change", "delete", "view")),
    "view_feedback",
    "delete_feedback",
    "view_webinarrecord",
    # Attendance is recorded from the figures page.
    "change_webinarrecord",
]


def _permissions(apps):
    app_config = apps.get_app_config("afterwards")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="afterwards", codename__in=CODENAMES
    )


def grant(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name="Organisers"):
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name="Organisers"):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("afterwards", "0001_initial"),
        ("webinars", "0002_organisers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

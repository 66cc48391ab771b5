"""Organisers manage their own webhook endpoints and see their deliveries (admin scopes both to
the endpoint's owner)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
    "view_webhookendpoint",
    "view_webhookdelivery",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="hooks", codename__in=CODENAMES)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("hooks")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name="Organisers").first()
    if group:
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name="Organisers"):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("hooks", "0001_initial"),
        ("webinars", "0002_organisers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

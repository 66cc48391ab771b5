"""Organisers see followers, unsubscribe them and delete an address on request; never add one."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_follower", "change_follower", "delete_follower"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("following")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Organisers").first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="following", codename__in=CODENAMES
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Organisers"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="following", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("following", "0001_initial"),
        ("webinars", "0002_organisers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

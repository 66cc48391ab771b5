"""Create the "Organisers" group: edit content, see (and manage) registrations; no users/groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = {
    "series": ["series", "organisation", "seriesorganisation", "fundingdisclaimer"],
    "webinars": ["webinar", "speaker", "webinarspeaker"],
}
# Registrations: organisers see and manage them (cancel, correct a typo), but never
# create or delete them by hand, so nobody is registered without consent or lost.
REGISTRATIONS = {"webinars": {"registration": ["view", "change"]}}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Organisers")
    codenames = []
    for models in CONTENT.values():
        for model in models:
            codenames += [f"{action}_{model}" for action in ("add", "change", "delete", "view")]
    for models in REGISTRATIONS.values():
        for model, actions in models.items():
            codenames += [f"{action}_{model}" for action in actions]
    perms = Permission.objects.filter(
        content_type__app_label__in=["series", "webinars"], codename__in=codenames
    )
    group.permissions.set(perms)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Organisers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("series", "0001_initial"),
        ("webinars", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]

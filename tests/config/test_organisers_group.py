"""The suite's rebuild of the Organisers group (after a flush) gives what the migrations gave."""

import pytest
from django.contrib.auth.models import Group

from tests.conftest import rebuild_organisers_group


@pytest.mark.django_db
def test_a_flushed_organisers_group_comes_back_with_the_migrated_permissions():
    migrated = set(
        Group.objects.get(name="Organisers").permissions.values_list("codename", flat=True)
    )
    assert "change_webinar" in migrated and "view_follower" in migrated
    Group.objects.all().delete()

    rebuild_organisers_group()

    rebuilt = set(
        Group.objects.get(name="Organisers").permissions.values_list("codename", flat=True)
    )
    assert rebuilt == migrated

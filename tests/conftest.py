"""Shared fixtures."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


@pytest.fixture
def seed(db):
    call_command("loaddata", "seed", verbosity=0)


@pytest.fixture
def organiser(db, django_user_model):
    user = django_user_model.objects.create_user(
        username="organiser", password="organiser-pass", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client

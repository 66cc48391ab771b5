"""Shared fixtures."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


@pytest.fixture
def client(settings):
    """A visitor's browser: like every browser, it sends Origin with a form post."""
    from django.test import Client

    return Client(headers={"Origin": settings.SITE_URL})


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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached pages must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

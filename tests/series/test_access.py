"""Who organises which series: superusers and the Organisers group all, managers theirs."""

import pytest
from django.contrib.auth.models import Group

from series.access import is_series_manager, organised_series, organises_all_series, series_q
from tests.factories import make_series, make_webinar
from webinars.models import Webinar

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_series():
    return make_series(title="Alpha"), make_series(title="Beta")


def test_group_member_organises_every_series(organiser, two_series):
    assert organises_all_series(organiser)
    assert set(organised_series(organiser)) == set(two_series)


def test_manager_organises_only_listed_series(django_user_model, two_series):
    alpha, beta = two_series
    user = django_user_model.objects.create_user("m", password="x", is_staff=True)
    assert not is_series_manager(user)
    alpha.managers.add(user)
    # The answer is kept on the user object for one request: a new request loads a new user.
    assert not is_series_manager(user)
    user = django_user_model.objects.get(pk=user.pk)
    assert is_series_manager(user)
    assert not organises_all_series(user)
    assert list(organised_series(user)) == [alpha]
    make_webinar(series=alpha, title="In alpha")
    make_webinar(series=beta, title="In beta")
    make_webinar(series=None, title="Without series")
    titles = set(Webinar.objects.filter(series_q(user)).values_list("title", flat=True))
    assert titles == {"In alpha"}


def test_inactive_or_non_staff_organise_nothing(django_user_model, two_series):
    alpha, _ = two_series
    visitor = django_user_model.objects.create_user("v", password="x", is_staff=False)
    alpha.managers.add(visitor)
    assert not organised_series(visitor).exists()
    gone = django_user_model.objects.create_user("g", password="x", is_staff=True, is_active=False)
    gone.groups.add(Group.objects.get(name="Organisers"))
    assert not organises_all_series(gone)
    assert not organised_series(gone).exists()
    make_webinar(series=alpha)
    assert not Webinar.objects.filter(series_q(gone)).exists()

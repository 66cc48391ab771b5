"""Followers per team: a series' manager sees and unsubscribes the followers of their own
series only."""

import pytest
from django.urls import reverse

from following.models import Follower
from tests.teams import build_teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    return build_teams()


def test_a_manager_lists_and_unsubscribes_only_their_followers(teams, client):
    alpha, beta = teams
    client.force_login(alpha.manager)
    url = reverse("admin:following_follower_changelist")

    response = client.get(url)
    assert [f.email for f in response.context["cl"].result_list] == ["Alpha-follower@people.org"]
    assert b"Beta series" not in response.content

    client.post(
        url,
        {
            "action": "unsubscribe_selected",
            "_selected_action": [alpha.rows["follower"].pk, beta.rows["follower"].pk],
        },
    )
    assert Follower.objects.get(pk=alpha.rows["follower"].pk).unsubscribed_at is not None
    assert Follower.objects.get(pk=beta.rows["follower"].pk).unsubscribed_at is None


def test_the_organisers_group_lists_every_series_followers(teams, organiser_client):
    response = organiser_client.get(reverse("admin:following_follower_changelist"))
    assert len(response.context["cl"].result_list) == 2

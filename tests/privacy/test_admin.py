"""Organisers answer a written request in admin, within the series they organise."""

import json

import pytest
from django.test import Client

from following.models import Follower
from privacy.models import HonouredRequest, address_hash
from tests.html import text_of
from tests.privacy.conftest import ADA
from webinars.models import Registration

ANSWER = "/admin/privacy/honouredrequest/answer/"


@pytest.fixture
def manager(world, django_user_model):
    """Staff who organise Alpha only: listed in its managers, in no group."""
    user = django_user_model.objects.create_user(username="alpha-lead", is_staff=True)
    world.alpha.managers.add(user)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def test_staff_who_organise_no_series_are_refused(world, django_user_model):
    user = django_user_model.objects.create_user(username="helper", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(ANSWER).status_code == 403
    assert client.post(ANSWER, {"email": ADA, "action": "erase"}).status_code == 403
    assert Registration.objects.for_address(ADA).count() == 4


def test_a_series_manager_sees_only_their_series(world, manager):
    page = manager.post(ANSWER, {"email": ADA})

    assert page.status_code == 200
    text = text_of(page)
    assert "Alpha past" in text and "Alpha next" in text and "Mathematician" in text
    assert "Beta" not in text
    assert "Registrations (2)" in text and "Series followed (1)" in text
    assert "Carol" not in page.content.decode()
    assert "You see and erase only what belongs to the series you organise." in text


def test_the_download_holds_only_their_series_and_is_recorded(world, manager):
    response = manager.post(ANSWER, {"email": ADA, "action": "download"})

    assert response.status_code == 200
    data = json.loads(response.content)
    assert [r["webinar"] for r in data["registrations"]] == ["Alpha past", "Alpha next"]
    assert [f["series"] for f in data["follows"]] == ["Alpha minerals"]
    # Her Alpha registrations' mail and Alpha's follow confirmation; Beta's are not theirs.
    assert sorted((m["kind"], m["webinar"] or "") for m in data["mail"]) == [
        ("details", "Alpha past"),
        ("follow_confirm", ""),
        ("reminder", "Alpha next"),
    ]
    [record] = HonouredRequest.objects.all()
    assert (record.action, record.acted_by, record.by_visitor) == ("access", manager.user, False)
    assert record.address_hash == address_hash(ADA)


def test_erasing_asks_first_then_erases_only_their_series(world, manager):
    confirm = manager.post(ANSWER, {"email": ADA, "action": "confirm"})
    assert "Erase all of it?" in text_of(confirm)
    assert Registration.objects.for_address(ADA).count() == 4

    done = manager.post(ANSWER, {"email": ADA, "action": "erase"})

    assert done.status_code == 302
    left = Registration.objects.for_address(ADA)
    assert sorted(r.webinar.title for r in left) == ["Beta next", "Beta past"]
    world.ada_alpha_next.refresh_from_db()
    assert (world.ada_alpha_next.status, world.ada_alpha_next.name) == ("cancelled", "")
    world.bob_waiting.refresh_from_db()
    assert world.bob_waiting.status == "confirmed"
    assert sorted(Follower.objects.values_list("series__slug", "email")) == [
        ("alpha", "carol@example.org"),
        ("beta", ADA),
    ]
    [record] = HonouredRequest.objects.all()
    assert (record.action, record.acted_by) == ("erasure", manager.user)
    assert list(record.series.values_list("slug", flat=True)) == ["alpha"]
    assert record.counts["registrations"] == 2


def test_the_record_list_finds_an_address_by_its_hash_and_stays_in_scope(
    world, manager, organiser_client
):
    organiser_client.post(ANSWER, {"email": ADA, "action": "erase"})
    organiser_record = HonouredRequest.objects.get()
    # An erasure by an all-series organiser touched Alpha too: Alpha's manager sees it.
    listing = manager.get("/admin/privacy/honouredrequest/", {"q": ADA})
    assert listing.status_code == 200
    assert organiser_record.address_hash[:12] in listing.content.decode()
    # A request that touched Beta only stays out of Alpha's manager's list.
    beta_only = HonouredRequest.objects.create(
        address_hash=address_hash("zed@example.org"),
        action="access",
        created=organiser_record.created,
    )
    beta_only.series.set([world.beta])
    listing = manager.get("/admin/privacy/honouredrequest/")
    assert beta_only.address_hash[:12] not in listing.content.decode()
    assert (
        beta_only.address_hash[:12]
        in organiser_client.get("/admin/privacy/honouredrequest/").content.decode()
    )
    # Nothing is found for an address no request was made for.
    empty = organiser_client.get("/admin/privacy/honouredrequest/", {"q": "nobody@example.org"})
    assert organiser_record.address_hash[:12] not in empty.content.decode()


def test_an_all_series_organiser_sees_and_recognises_everything(world, organiser_client):
    first = organiser_client.post(ANSWER, {"email": ADA})
    assert "Registrations (4)" in text_of(first)
    organiser_client.post(ANSWER, {"email": ADA, "action": "erase"})
    assert not Registration.objects.for_address(ADA).exists()
    again = organiser_client.post(ANSWER, {"email": ADA.upper()})
    text = text_of(again)
    assert "Earlier requests for this address" in text
    assert "Nothing is kept for this address" in text

"""Speakers' host links: signed, shown to organisers in admin, leading in as a moderator within
the join window."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

from tests.factories import add_speaker, make_speaker


def _host_link(organiser_client, webinar) -> str:
    page = organiser_client.get(f"/admin/webinars/webinar/{webinar.pk}/change/").content.decode()
    return re.search(r"<code[^>]*>(http[^<]+/meetings/host/[^<]+)</code>", page)[1]


def test_a_speakers_host_link_leads_in_as_moderator(organiser_client, client, bbb, bbb_webinar):
    add_speaker(bbb_webinar, make_speaker(name="Katherine Johnson"))
    link = _host_link(organiser_client, bbb_webinar)
    client.logout()
    response = client.get(link[len(settings.SITE_URL) :])
    assert response.status_code == 302
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["role"] == ["MODERATOR"]
    assert params["fullName"] == ["Katherine Johnson"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_host_link_waits_for_the_window_and_a_forged_one_is_404(
    organiser_client, client, bbb, bbb_webinar, _clock
):
    add_speaker(bbb_webinar)
    path = _host_link(organiser_client, bbb_webinar)[len(settings.SITE_URL) :]
    client.logout()
    _clock.shift(-timedelta(hours=2))
    response = client.get(path)
    assert response.status_code == 200
    assert b"The room opens" in response.content
    assert not bbb.calls
    assert client.get(path[:-3] + "xx/").status_code == 404

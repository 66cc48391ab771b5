"""The CSV export streamed: the same file as before, sent as it is read, in a fixed number of
queries per chunk of rows whatever the selection."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_series, make_webinar
from webinars.admin import export
from webinars.admin.export import registrations_csv
from webinars.models import Answer, Question, Registration

MOMENT = datetime(2030, 9, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def selection(db):
    series = make_series(title="Metals")
    webinar = make_webinar(
        title="Copper, zinc", series=series, start=datetime(2030, 10, 1, 8, 0, tzinfo=UTC)
    )
    role = Question.objects.create(series=series, label="Your role?", kind="short_text")
    news = Question.objects.create(webinar=webinar, label="=News?", kind="checkbox")
    ada = Registration.objects.create(
        webinar=webinar, name="Ada", email="ada@example.org", organisation="AE;=1", created=MOMENT
    )
    Registration.objects.create(
        webinar=webinar,
        name="Zoë",
        email="z@example.org",
        status="cancelled",
        created=MOMENT,
        consent_at=MOMENT,
        cancelled_at=MOMENT,
    )
    Answer.objects.create(registration=ada, question=role, value="Researcher")
    Answer.objects.create(registration=ada, question=news, value=True)
    return webinar


EXPECTED = (
    '\ufeff"webinar","webinar start (UTC)","name","email","organisation","status",'
    '"registered at (UTC)","consent at (UTC)","promoted at (UTC)","cancelled at (UTC)",'
    '"Your role?","\'=News?"\r\n'
    '"Copper, zinc","2030-10-01 08:00:00","Ada","ada@example.org","AE;\'=1","confirmed",'
    '"2030-09-01 12:00:00","","","","Researcher","yes"\r\n'
    '"Copper, zinc","2030-10-01 08:00:00","Zoë","z@example.org","","cancelled",'
    '"2030-09-01 12:00:00","2030-09-01 12:00:00","","2030-09-01 12:00:00","",""\r\n'
)


def test_the_streamed_file_is_the_file_it_was(selection):
    response = registrations_csv(Registration.objects.all(), filename="r.csv")

    assert b"".join(response).decode("utf-8") == EXPECTED
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert isinstance(response, StreamingHttpResponse)


def test_for_excel_and_in_the_webinars_zone(selection, admin_client):
    response = admin_client.get(
        reverse("admin:webinars_webinar_registrations_csv", args=[selection.pk]),
        {"sep": "semicolon"},
    )

    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert lines[0].startswith('\ufeff"webinar";"webinar start (Europe/Brussels)";"name"')
    assert lines[1].startswith('"Copper, zinc";"2030-10-01 10:00:00";"Ada"')


def test_the_list_action_streams_the_selection(selection, admin_client):
    response = admin_client.post(
        reverse("admin:webinars_registration_changelist"),
        {"action": "export_csv", "select_across": "1", "_selected_action": ["0"]},
    )

    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content).decode("utf-8") == EXPECTED


def queries_for(count: int) -> int:
    webinar = make_webinar(title=f"W{count}", series=make_series())
    question = Question.objects.create(webinar=webinar, label="Role", kind="short_text")
    rows = Registration.objects.bulk_create(
        Registration(webinar=webinar, name=f"R{n}", email=f"r{n}@example.org") for n in range(count)
    )
    Answer.objects.bulk_create(Answer(registration=r, question=question, value="x") for r in rows)
    with CaptureQueriesContext(connection) as captured:
        body = b"".join(registrations_csv(webinar.registrations.all(), filename="r.csv"))
    assert body.count(b"\r\n") == count + 1
    return len(captured)


def test_queries_do_not_grow_with_the_rows_beyond_one_per_chunk(db, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 25)

    # The questions, the rows (read in chunks by one cursor), the answers of each chunk.
    assert queries_for(20) == 1 + 1 + 1
    assert queries_for(100) == 1 + 1 + 4

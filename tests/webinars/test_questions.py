"""Organisers' own questions on the registration forms: asked, checked, stored, shown."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_registration, make_series, make_webinar, webinar_admin_form
from tests.html import text_of
from webinars.models import Answer, Question, Registration
from webinars.services import registrations_purge


def ask(kind, label, *, required=False, options="", **where):
    return Question.objects.create(
        kind=kind, label=label, required=required, options=options, **where
    )


@pytest.fixture
def webinar(db):
    series = make_series(title="Mining", notify_email="team@example.org")
    webinar = make_webinar(title="Cobalt", series=series)
    questions = {
        "sector": ask(
            "choice",
            "Your sector",
            required=True,
            options="Industry\nAcademia\nNGO",
            series=series,
            order=1,
        ),
        "topics": ask(
            "choices",
            "Topics you care about",
            options="Mining\nRecycling",
            webinar=webinar,
        ),
        "question": ask("short_text", "A question for the speakers", webinar=webinar),
        "why": ask("long_text", "Why this webinar?", webinar=webinar),
        "photos": ask(
            "checkbox",
            "I agree to appear in photos",
            required=True,
            webinar=webinar,
        ),
    }
    webinar.questions_by_name = questions
    return webinar


def form_data(webinar, **answers):
    q = webinar.questions_by_name
    data = {
        "name": "Ada",
        "email": "ada@example.org",
        "consent": "on",
        f"question_{q['sector'].pk}": "Academia",
        f"question_{q['topics'].pk}": ["Mining", "Recycling"],
        f"question_{q['question'].pk}": "How much cobalt?",
        f"question_{q['why'].pk}": "Two lines\nof reasons",
        f"question_{q['photos'].pk}": "on",
    }
    for name, value in answers.items():
        key = f"question_{q[name].pk}"
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


def test_the_webinar_page_and_form_ask_the_series_and_webinar_questions(client, webinar):
    for url in (webinar.get_absolute_url(), f"/webinars/{webinar.slug}/register/"):
        page = text_of(client.get(url))
        assert "Your sector" in page
        assert "Topics you care about (optional)" in page
        assert "I agree to appear in photos" in page
        assert page.index("Your sector") < page.index("Topics you care about")


def test_answers_are_stored_and_reach_the_organisers_notice(client, webinar, flush_mail):
    response = client.post(f"/webinars/{webinar.slug}/register/", form_data(webinar))

    assert response.status_code == 302
    registration = Registration.objects.get()
    answers = {a.question.label: a.value for a in registration.answers.all()}
    assert answers == {
        "Your sector": "Academia",
        "Topics you care about": ["Mining", "Recycling"],
        "A question for the speakers": "How much cobalt?",
        "Why this webinar?": "Two lines\nof reasons",
        "I agree to appear in photos": True,
    }
    notice = next(m for m in flush_mail() if m.to == ["team@example.org"])
    assert "Your sector: Academia\n" in notice.body
    assert "Topics you care about: Mining; Recycling\n" in notice.body
    assert "I agree to appear in photos: yes\n" in notice.body


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"sector": None}, "Your sector: Please answer this question."),
        ({"sector": "Government"}, "Your sector: Choose one of the options listed."),
        ({"topics": ["Mining", "Smelting"]}, "Topics you care about: Choose one of the options"),
        ({"photos": None}, "I agree to appear in photos: Please tick this box to register."),
        (
            {"question": "x" * 201},
            "A question for the speakers: Please keep your answer to 200 characters (it has 201).",
        ),
        ({"why": "y" * 2001}, "Please keep your answer to 2000 characters (it has 2001)."),
        ({"question": "line\nbreak"}, "Please remove control characters"),
    ],
)
def test_bad_answers_get_a_clear_error_keep_what_was_typed_and_store_nothing(
    client, webinar, answers, error
):
    response = client.post(f"/webinars/{webinar.slug}/register/", form_data(webinar, **answers))

    assert response.status_code == 200
    assert error in text_of(response)
    html = response.content.decode()
    assert 'value="Ada"' in html
    typed = answers.get("why", "Two lines\nof reasons")
    assert f"{typed}</textarea>" in html
    assert Registration.objects.count() == Answer.objects.count() == 0


def test_a_series_question_is_asked_once_for_several_webinars(client, webinar, flush_mail):
    series = webinar.series
    others = [make_webinar(title=f"Part {n}", series=series) for n in (2, 3)]
    ask("short_text", "Dietary needs at the venue", required=True, webinar=others[0])
    url = f"/series/{series.slug}/register/"

    page = client.get(url)
    data = form_data(webinar)
    data["webinars"] = [webinar.pk, others[0].pk, others[1].pk]
    missing = client.post(url, data)
    data[f"question_{Question.objects.get(webinar=others[0]).pk}"] = "None"
    done = client.post(url, data)

    assert text_of(page).count("Your sector") == 1
    assert "Part 2: Dietary needs at the venue (optional)" in text_of(page)
    assert "Part 2: Dietary needs at the venue: Please answer this question." in text_of(missing)
    assert done.status_code == 302
    sector = webinar.questions_by_name["sector"]
    assert sorted(
        Answer.objects.filter(question=sector).values_list("registration__webinar__title", "value")
    ) == [("Cobalt", "Academia"), ("Part 2", "Academia"), ("Part 3", "Academia")]
    # A webinar's own question is stored with that webinar's registration only.
    assert list(
        Answer.objects.filter(question__webinar=others[0]).values_list(
            "registration__webinar__title", flat=True
        )
    ) == ["Part 2"]


def test_a_required_webinar_question_binds_only_when_its_webinar_is_chosen(client, webinar):
    series = webinar.series
    other = make_webinar(title="Part 2", series=series)
    data = form_data(webinar, photos=None)
    data["webinars"] = [other.pk]

    response = client.post(f"/series/{series.slug}/register/", data)

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.webinar == other
    assert [a.question.label for a in registration.answers.all()] == ["Your sector"]


def test_admin_shows_answers_and_exports_them_as_columns(admin_client, webinar):
    registration = make_registration(webinar, name="Ada")
    q = webinar.questions_by_name
    Answer.objects.create(registration=registration, question=q["sector"], value="=NGO")
    Answer.objects.create(registration=registration, question=q["topics"], value=["Mining"])
    make_registration(webinar, name="Bob")

    page = admin_client.get(reverse("admin:webinars_registration_change", args=[registration.pk]))
    export = admin_client.post(
        reverse("admin:webinars_registration_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(webinar.registrations.values_list("pk", flat=True)),
        },
    )

    assert "Your sector" in text_of(page)
    assert "=NGO" in text_of(page)
    rows = list(csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Your sector", "Topics you care about"]
    assert [row[2:3] + row[-2:] for row in rows[1:]] == [
        ["Ada", "'=NGO", "Mining"],
        ["Bob", "", ""],
    ]


def test_questions_are_added_in_the_webinar_admin_inline(admin_client, db):
    data = webinar_admin_form(
        **{
            "questions-TOTAL_FORMS": "2",
            "questions-0-label_en": "Your sector",
            "questions-0-kind": "choice",
            "questions-0-options": "Industry\nAcademia",
            "questions-0-required": "on",
            "questions-0-order": "0",
            "questions-1-label_en": "Anything else?",
            "questions-1-kind": "long_text",
            "questions-1-order": "1",
        }
    )

    response = admin_client.post(reverse("admin:webinars_webinar_add"), data)

    assert response.status_code == 302, text_of(response)[:2000]
    assert list(Question.objects.values_list("label", "kind", "required")) == [
        ("Your sector", "choice", True),
        ("Anything else?", "long_text", False),
    ]


def test_a_choice_question_needs_two_options(admin_client, db):
    data = webinar_admin_form(
        **{
            "questions-TOTAL_FORMS": "1",
            "questions-0-label_en": "Your sector",
            "questions-0-kind": "choice",
            "questions-0-options": "Only one",
            "questions-0-order": "0",
        }
    )

    response = admin_client.post(reverse("admin:webinars_webinar_add"), data)

    assert response.status_code == 200
    assert "Give at least two options, one a line." in text_of(response)
    assert not Question.objects.exists()


def test_purging_registrations_removes_their_answers(db, webinar):
    past = make_webinar(series=webinar.series, start=timezone.now() - timedelta(days=200))
    registration = make_registration(past)
    Answer.objects.create(
        registration=registration, question=webinar.questions_by_name["sector"], value="NGO"
    )

    registrations_purge(older_than_days=90)

    assert not Answer.objects.exists()


def test_a_series_question_is_added_in_the_series_admin_inline(organiser_client, db):
    series = make_series(title="Mining", slug="mining")
    data = {
        "title_en": "Mining",
        "slug": "mining",
        "description_en": "",
        "notify_email": "",
        "reminders": "",
        **{
            f"{prefix}-{field}": "0"
            for prefix in ("partners", "disclaimers", "questions", "webinars")
            for field in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
        "questions-TOTAL_FORMS": "1",
        "questions-0-label_en": "Your sector",
        "questions-0-kind": "choices",
        "questions-0-options": "Industry\nAcademia\n\nIndustry",
        "questions-0-order": "0",
    }

    response = organiser_client.post(reverse("admin:series_series_change", args=[series.pk]), data)

    assert response.status_code == 302, text_of(response)[:2000]
    question = Question.objects.get()
    assert (question.series, question.webinar) == (series, None)
    assert question.option_list == ["Industry", "Academia"]  # blank lines and repeats dropped

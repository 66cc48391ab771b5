"""Concurrent submissions through real threads never exceed capacity (SQLite and PostgreSQL)."""

import threading
from collections import Counter

from django.conf import settings
from django.db import connection
from django.test import Client

from tests.factories import make_webinar
from webinars.models import Registration

SUBMISSIONS = 40
CAPACITY = 10


def submit_concurrently(url: str, count: int) -> list:
    barrier = threading.Barrier(count)
    results = [None] * count

    def submit(n: int) -> None:
        try:
            client = Client(headers={"Origin": settings.SITE_URL})
            barrier.wait(timeout=30)
            response = client.post(
                url,
                {"name": f"Person {n}", "email": f"person{n}@example.org", "consent": "on"},
            )
            results[n] = response.status_code
        except Exception as error:  # noqa: BLE001 (reported in the assertion below)
            results[n] = repr(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_forty_simultaneous_submissions_fill_ten_seats_exactly(
    transactional_db, settings, flush_mail
):
    settings.REGISTRATION_RATE_LIMIT = 1000  # one test client address sends them all
    webinar = make_webinar(capacity=CAPACITY)

    results = submit_concurrently(f"/webinars/{webinar.slug}/register/", SUBMISSIONS)

    assert results == [302] * SUBMISSIONS
    counts = Counter(Registration.objects.filter(webinar=webinar).values_list("status", flat=True))
    assert counts == {"confirmed": CAPACITY, "waitlisted": SUBMISSIONS - CAPACITY}
    # Nobody's mail is lost: whatever was not sent right after commit goes out now.
    subjects = Counter(m.subject.split(":")[0] for m in flush_mail())
    assert subjects == {"Registered": CAPACITY, "Waiting list": SUBMISSIONS - CAPACITY}

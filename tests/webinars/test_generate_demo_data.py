"""generate_demo_data: large, marked, idempotent data for benchmarks, apart from the seed."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils.html import escape

from series.models import Series
from webinars.models import Registration, Speaker, Webinar


def _generate(**sizes):
    args = [f"--{name}={value}" for name, value in sizes.items()]
    call_command("generate_demo_data", *args, verbosity=0)


def test_generates_the_asked_sizes_all_marked(db):
    _generate(series=3, webinars=30, registrations=500)

    assert Series.objects.count() == 3
    assert Webinar.objects.count() == 30
    assert Registration.objects.count() == 500
    assert not Series.objects.exclude(slug__startswith="generated-").exists()
    assert not Webinar.objects.exclude(slug__startswith="generated-").exists()
    assert not Speaker.objects.exclude(slug__startswith="generated-").exists()
    assert not Registration.objects.exclude(email__endswith="@generated.invalid").exists()
    assert {p.organisation.name for s in Series.objects.all() for p in s.partners.all()} == {
        "Generated demo data"
    }


def test_generated_webinars_are_realistic_and_never_overbooked(db):
    _generate(series=2, webinars=40, registrations=3000)

    webinars = Webinar.objects.all()
    assert webinars.upcoming().exists() and webinars.past().exists()
    assert len({w.time_zone for w in webinars}) > 3
    assert all(w.webinar_speakers.filter(role="moderator").count() == 1 for w in webinars)
    overbooked = (
        Webinar.objects.filter(capacity__isnull=False)
        .annotate(n=Count("registrations", filter=Q(registrations__status="confirmed")))
        .filter(n__gt=F("capacity"))
    )
    assert not overbooked.exists()
    for webinar in webinars:
        webinar.full_clean()


def test_running_twice_changes_nothing_and_other_sizes_replace(db):
    _generate(series=2, webinars=10, registrations=100)
    first = list(Webinar.objects.order_by("slug").values_list("slug", "title", "start"))

    _generate(series=2, webinars=10, registrations=100)
    second = list(Webinar.objects.order_by("slug").values_list("slug", "title", "start"))
    _generate(series=1, webinars=5, registrations=7)

    assert second == first
    assert (Series.objects.count(), Webinar.objects.count(), Registration.objects.count()) == (
        1,
        5,
        7,
    )


def test_never_touches_the_seed_and_delete_removes_only_generated_rows(seed):
    seed_webinars = set(Webinar.objects.values_list("slug", flat=True))

    _generate(series=2, webinars=10, registrations=50)
    call_command("generate_demo_data", "--delete", verbosity=0)

    assert set(Webinar.objects.values_list("slug", flat=True)) == seed_webinars
    assert not Speaker.objects.filter(slug__startswith="generated-").exists()


def test_generated_pages_render(client, db):
    _generate(series=2, webinars=12, registrations=60)
    webinar = Webinar.objects.order_by("slug").first()

    assert client.get("/").status_code == 200
    assert escape(webinar.title) in client.get(webinar.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "sizes",
    [{"series": 0}, {"webinars": -1}, {"webinars": 0, "registrations": 5}],
)
def test_bad_sizes_are_a_clear_error(db, sizes):
    with pytest.raises(CommandError):
        _generate(**sizes)


def test_planner_statistics_are_fresh_after_the_load(db):
    # Measured right after loading, the pages must not be planned for empty tables.
    from django.db import connection

    _generate(series=2, webinars=20, registrations=200)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'webinars_registration'")
            assert cursor.fetchone()[0] == 200
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'webinars_registration'")
            assert any(row[0].split()[0] == "200" for row in cursor.fetchall())

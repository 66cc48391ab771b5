"""Generate a large, realistic, clearly marked data set for benchmarks and load tests.

    python manage.py generate_demo_data --series 50 --webinars 2000 --registrations 100000

Everything it creates is marked: slugs start with `generated-`, registrants' addresses end in
`@generated.invalid` and every series is run by the organisation "Generated demo data". It never
touches the seed or `load_demo` content. Idempotent: when the marked rows already have the asked
sizes it does nothing; otherwise it replaces them (deterministically, from a fixed random seed).
`--delete` removes them. Rows are written with bulk inserts, so 100,000 registrations take seconds.
"""

import random
import zoneinfo
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from series.models import FundingDisclaimer, Organisation, Series, SeriesOrganisation
from webinars.cache import content_changed
from webinars.models import Registration, Speaker, Webinar, WebinarSpeaker

PREFIX = "generated-"
EMAIL_DOMAIN = "generated.invalid"
MARKER_ORGANISATION = "Generated demo data"
BATCH = 5000

TOPICS = [
    "Responsible sourcing of cobalt",
    "Conflict minerals due diligence",
    "Circular electronics",
    "Repairability and the right to repair",
    "E-waste collection in cities",
    "Traceability with digital product passports",
    "Worker voice in electronics factories",
    "Artisanal and small-scale mining",
    "Critical raw materials policy",
    "Public procurement of sustainable IT",
    "Carbon footprint of data centres",
    "Battery recycling at scale",
    "Human rights impact assessments",
    "Supplier codes of conduct that work",
    "Water use in semiconductor fabs",
    "Grievance mechanisms",
    "Lithium from brine and hard rock",
    "Refurbished devices for schools",
    "Chemical safety on the assembly line",
    "Living wages in the supply chain",
]
ANGLES = [
    "what the evidence says",
    "lessons from the field",
    "a practitioners' panel",
    "policy and practice",
    "from commitments to results",
    "tools for buyers",
    "the view from producing countries",
    "research in progress",
]
SERIES_THEMES = [
    "Responsible Supply Chains",
    "Sustainable Digital Futures",
    "Materials and Society",
    "Fair Electronics",
    "Circular Economy Lab",
    "Mining and Communities",
    "Green Public Procurement",
    "Tech and Human Rights",
]
FIRST_NAMES = [
    "Amina", "Bram", "Chen", "Dolores", "Elif", "Femi", "Greta", "Hiroshi", "Ines", "Jonas",
    "Kavya", "Lars", "Mariana", "Nadia", "Olu", "Pieter", "Qing", "Rosa", "Sami", "Tomasz",
    "Ursula", "Vikram", "Wanjiru", "Xavier", "Yara", "Zeynep",
]  # fmt: skip
LAST_NAMES = [
    "Achterberg", "Banda", "Castillo", "De Smet", "Eriksen", "Fofana", "García", "Hoffmann",
    "Ivanova", "Janssens", "Kowalski", "Lindqvist", "Mwangi", "Nakamura", "Okafor", "Peeters",
    "Quispe", "Rossi", "Santos", "Tanaka", "Uddin", "Van Damme", "Wouters", "Yilmaz", "Zhou",
]  # fmt: skip
AFFILIATIONS = [
    "KU Leuven", "Ghent University", "TU Delft", "University of Nairobi", "Fraunhofer IZM",
    "Öko-Institut", "SOMO", "Electronics Watch", "European Commission", "OECD",
    "University of Lubumbashi", "Universidad de Chile", "Tsinghua University", "IPIS",
]  # fmt: skip
TIME_ZONES = [
    "Europe/Brussels", "Europe/Brussels", "Europe/Brussels", "Europe/London", "Europe/Berlin",
    "America/New_York", "America/Santiago", "Africa/Nairobi", "Africa/Lubumbashi",
    "Asia/Shanghai", "Asia/Kolkata", "Australia/Sydney",
]  # fmt: skip
CAPACITIES = [None, None, 50, 100, 100, 200, 300, 500, 1000]
START_HOURS = [9, 10, 11, 14, 15, 16]
DURATIONS = [60, 90, 90, 120]


class Command(BaseCommand):
    help = "Generate marked demo data in bulk: --series N --webinars M --registrations K."

    def add_arguments(self, parser):
        parser.add_argument("--series", type=int, default=50)
        parser.add_argument("--webinars", type=int, default=2000)
        parser.add_argument("--registrations", type=int, default=100_000)
        parser.add_argument("--delete", action="store_true", help="Only remove generated rows.")

    def handle(self, *args, series, webinars, registrations, delete, **options):
        if delete:
            with transaction.atomic():
                _delete_generated()
            content_changed()
            self.stdout.write("Generated demo data deleted.")
            return
        if series < 1 or webinars < 0 or registrations < 0:
            raise CommandError("--series must be at least 1; the other counts at least 0.")
        if registrations and not webinars:
            raise CommandError("Registrations need at least one webinar.")
        if _generated_sizes() == (series, webinars, registrations):
            self.stdout.write("Generated demo data already has these sizes; nothing to do.")
            return
        with transaction.atomic():
            _delete_generated()
            made = _generate(series, webinars, registrations)
        _analyze()
        content_changed()
        self.stdout.write(
            f"Generated {made[0]} series, {made[1]} webinars, {made[2]} speakers and "
            f"{made[3]} registrations (marked '{PREFIX}')."
        )


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would a minute later.

    Without them PostgreSQL plans for the empty tables it last saw (a registration count for a
    page of webinars read all 100,000 rows: 20 ms instead of 1 ms), and SQLite has none at all.
    """
    tables = [
        model._meta.db_table for model in (Series, Webinar, Speaker, WebinarSpeaker, Registration)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _generated_sizes() -> tuple[int, int, int]:
    return (
        Series.objects.filter(slug__startswith=PREFIX).count(),
        Webinar.objects.filter(slug__startswith=PREFIX).count(),
        Registration.objects.filter(webinar__slug__startswith=PREFIX).count(),
    )


def _delete_generated() -> None:
    generated = Webinar.objects.filter(slug__startswith=PREFIX)
    Registration.objects.filter(webinar__in=generated).delete()
    WebinarSpeaker.objects.filter(webinar__in=generated).delete()
    generated.delete()
    Speaker.objects.filter(slug__startswith=PREFIX).delete()
    Series.objects.filter(slug__startswith=PREFIX).delete()  # cascades partners and disclaimers
    Organisation.objects.filter(name=MARKER_ORGANISATION).delete()


def _generate(n_series: int, n_webinars: int, n_registrations: int) -> tuple[int, int, int, int]:
    rng = random.Random(20201001)  # noqa: S311 (fixed seed: the same arguments, the same data)
    marker = Organisation.objects.create(name=MARKER_ORGANISATION)

    series_rows = Series.objects.bulk_create(
        Series(
            title=f"{SERIES_THEMES[i % len(SERIES_THEMES)]} {2024 + i // len(SERIES_THEMES)}"
            f" (generated {i + 1})",
            slug=f"{PREFIX}series-{i + 1}",
            description=(
                "**Generated demo data** for benchmarks and load tests "
                "(`manage.py generate_demo_data`); not a real event."
            ),
        )
        for i in range(n_series)
    )
    SeriesOrganisation.objects.bulk_create(
        SeriesOrganisation(series=s, organisation=marker, role=SeriesOrganisation.Role.ORGANISER)
        for s in series_rows
    )
    FundingDisclaimer.objects.bulk_create(
        FundingDisclaimer(
            series=s,
            funder="Nobody (generated)",
            text="Generated demo data: this series has no funder.",
        )
        for s in series_rows
    )

    n_speakers = max(10, n_webinars // 4)
    speakers = Speaker.objects.bulk_create(
        Speaker(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            slug=f"{PREFIX}speaker-{i + 1}",
            affiliation=rng.choice(AFFILIATIONS),
            bio="A generated speaker profile.",
        )
        for i in range(n_speakers)
    )

    # Webinars spread from about a year ago to about a year ahead, a few a week.
    today = timezone.localdate()
    first_day = today - timedelta(days=365)
    span_days = 730
    webinar_rows = []
    numbers: dict[int, int] = {}
    for i in range(n_webinars):
        series = series_rows[i % n_series]
        numbers[series.pk] = numbers.get(series.pk, 0) + 1
        tz_name = rng.choice(TIME_ZONES)
        day = first_day + timedelta(days=(i * span_days) // max(1, n_webinars))
        start = datetime.combine(day, time(rng.choice(START_HOURS)), zoneinfo.ZoneInfo(tz_name))
        webinar_rows.append(
            Webinar(
                series=series,
                number=numbers[series.pk],
                title=f"{rng.choice(TOPICS)}: {rng.choice(ANGLES)}",
                slug=f"{PREFIX}webinar-{i + 1}",
                description=(
                    "Generated demo webinar. **Speakers** present their work, then take "
                    "questions from the audience.\n\nOnline; details are sent on registration."
                ),
                start=start,
                end=start + timedelta(minutes=rng.choice(DURATIONS)),
                time_zone=tz_name,
                capacity=rng.choice(CAPACITIES),
                status=Webinar.Status.CANCELLED
                if rng.random() < 0.03
                else Webinar.Status.SCHEDULED,
                location="" if rng.random() < 0.85 else "Aula Magna, Leuven",
                join_url=f"https://meet.example.org/generated-{i + 1}",
            )
        )
    webinar_rows = Webinar.objects.bulk_create(webinar_rows, batch_size=BATCH)

    links = []
    for webinar in webinar_rows:
        chosen = rng.sample(speakers, k=min(len(speakers), rng.choice([2, 3, 3, 4])))
        for order, speaker in enumerate(chosen):
            role = WebinarSpeaker.Role.MODERATOR if order == 0 else WebinarSpeaker.Role.SPEAKER
            links.append(WebinarSpeaker(webinar=webinar, speaker=speaker, role=role, order=order))
    WebinarSpeaker.objects.bulk_create(links, batch_size=BATCH)

    made = _generate_registrations(rng, webinar_rows, n_registrations)
    return len(series_rows), len(webinar_rows), len(speakers), made


def _generate_registrations(rng: random.Random, webinars: list[Webinar], total: int) -> int:
    """Spread registrations over the webinars; confirmed up to capacity, then the waiting list."""
    if not webinars or not total:
        return 0
    weights = [rng.random() ** 2 for _ in webinars]  # a few popular webinars, many quiet ones
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    now = timezone.now()
    made = 0
    batch: list[Registration] = []
    for webinar, count in zip(webinars, counts, strict=True):
        created = min(webinar.start, now) - timedelta(days=30)
        for n in range(count):
            if webinar.capacity is not None and n >= webinar.capacity:
                status = Registration.Status.WAITLISTED
            else:
                status = (
                    Registration.Status.CANCELLED
                    if rng.random() < 0.05
                    else Registration.Status.CONFIRMED
                )
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            batch.append(
                Registration(
                    webinar=webinar,
                    name=f"{first} {last}",
                    email=f"{first.lower()}.{webinar.pk}.{n}@{EMAIL_DOMAIN}",
                    organisation=rng.choice(AFFILIATIONS),
                    status=status,
                    consent_at=created,
                    created=created + timedelta(seconds=n),
                )
            )
        if len(batch) >= BATCH:
            Registration.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        Registration.objects.bulk_create(batch)
        made += len(batch)
    return made

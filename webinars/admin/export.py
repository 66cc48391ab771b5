"""Registrations as a CSV file that spreadsheets open safely, with "," or (for Excel set to Dutch
or Belgian regional settings, whose list separator is ";") with ";" between cells."""

import csv
import re
from datetime import UTC

from django.contrib import admin
from django.db import models
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from webinars.models import (
    Answer,
    Question,
)

# Cells a spreadsheet would run as a formula start with one of these; a leading quote
# makes them text (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet that splits on ";" or "|" (a European Excel) or ignores the quotes starts a new
# cell after a separator: what follows one gets the quote too.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n]\s*)(?=[=+\-@])")


def csv_safe(value) -> str:
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", "" if value is None else str(value))
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


def _utc(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else ""


CSV_HEADER = [
    "webinar",
    "webinar start (UTC)",
    "name",
    "email",
    "organisation",
    "status",
    "registered at (UTC)",
    "consent at (UTC)",
    "promoted at (UTC)",
    "cancelled at (UTC)",
]


@admin.action(description=_("Export selected registrations as CSV"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    return registrations_csv(queryset, filename="registrations.csv")


@admin.action(
    description=_("Export selected registrations for Excel with ; between cells"),
    permissions=["view"],
)
def export_csv_semicolon(modeladmin, request, queryset):
    return registrations_csv(queryset, filename="registrations-excel.csv", delimiter=";")


def registrations_csv(queryset, *, filename: str, tz=None, delimiter: str = ",") -> HttpResponse:
    """The registrations as a CSV download; times in UTC, or in the zone tz (a webinar's own).

    No "sep=;" line: Excel then ignores the BOM and misreads accented names; a ";" file opens in
    columns by double-click where ";" is the regional list separator."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # the BOM makes Excel read UTF-8 names correctly
    # Every cell quoted: a separator inside one never splits it, whichever the reader uses.
    writer = csv.writer(response, quoting=csv.QUOTE_ALL, delimiter=delimiter)
    # One column per question answered in the selection, series questions first.
    questions = list(
        Question.objects.filter(answers__registration__in=queryset.values("pk"))
        .distinct()
        .order_by(models.F("series_id").asc(nulls_last=True), "order", "pk")
    )
    header = CSV_HEADER
    if tz is not None:
        header = [h.replace("(UTC)", f"({tz.key})") for h in CSV_HEADER]
    writer.writerow([*header, *(csv_safe(q.label) for q in questions)])
    rows = (
        queryset.select_related("webinar")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by()))
        .order_by("webinar__start", "created", "pk")
    )

    def moment(value) -> str:
        return (
            _utc(value) if tz is None or not value else f"{value.astimezone(tz):%Y-%m-%d %H:%M:%S}"
        )

    for r in rows:
        answers = {a.question_id: a.text for a in r.answers.all()}
        writer.writerow(
            [
                csv_safe(r.webinar.title),
                moment(r.webinar.start),
                csv_safe(r.name),
                csv_safe(r.email),
                csv_safe(r.organisation),
                r.status,
                moment(r.created),
                moment(r.consent_at),
                moment(r.promoted_at),
                moment(r.cancelled_at),
                *(csv_safe(answers.get(q.pk, "")) for q in questions),
            ]
        )
    return response

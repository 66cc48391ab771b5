"""Registrations as a CSV file that spreadsheets open safely, with "," or (for Excel set to Dutch
or Belgian regional settings, whose list separator is ";") with ";" between cells."""

import csv
import re
from datetime import UTC

from django.contrib import admin
from django.db import models
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from webinars.models import Answer, Question, answer_text

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


# Rows read from the database at a time, and written to the client at a time: memory stays flat
# whatever the selection, and the first bytes leave before the last row is read.
CHUNK_ROWS = 2000


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def csv_stream(filename: str, header: list[str], rows, **writer_options) -> StreamingHttpResponse:
    """A CSV download streamed as it is produced: the BOM (Excel then reads UTF-8 names
    correctly) and the header at once, then CHUNK_ROWS rows per piece from the rows iterable.
    Produced in the language and time zone active now, which the server may have left by the
    time the last piece goes out."""
    language = translation.get_language()
    writer = csv.writer(_Line(), **writer_options)

    def pieces():
        yield "\ufeff" + writer.writerow(header)
        with translation.override(language):
            buffer = []
            for row in rows:
                buffer.append(writer.writerow(row))
                if len(buffer) >= CHUNK_ROWS:
                    yield "".join(buffer)
                    buffer = []
            if buffer:
                yield "".join(buffer)

    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in pieces()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


ROW_FIELDS = (
    "pk",
    "webinar__title",
    "webinar__start",
    "name",
    "email",
    "organisation",
    "status",
    "created",
    "consent_at",
    "promoted_at",
    "cancelled_at",
)


def registrations_csv(
    queryset, *, filename: str, tz=None, delimiter: str = ","
) -> StreamingHttpResponse:
    """The registrations as a streamed CSV download; times in UTC, or in the zone tz (a
    webinar's own).

    The selection is read as a subquery of the queryset (never a list of its ids) and as plain
    values, CHUNK_ROWS at a time, with the answers of each chunk in one query.
    No "sep=;" line: Excel then ignores the BOM and misreads accented names; a ";" file opens in
    columns by double-click where ";" is the regional list separator."""
    # One column per question answered in the selection, series questions first.
    questions = list(
        Question.objects.filter(answers__registration__in=queryset.values("pk"))
        .distinct()
        .order_by(models.F("series_id").asc(nulls_last=True), "order", "pk")
        .values_list("pk", "label")
    )
    header = CSV_HEADER
    if tz is not None:
        header = [h.replace("(UTC)", f"({tz.key})") for h in CSV_HEADER]
    header = [*header, *(csv_safe(label) for _pk, label in questions)]
    rows = (
        queryset.order_by("webinar__start", "created", "pk")
        .values_list(*ROW_FIELDS)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    # Every cell quoted: a separator inside one never splits it, whichever the reader uses.
    return csv_stream(
        filename,
        header,
        _registration_rows(rows, [pk for pk, _label in questions], tz),
        quoting=csv.QUOTE_ALL,
        delimiter=delimiter,
    )


def _registration_rows(rows, question_ids: list[int], tz):
    def moment(value) -> str:
        if tz is None or not value:
            return _utc(value)
        return f"{value.astimezone(tz):%Y-%m-%d %H:%M:%S}"

    for chunk in _chunks(rows):
        answers = _answers(chunk, question_ids)
        for pk, title, start, name, email, organisation, status, *moments in chunk:
            own = answers.get(pk, {})
            yield [
                csv_safe(title),
                moment(start),
                csv_safe(name),
                csv_safe(email),
                csv_safe(organisation),
                status,
                *(moment(value) for value in moments),
                *(csv_safe(own.get(question, "")) for question in question_ids),
            ]


def _chunks(rows):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _answers(chunk: list, question_ids: list[int]) -> dict[int, dict[int, str]]:
    """{registration pk: {question pk: answer text}} for a chunk of rows, in one query."""
    if not question_ids:
        return {}
    found: dict[int, dict[int, str]] = {}
    rows = Answer.objects.filter(registration_id__in=[row[0] for row in chunk]).order_by()
    for registration, question, value in rows.values_list(
        "registration_id", "question_id", "value"
    ):
        found.setdefault(registration, {})[question] = answer_text(value)
    return found

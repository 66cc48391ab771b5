"""Reading attendance reports (CSV as Zoom, Teams, BigBlueButton and Jitsi export them).

Those files differ in encoding (UTF-8 with or without BOM, UTF-16 from Teams, Windows-1252),
separator (comma, semicolon, tab) and preamble lines before the header. What they share is a
column of email addresses, found by its header. Nothing here writes: `match()` says which
registrations a report names, for the organiser to check before anything is saved.
"""

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from webinars.models import Registration, Webinar

ENCODINGS = ("utf-8-sig", "utf-16", "cp1252")
MAX_ROWS = 20_000
# Registration ids are the database's bigint: anything above cannot name one, and SQLite and
# PostgreSQL both fail on it rather than find nothing.
MAX_ID = 2**63 - 1


class ReportError(ValueError):
    """A report that cannot be read; the message says why, for the organiser."""


@dataclass
class Match:
    column: str
    matched: list[Registration] = field(default_factory=list)
    already: list[Registration] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    rows: int = 0


def _text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ENCODINGS:
        if encoding == "utf-16":
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportError(
        _("The file is not text in a known encoding (UTF-8, UTF-16 or Windows-1252).")
    )


def _is_email_header(name: str) -> bool:
    name = name.strip().lower().replace("-", "")
    return "email" in name or name in {"mail", "emailaddress"}


def read_addresses(data: bytes, column: str = "") -> tuple[str, list[str]]:
    """(the email column's header, its addresses lower-cased, each once) from a CSV report."""
    text = _text(data)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(reader)
    except csv.Error:
        # A cell over csv's size limit (128 KB), or quoting the dialect cannot end.
        raise ReportError(
            _("Line %(line)d of the file cannot be read as CSV: is it an attendance report?")
            % {"line": reader.line_num}
        ) from None
    if len(rows) > MAX_ROWS:
        raise ReportError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
    wanted = column.strip().lower()
    # Reports hold several tables (a meeting summary, then the participants), each under its
    # own header row: every table with an email column counts.
    header, index, addresses = None, None, []
    for row in rows:
        names = [cell.strip() for cell in row]
        if wanted:
            found = next((i for i, n in enumerate(names) if n.lower() == wanted), None)
        else:
            found = next((i for i, n in enumerate(names) if _is_email_header(n)), None)
        if found is not None:
            header, index = header or names[found], found
            continue
        if index is not None and index < len(row) and "@" in row[index]:
            address = row[index].strip().lower()
            if address not in addresses:
                addresses.append(address)
    if header is not None:
        return header, addresses
    if wanted:
        raise ReportError(_("No column is headed “%(column)s”.") % {"column": column.strip()})
    raise ReportError(
        _("No column of email addresses was found: its header should name it, e.g. “User Email”.")
    )


def registration_ids(values: list[str]) -> tuple[set[int], list[str]]:
    """(the ids among `values`, the values that cannot be a registration's id).

    Only ASCII digits count: str.isdigit() also takes "²" and other scripts' digits, which int()
    refuses or reads as a number nobody typed.
    """
    ids, refused = set(), []
    for value in values:
        value = value.strip()
        if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID:
            ids.add(int(value))
        else:
            refused.append(value)
    return ids, refused


def refused_message(refused: list[str]) -> str:
    return _("Ignored what names no registration: %(values)s.") % {
        "values": ", ".join(f"“{value[:40]}”" for value in refused[:5])
    }


def match(webinar: Webinar, data: bytes, column: str = "") -> Match:
    header, addresses = read_addresses(data, column)
    result = Match(column=header, rows=len(addresses))
    by_address = {
        r.email.lower(): r
        for r in webinar.registrations.confirmed().filter(anonymised_at__isnull=True)
    }
    for address in addresses:
        registration = by_address.get(address)
        if registration is None:
            result.unmatched.append(address)
        elif registration.attended_at:
            result.already.append(registration)
        else:
            result.matched.append(registration)
    return result

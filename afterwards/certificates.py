"""Certificates of attendance as PDF (fpdf2), in the webinar's own time zone.

DejaVu Sans is bundled (fonts/, its licence beside it) so every name prints, whatever its
script, without depending on the server's fonts.
"""

from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

from webinars.models import Registration
from webinars.rules import phase

FONTS = Path(__file__).resolve().parent / "fonts"


def can_have_certificate(registration: Registration, now) -> bool:
    webinar = registration.webinar
    return bool(
        webinar.series
        and webinar.series.certificates
        and registration.status == Registration.Status.CONFIRMED
        and registration.attended_at
        and phase.is_over(webinar, now)
        and not webinar.is_cancelled
    )


def certificate_pdf(registration: Registration) -> bytes:
    webinar = registration.webinar
    start, end = webinar.local_start, webinar.local_end
    minutes = int((webinar.end - webinar.start).total_seconds() // 60)
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_("Certificate of attendance"))
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.add_page()
    pdf.set_draw_color(31, 90, 133)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    pdf.set_y(40)

    def line(text: str, size: int, style: str = "", gap: float = 6) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(_("Certificate of attendance"), 30, "B", 14)
    line(_("This certifies that"), 14)
    line(registration.name, 26, "B")
    if registration.organisation:
        line(registration.organisation, 14)
    line(_("attended the webinar"), 14)
    title = webinar.title
    if webinar.number and webinar.series:
        title = _("%(series)s, webinar %(number)s: %(title)s") % {
            "series": webinar.series.title,
            "number": webinar.number,
            "title": webinar.title,
        }
    line(title, 18, "B")
    line(
        _("on %(date)s, %(start)s–%(end)s %(zone)s (%(minutes)d minutes)")
        % {
            "date": formats.date_format(start, "l j F Y"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "zone": end.tzname(),
            "minutes": minutes,
        },
        14,
    )
    return bytes(pdf.output())

"""'Add a run of webinars' on a series: a rule, a preview of every date, then drafts.

The form posts to itself: without `_confirm` it shows the preview under the form; the
"create" button carries a signature of what was previewed, so a run changed after its
preview is shown again instead of being created unseen.
"""

import hashlib
import string
import zoneinfo
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from series.models import Series
from webinars.admin.fields import DURATIONS, time_zone_field
from webinars.formatting import span
from webinars.models import Webinar
from webinars.rules import recurrence
from webinars.services import PlannedWebinar, next_number, webinar_run_create

PATTERN_FIELDS = frozenset({"series", "n", "date"})
TEMPLATE_CHOICES = 50


def _parse_dates(text: str) -> list[date]:
    found = []
    for part in text.replace(",", "\n").split():
        try:
            found.append(date.fromisoformat(part))
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a date: write each as YYYY-MM-DD."),
                params={"value": part[:40]},
                code="invalid",
            ) from None
    return found


class RunForm(forms.Form):
    first_date = forms.DateField(
        label=_("First date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("The same wall-clock time on every date, in the zone below."),
    )
    time_zone = time_zone_field()
    duration = forms.TypedChoiceField(label=_("Duration"), choices=DURATIONS, coerce=int)
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        choices=[
            (recurrence.WEEKLY, _("every week")),
            (recurrence.FORTNIGHTLY, _("every two weeks")),
            (recurrence.MONTHLY, _("every month, on the same weekday (e.g. the first Tuesday)")),
        ],
    )
    count = forms.IntegerField(
        label=_("How many webinars"),
        required=False,
        min_value=1,
        max_value=recurrence.MAX_RUN,
        help_text=_("Or give the last date below (at most %(max)d webinars).")
        % {"max": recurrence.MAX_RUN},
    )
    until = forms.DateField(
        label=_("Last date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    skip = forms.CharField(
        label=_("Dates to skip"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        help_text=_("One a line, as YYYY-MM-DD (holidays, for instance)."),
    )
    title_pattern = forms.CharField(
        label=_("Titles"),
        max_length=250,
        initial="{series} #{n}",
        help_text=_(
            "{series} is the series' title, {n} the webinar's number in it, {date} its date."
        ),
    )
    template = forms.ModelChoiceField(
        label=_("Copy from"),
        queryset=Webinar.objects.none(),
        required=False,
        empty_label=_("(nothing: bare drafts)"),
        help_text=_("Speakers, capacity, place, description and questions of this webinar."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for no limit, or for the copied webinar's own."),
    )

    def __init__(self, *args, series: Series, **kwargs):
        super().__init__(*args, **kwargs)
        self.series = series
        # The latest few only: a select of every webinar would grow with the series.
        latest = Webinar.objects.filter(series=series).order_by("-start", "-pk")
        ids = list(latest.values_list("pk", flat=True)[:TEMPLATE_CHOICES])
        self.fields["template"].queryset = Webinar.objects.filter(pk__in=ids).order_by("-start")

    def clean_skip(self):
        return _parse_dates(self.cleaned_data["skip"])

    def clean_title_pattern(self):
        pattern = self.cleaned_data["title_pattern"]
        try:
            names = {
                name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None
            }
        except ValueError:
            names = {"{"}
        try:
            pattern.format(series="", n=1, date="")
        except (ValueError, KeyError, IndexError):
            names.add("{")
        if names - PATTERN_FIELDS:
            raise forms.ValidationError(
                _("Use only {series}, {n} and {date} between braces."), code="invalid"
            )
        return pattern

    def clean(self):
        cleaned = super().clean()
        first, count, until = (cleaned.get(k) for k in ("first_date", "count", "until"))
        if first is None or "repeat" not in cleaned:
            return cleaned
        if not count and not until:
            self.add_error("count", _("Give how many webinars, or the last date."))
        elif until is not None and until < first:
            self.add_error("until", _("The last date comes before the first."))
        return cleaned

    def planned(self) -> list[PlannedWebinar]:
        """The webinars the rule makes, numbered after the series' last; form errors instead
        when a date has no such wall-clock time or nothing is left."""
        data = self.cleaned_data
        zone = zoneinfo.ZoneInfo(data["time_zone"])
        dates = recurrence.run_dates(
            data["first_date"],
            data["repeat"],
            count=data.get("count"),
            until=data.get("until"),
            skip=data["skip"],
        )
        if not dates:
            self.add_error(None, _("These settings give no date at all."))
            return []
        try:
            found = recurrence.occurrences(
                dates, data["start_time"], zone, timedelta(minutes=data["duration"])
            )
        except recurrence.SkippedTime as skipped:
            self.add_error(
                "start_time",
                _(
                    "%(time)s does not exist on %(date)s in %(zone)s: the clocks jump forward "
                    "that night. Choose another time or skip that date."
                )
                % {"time": f"{data['start_time']:%H:%M}", "date": skipped.day, "zone": zone.key},
            )
            return []
        number = next_number(self.series)
        return [
            PlannedWebinar(
                number=number + i,
                title=data["title_pattern"].format(
                    series=self.series.title, n=number + i, date=o.start.date().isoformat()
                )[:300],
                start=o.start,
                end=o.end,
            )
            for i, o in enumerate(found)
        ]


def _digest(planned: list[PlannedWebinar], form: RunForm) -> str:
    template = form.cleaned_data.get("template")
    shown = repr(
        (
            [(p.number, p.title, p.start.isoformat(), p.end.isoformat()) for p in planned],
            template.pk if template else None,
            form.cleaned_data.get("capacity"),
        )
    )
    return hashlib.sha256((settings.SECRET_KEY + shown).encode()).hexdigest()[:32]


def _offset(moment) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def run_view(model_admin, request, object_id):
    # The series admin holds only organised series: another one answers as a missing one.
    series = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    if not model_admin.admin_site.get_model_admin(Webinar).has_add_permission(request):
        raise PermissionDenied
    back = reverse("admin:series_series_change", args=[series.pk])
    planned, digest = [], ""
    if request.method == "POST":
        form = RunForm(request.POST, series=series)
        if form.is_valid():
            planned = form.planned()
        if planned:
            digest = _digest(planned, form)
            if "_confirm" in request.POST and request.POST.get("digest") == digest:
                made = webinar_run_create(
                    series=series,
                    planned=planned,
                    time_zone=form.cleaned_data["time_zone"],
                    template=form.cleaned_data.get("template"),
                    capacity=form.cleaned_data.get("capacity"),
                )
                model_admin.message_user(
                    request,
                    ngettext(
                        "%(count)d draft added to the series: check it, then publish it.",
                        "%(count)d drafts added to the series: check them, then publish them.",
                        len(made),
                    )
                    % {"count": len(made)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(back)
    else:
        last = series.webinars.order_by("-start", "-pk").only("time_zone").first()
        form = RunForm(
            series=series,
            initial={"time_zone": last.time_zone if last else settings.TIME_ZONE, "duration": 60},
        )
    rows = [{"plan": p, "when": span(p.start, p.end), "offset": _offset(p.start)} for p in planned]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": series,
        "title": _("Add a run of webinars to %(series)s") % {"series": series.title},
        "form": form,
        "rows": rows,
        "digest": digest,
        "changed": "_confirm" in request.POST and planned and request.POST.get("digest") != digest,
        "back": back,
    }
    return TemplateResponse(request, "admin/webinars/series_run.html", context)


def run_urls(model_admin) -> list:
    def view(request, object_id):
        return run_view(model_admin, request, object_id)

    return [
        path(
            "<int:object_id>/run/",
            model_admin.admin_site.admin_view(view),
            name="series_series_run",
        )
    ]

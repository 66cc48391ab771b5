"""The webinar's admin form: times read in the webinar's own zone, a closing time, a duration."""

from datetime import UTC, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.timezones import skipped_readings, wall_time_readings
from webinars.admin.fields import (
    DURATIONS,
    ActiveZoneDateTimeField,
)
from webinars.formatting import in_zone
from webinars.models import (
    Webinar,
)


class WebinarAdminForm(forms.ModelForm):
    OCCURRENCES = [
        ("", _("(only needed for a time that happens twice)")),
        ("first", _("the first one (before the clocks go back)")),
        ("second", _("the second one (after the clocks go back)")),
    ]
    # Every local time typed in the webinar's zone, each with its own "which one" choice.
    WALL_TIMES = ("start", "end", "registration_closes")
    start = ActiveZoneDateTimeField(
        label=_("start"), help_text=_("Entered and shown in the webinar's time zone below.")
    )
    start_occurrence = forms.ChoiceField(
        label=_("which start"), choices=OCCURRENCES, required=False
    )
    end = ActiveZoneDateTimeField(label=_("end"), required=False)
    end_occurrence = forms.ChoiceField(label=_("which end"), choices=OCCURRENCES, required=False)
    registration_closes = ActiveZoneDateTimeField(
        label=Webinar._meta.get_field("registration_closes").verbose_name,
        required=False,
        help_text=Webinar._meta.get_field("registration_closes").help_text,
    )
    registration_closes_occurrence = forms.ChoiceField(
        label=_("which closing time"), choices=OCCURRENCES, required=False
    )
    duration = forms.TypedChoiceField(
        label=_("Duration"),
        choices=[("", _("— or type the end below —")), *DURATIONS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Sets the end from the start; leave empty to type the end yourself."),
    )

    class Meta:
        model = Webinar
        fields = ["start", "end", "registration_closes"]  # the admin's fieldsets add the rest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An instant saved in a repeated hour comes back as the same wall time: pre-select the
        # occurrence it is, so saving again keeps it.
        for name in self.WALL_TIMES:
            value = getattr(self.instance, name, None)
            if value is not None:
                local = timezone.localtime(value)
                readings = wall_time_readings(local.replace(tzinfo=None, fold=0), local.tzinfo)
                if len(readings) == 2:
                    self.initial[f"{name}_occurrence"] = "second" if local.fold else "first"

    def clean(self):
        cleaned = super().clean()
        tz = timezone.get_current_timezone()
        for name in self.WALL_TIMES:
            wall = cleaned.get(name)
            if not isinstance(wall, datetime) or timezone.is_aware(wall):
                continue
            readings = wall_time_readings(wall, tz)
            occurrence = cleaned.get(f"{name}_occurrence")
            if len(readings) == 2 and occurrence:
                cleaned[name] = readings[0 if occurrence == "first" else 1].astimezone(tz)
                continue
            del cleaned[name]
            shown = f"{wall:%Y-%m-%d %H:%M}"
            if len(readings) == 2:
                message = _(
                    "%(time)s happens twice in %(zone)s (the clocks go back that night): "
                    "%(first)s or %(second)s. Choose which one below."
                ) % {
                    "time": shown,
                    "zone": tz.key,
                    "first": f"{in_zone(readings[0], tz)} ({readings[0]:%H:%M} UTC)",
                    "second": f"{in_zone(readings[1], tz)} ({readings[1]:%H:%M} UTC)",
                }
            else:
                earlier, later = skipped_readings(wall, tz)
                message = _(
                    "%(time)s does not exist in %(zone)s: the clocks jump forward that night. "
                    "Did you mean %(earlier)s or %(later)s?"
                ) % {
                    "time": shown,
                    "zone": tz.key,
                    "earlier": f"{in_zone(earlier, tz)} ({earlier:%H:%M} UTC)",
                    "later": f"{in_zone(later, tz)} ({later:%H:%M} UTC)",
                }
            self.add_error(name, message)
        start, minutes = cleaned.get("start"), cleaned.get("duration")
        if isinstance(start, datetime) and timezone.is_aware(start) and minutes:
            # Counted in UTC: a webinar across a DST change still lasts what was chosen.
            cleaned["end"] = (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(
                start.tzinfo
            )
        elif not cleaned.get("end") and "end" not in self.errors:
            self.add_error(
                "end",
                forms.ValidationError(_("Give the end, or pick a duration."), code="required"),
            )
        return cleaned

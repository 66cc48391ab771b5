"""Form fields admin shares: time zones, wall-clock times read in a webinar's zone, addresses."""

import re
from datetime import datetime

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.timezones import wall_time_readings
from webinars.addresses import sendable_address
from webinars.forms import AddressField
from webinars.models import (
    available_time_zones,
    default_time_zone,
)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones())]


def time_zone_field() -> forms.TypedChoiceField:
    """The zone as a list to pick from; an unknown name gets the model's own message."""
    return forms.TypedChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial=default_time_zone,
        help_text=_("Visitors see the times in this zone; the start and end are read in it."),
        error_messages={
            "invalid_choice": _(
                "%(value)s is not a known time zone; use a name like Europe/Brussels."
            )
        },
    )


DURATIONS = [
    (30, _("30 minutes")),
    (45, _("45 minutes")),
    (60, _("1 hour")),
    (90, _("1½ hours")),
    (120, _("2 hours")),
    (180, _("3 hours")),
]


class AddressListField(forms.CharField):
    """Several addresses, one a line (commas and semicolons also part them), each stored as
    mail will send it; the ones that cannot be are named in the error."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        value = super().clean(value)
        addresses, refused = [], []
        for typed in re.split(r"[\r\n,;]+", value or ""):
            typed = typed.strip()
            if not typed:
                continue
            try:
                addresses.append(sendable_address(typed))
            except forms.ValidationError:
                refused.append(typed)
        if refused:
            raise forms.ValidationError(
                _("These are not addresses mail can be sent to: %(addresses)s.")
                % {"addresses": ", ".join(refused)}
            )
        return "\n".join(dict.fromkeys(addresses))


class SendableAddressMixin:
    """Address fields stored as mail will be sent, refused with a clear error otherwise."""

    address_fields: tuple[str, ...] = ("email",)
    address_list_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.address_list_fields:
            return AddressListField(
                label=db_field.verbose_name.capitalize(),
                required=not db_field.blank,
                max_length=2000,
                help_text=db_field.help_text,
            )
        if db_field.name in self.address_fields:
            return AddressField(
                label=db_field.verbose_name.capitalize(),
                required=not db_field.blank,
                max_length=db_field.max_length,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class WebinarTimesMedia:
    # Django notes "You are N hours behind server time" beside each time it reads in the
    # server's zone; these forms read every time in the webinar's own zone, so it misleads.
    js = ["js/admin-own-zone.js"]
    css = {"all": ["css/admin-webinars.css"]}


class ActiveZoneDateTimeField(forms.SplitDateTimeField):
    """A date and time typed in the active zone (the webinar's own), kept as the naive wall
    time when it names no instant or two: WebinarAdminForm asks which one is meant instead of
    letting Django guess or refuse with a generic message."""

    widget = AdminSplitDateTime

    def compress(self, data_list):
        if not data_list or data_list[0] is None or data_list[1] is None:
            return super().compress(data_list)
        wall = datetime.combine(*data_list)
        if len(wall_time_readings(wall, timezone.get_current_timezone())) == 1:
            return super().compress(data_list)
        return wall

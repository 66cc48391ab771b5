"""Registration forms: one webinar, or several webinars of a series at once."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from webinars.formatting import when
from webinars.models import Registration, available_time_zones

# Common misspellings of the biggest mail providers' domains, and what was meant.
DOMAIN_TYPOS = {
    "gmial.com": "gmail.com",
    "gmai.com": "gmail.com",
    "gamil.com": "gmail.com",
    "gmal.com": "gmail.com",
    "gmail.co": "gmail.com",
    "gmail.con": "gmail.com",
    "gmail.cm": "gmail.com",
    "gnail.com": "gmail.com",
    "gmaill.com": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmal.com": "hotmail.com",
    "hotmail.con": "hotmail.com",
    "hotmail.co": "hotmail.com",
    "hotnail.com": "hotmail.com",
    "outlok.com": "outlook.com",
    "outloo.com": "outlook.com",
    "outlook.con": "outlook.com",
    "yaho.com": "yahoo.com",
    "yahooo.com": "yahoo.com",
    "yahoo.con": "yahoo.com",
    "iclod.com": "icloud.com",
    "icloud.con": "icloud.com",
    "protonmial.com": "protonmail.com",
}

# Bidirectional overrides can make a name display as something else in admin and in mail.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def suggest_domain(email: str) -> str | None:
    """The domain the visitor probably meant ("gmial.com" -> "gmail.com"), or None."""
    domain = email.rpartition("@")[2].strip().lower()
    return DOMAIN_TYPOS.get(domain)


def reject_control_characters(value: str) -> None:
    if any(unicodedata.category(c) == "Cc" for c in value) or _BIDI_CONTROLS.search(value):
        raise ValidationError(
            _("Please remove control characters such as tabs or line breaks."),
            code="control_characters",
        )


class RegistrationForm(forms.Form):
    """Name, email, organisation, consent; a honeypot that people never see."""

    name = forms.CharField(
        label=_("Name"),
        max_length=Registration._meta.get_field("name").max_length,
        validators=[reject_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Please enter your name.")},
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=Registration._meta.get_field("email").max_length,
        help_text=_("We send your registration details and calendar invitation here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address, like name@example.org."),
        },
    )
    organisation = forms.CharField(
        label=_("Organisation (optional)"),
        required=False,
        max_length=Registration._meta.get_field("organisation").max_length,
        validators=[reject_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the privacy notice"),
        error_messages={"required": _("Please agree to the privacy notice to register.")},
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # Filled by static/js/time-zone-field.js from the browser's own zone; empty without it.
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_time_zone(self):
        # A visitor cannot see or fix this field: a zone the server does not know (an old
        # browser's, or a forged one) is dropped rather than refused.
        value = self.cleaned_data["time_zone"].strip()
        return value if value in available_time_zones() else ""

    def clean_email(self):
        email = self.cleaned_data["email"]
        reject_control_characters(email)
        return email

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    @property
    def visible_person_fields(self):
        return [self[name] for name in ("name", "email", "organisation")]


class WebinarChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        number = f"Webinar {obj.number}: " if obj.number else ""
        return f"{number}{obj.title}, {when(obj)}"


class SeriesRegistrationForm(RegistrationForm):
    """The registration form plus one checkbox per webinar of the series open for registration."""

    webinars = WebinarChoiceField(
        label=_("Webinars"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one webinar."),
            "invalid_choice": _("Choose among the webinars listed."),
            "invalid_pk_value": _("Choose among the webinars listed."),
        },
    )

    field_order = ["webinars", "name", "email", "organisation", "consent", "website", "time_zone"]

    def __init__(self, *args, webinars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["webinars"].queryset = webinars

"""Registration forms: one webinar, or several webinars of a series at once."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from webinars.addresses import sendable_address
from webinars.formatting import when
from webinars.models import Question, Registration, available_time_zones

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
    # Cc: tabs, line feeds; Zl, Zp: the Unicode line and paragraph separators.
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value) or _BIDI_CONTROLS.search(
        value
    ):
        raise ValidationError(
            _("Please remove control characters such as tabs or line breaks."),
            code="control_characters",
        )


class ConsentCheckbox(forms.CheckboxInput):
    """Ticked only when the form says so: a browser sends "on" for the box, nothing otherwise.

    Django's checkbox takes any value but "false" as ticked, so "off", "0" or "no" from a
    script would be stored as consent.
    """

    def value_from_datadict(self, data, files, name):
        return data.get(name) == "on"


class AddressField(forms.EmailField):
    """An email field that stores the address as it will be sent (webinars.addresses)."""

    # sendable_address() checks more than Django's validator, with its own messages.
    default_validators = []

    def clean(self, value):
        value = super().clean(value)
        return sendable_address(value) if value else value


def reject_control_characters_but_lines(value: str) -> None:
    """For long answers: line breaks and tabs are fine, other control characters are not."""
    reject_control_characters(value.replace("\r", "").replace("\n", "").replace("\t", ""))


# Longest answers kept: a line, and a few paragraphs.
ANSWER_LIMITS = {Question.Kind.SHORT_TEXT: 200, Question.Kind.LONG_TEXT: 2000}
QUESTION_PREFIX = "question_"
TOO_LONG = _("Please keep your answer to %(limit_value)d characters (it has %(show_value)d).")


def question_field(question: Question, *, label: str, required: bool) -> forms.Field:
    """The form field that asks a question (organisers' questions, see Question.Kind)."""
    kind = question.kind
    common = {"label": label, "help_text": question.help_text, "required": required}
    if kind == Question.Kind.CHECKBOX:
        return forms.BooleanField(
            error_messages={"required": _("Please tick this box to register.")}, **common
        )
    messages = {"required": _("Please answer this question.")}
    if kind in ANSWER_LIMITS:
        long = kind == Question.Kind.LONG_TEXT
        return forms.CharField(
            max_length=ANSWER_LIMITS[kind],
            widget=forms.Textarea(attrs={"rows": 4}) if long else forms.TextInput,
            validators=[reject_control_characters_but_lines if long else reject_control_characters],
            error_messages={**messages, "max_length": TOO_LONG},
            **common,
        )
    messages["invalid_choice"] = _("Choose one of the options listed.")
    choices = [(option, option) for option in question.option_list]
    if kind == Question.Kind.CHOICES:
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={**messages, "required": _("Choose at least one option.")},
            **common,
        )
    return forms.ChoiceField(
        choices=choices, widget=forms.RadioSelect, error_messages=messages, **common
    )


class RegistrationForm(forms.Form):
    """Name, email, organisation, consent; a honeypot that people never see; the organisers'
    questions, if any (`questions`)."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"{QUESTION_PREFIX}{question.pk}"] = question_field(
                question, label=self.question_label(question), required=self.asks(question)
            )

    def question_label(self, question: Question) -> str:
        return question.label

    def asks(self, question: Question) -> bool:
        """Whether the question must be answered whatever else is chosen."""
        return question.required

    @property
    def question_fields(self):
        return [self[f"{QUESTION_PREFIX}{q.pk}"] for q in self.questions]

    def answers(self) -> dict[int, object]:
        """{question pk: the answer} for the registration service; unanswered ones left out."""
        found = {}
        for question in self.questions:
            name = f"{QUESTION_PREFIX}{question.pk}"
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if question.kind == Question.Kind.CHECKBOX:
                found[question.pk] = bool(value)
            elif value:
                found[question.pk] = value.strip() if isinstance(value, str) else list(value)
        return found

    name = forms.CharField(
        label=_("Name"),
        max_length=Registration._meta.get_field("name").max_length,
        validators=[reject_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Please enter your name.")},
    )
    email = AddressField(
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
        widget=ConsentCheckbox,
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

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    @property
    def visible_person_fields(self):
        return [self[name] for name in ("name", "email", "organisation")]


# Primary keys are 64-bit signed integers (BigAutoField): a larger number is no webinar, and
# SQLite cannot even compare with it.
MAX_PK = 2**63 - 1


class WebinarChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk).strip())
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= MAX_PK:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)

    def label_from_instance(self, obj):
        number = gettext("Webinar %(number)s:") % {"number": obj.number} if obj.number else ""
        title = f"{number} {obj.title}" if number else obj.title
        return pgettext("webinar choice", "%(title)s, %(when)s") % {
            "title": title,
            "when": when(obj),
        }


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

    def question_label(self, question: Question) -> str:
        # A webinar's own question says which webinar asks it; a series question is asked once.
        if question.webinar_id is None:
            return question.label
        webinar = question.webinar
        return f"{webinar.title}: {question.label}"

    def asks(self, question: Question) -> bool:
        # A webinar's own required question only binds when that webinar is chosen (clean).
        return question.required and question.webinar_id is None

    def clean(self):
        data = super().clean()
        chosen = {w.pk for w in data.get("webinars") or []}
        for question in self.questions:
            name = f"{QUESTION_PREFIX}{question.pk}"
            if question.webinar_id is None or name not in data:
                continue
            if question.webinar_id not in chosen:
                data.pop(name)  # not asked: nothing stored for a webinar not chosen
            elif question.required and not data[name]:
                self.add_error(name, self.fields[name].error_messages["required"])
        return data

from django import forms
from django.utils.translation import gettext_lazy as _

from following.models import Follower
from webinars.addresses import sendable_address, validate_sendable_address


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=Follower._meta.get_field("email").max_length,
        validators=[validate_sendable_address],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address, like name@example.org."),
        },
    )
    # Honeypot, as on the registration forms: hidden from people, filled in by naive bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_email(self):
        return sendable_address(self.cleaned_data["email"])

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

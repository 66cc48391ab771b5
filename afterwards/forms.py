from django import forms
from django.utils.translation import gettext_lazy as _

from afterwards.models import Feedback

RATINGS = [
    (5, _("5 – excellent")),
    (4, _("4 – good")),
    (3, _("3 – fair")),
    (2, _("2 – poor")),
    (1, _("1 – very poor")),
]


class FeedbackForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label=_("How was the webinar?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose a rating."),
            "invalid_choice": _("Please choose one of the ratings listed."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you want to tell the organisers? (optional)"),
        required=False,
        max_length=Feedback._meta.get_field("comment").max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    class Meta:
        model = Feedback
        fields = ["rating", "comment"]

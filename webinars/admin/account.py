"""Each staff member's own name and address, which organisers cannot edit through the users."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email"]
        help_texts = {"email": _("Tests of mail you write here are sent to this address.")}


def account_view(request):
    """The signed-in staff member's own account (admin.site.admin_view lets only staff in)."""
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your account is saved."))
        return HttpResponseRedirect(reverse("admin_account"))
    context = {
        **admin.site.each_context(request),
        "title": _("My account"),
        "form": form,
    }
    return TemplateResponse(request, "admin/account.html", context)

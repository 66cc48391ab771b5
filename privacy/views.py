"""The visitor's pages: ask for a link, read what is kept, download it, erase it.

No account and no cookie: the form is guarded like every public form (origin check, rate
limit per client network), and the data only by the mailed link, stored as a digest and valid
for an hour.
"""

from functools import wraps

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.protection import is_rate_limited, private_page, public_form, rate_limited_response
from privacy import services
from privacy.export import json_download
from privacy.forms import DataRequestForm
from privacy.selectors import kept_for


@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    """GET: the form; POST: record the request, then "check your inbox", whatever the address."""
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if is_rate_limited(request):
            return rate_limited_response(request)
        if form.is_valid():
            if not form.is_bot:
                services.data_request(
                    email=form.cleaned_data["email"], language=translation.get_language()
                )
            return redirect(reverse("privacy:sent"))
    return render(request, "privacy/ask.html", {"form": form})


@require_GET
def sent(request):
    return render(request, "privacy/sent.html")


@require_GET
def erased(request):
    return render(request, "privacy/erased.html")


def with_link(view):
    """The page of a mailed link: private, and a clear "does not work any more" page for a
    link that expired, was erased with its data, or was never made (404, the same for all)."""

    @wraps(view)
    def wrapped(request, token):
        link = services.link_for(token)
        if link is None:
            return render(request, "privacy/link_gone.html", status=404)
        return view(request, link, token)

    return private_page(wrapped)


@with_link
@require_GET
def data(request, link, token):
    kept = kept_for(link.email)
    services.link_opened(link=link, kept=kept)
    context = {
        "kept": kept,
        "token": token,
        "earlier": services.earlier_requests(link.email).filter(action="erasure"),
    }
    return render(request, "privacy/data.html", context)


@with_link
@require_GET
def download(request, link, token):
    return json_download(kept_for(link.email), "my-data.json")


@with_link
@public_form
@require_POST
def erase(request, link, token):
    """The first POST asks to be sure (a page of its own); the second, with confirm=yes, erases."""
    if request.POST.get("confirm") != "yes":
        return render(
            request, "privacy/erase_confirm.html", {"kept": kept_for(link.email), "token": token}
        )
    services.data_erase(email=link.email)
    return redirect(reverse("privacy:erased"))

"""Following a series: the form's answer, the confirmation and the unsubscribe pages."""

import hmac

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.protection import is_rate_limited, private_page, public_form, rate_limited_response
from following import services
from following.forms import FollowForm
from following.models import Follower
from series.models import Series
from webinars.selectors import webinars_visible_to


def _public_series_or_404(slug: str) -> Series:
    # A series with nothing published is not public, and cannot be followed either.
    visible = webinars_visible_to(staff=False).filter(series=OuterRef("pk"))
    return get_object_or_404(Series.objects.filter(Exists(visible)), slug=slug)


@public_form
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, slug):
    """GET: the form on a page of its own; POST: record the request, then "check your inbox".

    The answer is the same whether the address is new, known, already following or a bot's.
    """
    series = _public_series_or_404(slug)
    form = FollowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if is_rate_limited(request):
            return rate_limited_response(request)
        if form.is_valid():
            if not form.is_bot:
                services.follow_request(series=series, email=form.cleaned_data["email"])
            return redirect(reverse("following:sent", kwargs={"slug": slug}))
    return render(request, "following/follow.html", {"series": series, "form": form})


@require_GET
def follow_sent(request, slug):
    return render(request, "following/sent.html", {"series": _public_series_or_404(slug)})


def follower_for_token(token: str) -> Follower:
    follower = Follower.objects.select_related("series").filter(token=token).first()
    if follower is None or not hmac.compare_digest(follower.token, token):
        raise Http404("No such follower.")
    return follower


@private_page
@public_form
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET asks (a link scanner must not confirm on someone's behalf); POST confirms."""
    follower = follower_for_token(token)
    if request.method == "POST":
        services.follow_confirm(follower=follower)
        return render(request, "following/confirmed.html", {"follower": follower})
    return render(request, "following/confirm.html", {"follower": follower})


@private_page
# Mail providers send the one-click POST from their own servers, with no Origin of ours; the
# token is the authority, and unsubscribing twice is harmless.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    follower = follower_for_token(token)
    if request.method == "POST":
        services.follow_stop(follower=follower)
        return render(request, "following/unsubscribed.html", {"follower": follower})
    return render(request, "following/unsubscribe.html", {"follower": follower})

"""The admin index's dashboard: the next webinars with their seats and latest registrations."""

from django import template
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from webinars.formatting import when
from webinars.models import Webinar
from webinars.selectors import admin_dashboard_webinars

register = template.Library()


@register.inclusion_tag("admin/webinars/_dashboard.html", takes_context=True)
def webinar_dashboard(context):
    # The webinars' admin says who may see which: every series, the user's own, or none.
    request = context["request"]
    webinars = admin.site.get_model_admin(Webinar)
    if not webinars.has_view_permission(request):
        return {"shown": False}
    rows = [
        {
            "webinar": webinar,
            # Each in its own zone: organisers read the time where the webinar happens.
            "when": when(webinar),
            "change_url": reverse("admin:webinars_webinar_change", args=[webinar.pk]),
            "registrations_url": reverse("admin:webinars_registration_changelist")
            + f"?webinar__id__exact={webinar.pk}",
        }
        for webinar in admin_dashboard_webinars(now=timezone.now(), scope=webinars.scope_q(request))
    ]
    return {
        "shown": True,
        "rows": rows,
        "add_url": webinars.has_add_permission(request) and reverse("admin:webinars_webinar_add"),
    }

"""The admin index's dashboard: the next webinars with their seats and latest registrations."""

from django import template
from django.urls import reverse
from django.utils import timezone

from webinars.formatting import when
from webinars.selectors import admin_dashboard_webinars

register = template.Library()


@register.inclusion_tag("admin/webinars/_dashboard.html", takes_context=True)
def webinar_dashboard(context):
    rows = [
        {
            "webinar": webinar,
            # Each in its own zone: organisers read the time where the webinar happens.
            "when": when(webinar),
            "change_url": reverse("admin:webinars_webinar_change", args=[webinar.pk]),
            "registrations_url": reverse("admin:webinars_registration_changelist")
            + f"?webinar__id__exact={webinar.pk}",
        }
        for webinar in admin_dashboard_webinars(now=timezone.now())
    ]
    return {"rows": rows, "add_url": reverse("admin:webinars_webinar_add")}

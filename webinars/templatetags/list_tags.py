"""{% webinar_items webinars %}: the <li> items of a webinar list, cached per item."""

from django import template

from webinars import fragments

register = template.Library()


@register.simple_tag(takes_context=True)
def webinar_items(context, webinars, hide_series=False):
    """Items from includes/webinar_item.html, through the fragment cache (webinars.fragments).

    Logged-in users (organisers checking an edit) always get freshly rendered items, as they
    always get fresh pages.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    return fragments.webinar_items(
        webinars,
        hide_series=bool(hide_series),
        use_cache=not (user is not None and user.is_authenticated),
    )

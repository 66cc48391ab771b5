"""{% webinar_items webinars %}: the <li> items of a webinar list, cached per item;
{% sibling_webinars webinar %}: the other webinars of its series, cached as a block."""

from django import template
from django.template.loader import render_to_string

from webinars import fragments
from webinars.selectors import sibling_webinars as siblings_of

register = template.Library()


@register.simple_tag(takes_context=True)
def webinar_items(context, webinars, hide_series=False):
    """Items from includes/webinar_item.html, through the fragment cache (webinars.fragments).

    Logged-in users (organisers checking an edit) always get freshly rendered items, as they
    always get fresh pages.
    """
    return fragments.webinar_items(
        webinars, hide_series=bool(hide_series), use_cache=_for_visitor(context)
    )


@register.simple_tag(takes_context=True)
def sibling_webinars(context, webinar):
    """The "other webinars of the series" section of a webinar page (empty without any).

    Cached for visitors by webinar and content generation, so the query runs only on a miss;
    staff, who also see drafts, get it fresh.
    """

    def render() -> str:
        siblings = siblings_of(webinar, _user(context))
        if not siblings:
            return ""
        return render_to_string("includes/webinar_siblings.html", {"siblings": siblings})

    return fragments.cached_block(
        "webinar-siblings", (str(webinar.pk),), render, use_cache=_for_visitor(context)
    )


def _user(context):
    return getattr(context.get("request"), "user", None)


def _for_visitor(context) -> bool:
    """Only anonymous visitors share cached fragments; logged-in users get them fresh."""
    user = _user(context)
    return not (user is not None and user.is_authenticated)

"""Tags of the embed pages: links that leave the frame, the origins the frame may talk to."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from webinars.embedding import frame_origins

register = template.Library()


@register.simple_tag
def new_tab(url: str, text: str, css_class: str = "") -> str:
    """A link that opens the full page in a new tab, saying so to screen-reader users."""
    return format_html(
        '<a href="{}"{} target="_blank" rel="noopener">{}<span class="visually-hidden"> {}</span></a>',
        url,
        format_html(' class="{}"', css_class) if css_class else "",
        text,
        _("(opens in a new tab)"),
    )


@register.simple_tag
def embed_origins() -> str:
    """Space-separated origins that may frame the page: the only ones told its height."""
    return " ".join(frame_origins())

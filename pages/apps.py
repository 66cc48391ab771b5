from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The visitors' side: public pages, forms, calendar files, feeds, embeds."""

    name = "pages"
    verbose_name = "Public pages"

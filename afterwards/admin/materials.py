"""Materials, as an inline on the webinar's admin page."""

from django.contrib import admin
from modeltranslation.admin import TranslationTabularInline

from afterwards.models import Material
from series.admin_scope import ScopedInline
from webinars.admin.webinars import WebinarAdmin
from webinars.models import Webinar


class MaterialInline(ScopedInline, TranslationTabularInline):
    model = Material
    extra = 0
    fields = ["title", "file", "audience", "order"]


class WebinarWithMaterialsAdmin(WebinarAdmin):
    """The webinar's admin page with its materials, which this app adds to webinars."""

    inlines = [*WebinarAdmin.inlines, MaterialInline]


# webinars registers its admin first (INSTALLED_APPS order); this app extends it rather than
# webinars importing the app that builds on it.
admin.site.unregister(Webinar)
admin.site.register(Webinar, WebinarWithMaterialsAdmin)

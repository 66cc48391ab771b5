"""Admin for series, their organisations and funding disclaimers.

The webinars inline on a series is registered by the webinars app (series never imports
webinars), see webinars/admin/series.py.
"""

from django.contrib import admin
from django.db import models
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from core.uploads import CLEAN_IMAGES
from series.admin_scope import ScopedInline, SharedAcrossSeriesAdmin
from series.models import FundingDisclaimer, Organisation, SeriesOrganisation

# A web address typed without a scheme ("example.org") is taken as https, as Django 6 will.
URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class SeriesOrganisationInline(ScopedInline, admin.TabularInline):
    model = SeriesOrganisation
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "order"]


class FundingDisclaimerInline(ScopedInline, TranslationStackedInline):
    model = FundingDisclaimer
    extra = 0
    fields = ["funder", "text", "order"]


@admin.register(Organisation)
class OrganisationAdmin(SharedAcrossSeriesAdmin, admin.ModelAdmin):
    appears_in = ("series_roles__series",)
    formfield_overrides = {**URL_AS_HTTPS, **CLEAN_IMAGES}
    list_display = ["name", "url"]
    search_fields = ["name"]


class BaseSeriesAdmin(TranslationAdmin):
    formfield_overrides = CLEAN_IMAGES
    list_display = ["title", "slug", "created"]
    view_on_site = True
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SeriesOrganisationInline, FundingDisclaimerInline]

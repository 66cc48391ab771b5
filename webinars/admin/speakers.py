"""The speaker admin."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from core.uploads import CLEAN_IMAGES
from series.admin import URL_AS_HTTPS
from series.admin_scope import SharedAcrossSeriesAdmin
from webinars.models import (
    Speaker,
)


@admin.register(Speaker)
class SpeakerAdmin(SharedAcrossSeriesAdmin, TranslationAdmin):
    appears_in = ("appearances__webinar__series",)
    formfield_overrides = {**URL_AS_HTTPS, **CLEAN_IMAGES}
    list_display = ["name", "affiliation", "slug"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}

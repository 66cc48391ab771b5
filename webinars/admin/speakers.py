"""The speaker admin."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from core.uploads import CLEAN_IMAGES
from series.admin import URL_AS_HTTPS
from webinars.models import (
    Speaker,
)


@admin.register(Speaker)
class SpeakerAdmin(TranslationAdmin):
    formfield_overrides = {**URL_AS_HTTPS, **CLEAN_IMAGES}
    list_display = ["name", "affiliation", "slug"]
    search_fields = ["name", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}

"""Webinar texts organisers write in each language (django-modeltranslation adds a column per
language; an empty Dutch or French text falls back to the English)."""

from modeltranslation.translator import TranslationOptions, register

from webinars.models import Question, SiteSettings, Speaker, Webinar


@register(Webinar)
class WebinarTranslation(TranslationOptions):
    fields = ("title", "description", "summary")


@register(Speaker)
class SpeakerTranslation(TranslationOptions):
    fields = ("affiliation", "bio")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("label", "help_text")


@register(SiteSettings)
class SiteSettingsTranslation(TranslationOptions):
    fields = ("footer_text",)

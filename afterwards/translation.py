"""Material titles in each language (an empty Dutch title falls back to the English)."""

from modeltranslation.translator import TranslationOptions, register

from afterwards.models import Material


@register(Material)
class MaterialTranslation(TranslationOptions):
    fields = ("title",)

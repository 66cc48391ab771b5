"""Series texts organisers write in each language (django-modeltranslation adds a column per
language; an empty Dutch or French text falls back to the English)."""

from modeltranslation.translator import TranslationOptions, register

from series.models import FundingDisclaimer, Series


@register(Series)
class SeriesTranslation(TranslationOptions):
    fields = ("title", "description")


@register(FundingDisclaimer)
class FundingDisclaimerTranslation(TranslationOptions):
    fields = ("text",)

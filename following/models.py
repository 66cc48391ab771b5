"""Visitors who follow a series: mailed once for each new webinar published in it.

An address follows only after it confirmed through a mailed link (double opt-in), so nobody
can sign someone else up; every mail carries a one-click unsubscribe.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from series.models import Series
from webinars.models import new_token


class FollowerQuerySet(models.QuerySet):
    def following(self):
        """Confirmed and not unsubscribed: the addresses that get new-webinar mail."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Follower(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField(_("email"), max_length=254)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    language = models.CharField(_("language"), max_length=10, default="en")
    created = models.DateTimeField(_("asked to follow"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    objects = FollowerQuerySet.as_manager()

    class Meta:
        ordering = ["series", "-created"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["series", "email"], name="unique_follower_per_series")
        ]

    def __str__(self):
        return f"{self.email} ({self.series})"

    @property
    def is_following(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

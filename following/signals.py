"""Signals following sends when a visitor starts or stops following a series, for the apps built
on top of it (webhooks). Sent by following.services inside the change's transaction, with
`follower` and `now`; never by a plain save()."""

from django.dispatch import Signal

follower_confirmed = Signal()
follower_unsubscribed = Signal()

"""The webinar's own meeting: rooms made with BigBlueButton, Jitsi Meet (or another provider in
registry.py), personal join links, and the attendance and recordings they report back.

A feature on top of webinars: pages ask it for a registrant's join URL, webinars tells it of an
organiser's changes through the `webinar_saved` signal, and the mail worker runs its retries.
"""

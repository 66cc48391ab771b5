"""Path converters every app's URLs use; importing this module registers them."""

from django.urls import register_converter


class TokenConverter:
    """Registration and follower tokens: URL-safe base64; anything else is a 404 without a query."""

    regex = "[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

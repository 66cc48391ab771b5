"""The site's accent colour, made readable: WCAG contrast worked out for light and dark pages.

Organisers pick any colour; pages use it for links, buttons and date blocks on the scheme's own
backgrounds. A colour too light for the light scheme (or too dark for the dark one) is shaded
until every pair it appears in reaches AA (4.5:1), so no choice can make the site unreadable.
"""

import re
from dataclasses import dataclass

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA = 4.5

# The backgrounds the accent sits on, and the text the accent carries, per scheme (site.css).
LIGHT_BACKGROUNDS = ("#ffffff", "#f7f7f4", "#eef1f5")
DARK_BACKGROUNDS = ("#0f1318", "#171c23", "#1f262f")
LIGHT_ON_ACCENT = "#ffffff"
DARK_ON_ACCENT = "#0b1520"


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """`share` of `other` mixed into `colour`."""
    return _hex(c + (o - c) * share for c, o in zip(_rgb(colour), _rgb(other), strict=True))


@dataclass(frozen=True)
class Scheme:
    accent: str
    strong: str
    tint: str
    on_accent: str


# The house colours, shown wherever the organisers chose no accent of their own: pages, mail,
# the share image. static/css/site.css repeats them as its custom properties' defaults, which
# a test keeps equal to these.
HOUSE_LIGHT = Scheme(accent="#1f5a85", strong="#163f5e", tint="#e5eef6", on_accent=LIGHT_ON_ACCENT)
HOUSE_DARK = Scheme(accent="#8fc3f2", strong="#b9dafa", tint="#1b2b3b", on_accent=DARK_ON_ACCENT)


def _readable(accent: str, backgrounds, on_accent: str, towards: str, tint_base: str) -> Scheme:
    # Step towards black (light scheme) or white (dark scheme) until the accent reads on every
    # background, on its own tint, and under its text colour.
    for step in range(0, 101):
        candidate = mix(accent, towards, step / 100)
        tint = mix(tint_base, candidate, 0.14)
        pairs = [*backgrounds, tint]
        if (
            all(contrast(candidate, bg) >= AA for bg in pairs)
            and contrast(candidate, on_accent) >= AA
        ):
            strong = mix(candidate, towards, 0.3)
            return Scheme(candidate, strong, tint, on_accent)
    raise AssertionError("mixing with black or white always ends readable")


def light_scheme(accent: str) -> Scheme:
    return _readable(accent, LIGHT_BACKGROUNDS, LIGHT_ON_ACCENT, "#000000", "#ffffff")


def dark_scheme(accent: str) -> Scheme:
    return _readable(accent, DARK_BACKGROUNDS, DARK_ON_ACCENT, "#ffffff", "#171c23")

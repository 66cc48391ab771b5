"""Email addresses as mail servers read them: what a form accepts can always be composed and sent.

An address is NFC-normalised, its domain lower-cased and written in IDNA (xn--) form, and
refused with a clear message when it holds what a message header cannot carry: invisible or
separator characters (U+2028, zero-width spaces, bidi controls), letters outside ASCII before
the @ (most servers do not speak SMTPUTF8), quoted local parts or bracketed IP addresses.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email

# Line and paragraph separators, spaces other than the plain one, format characters (zero
# width, bidi), controls, private use, surrogates and unassigned code points.
_INVISIBLE_CATEGORIES = frozenset({"Zl", "Zp", "Zs", "Cc", "Cf", "Co", "Cs", "Cn"})

MAX_LENGTH = 254


def has_invisible_characters(value: str) -> bool:
    """True when value holds a character that shows as nothing or breaks a line."""
    # A plain space is visible enough: the syntax check refuses it with the usual message.
    return any(c != " " and unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in value)


def sendable_address(value: str) -> str:
    """The address in the form to store and send (ASCII domain); ValidationError otherwise."""
    value = unicodedata.normalize("NFC", value.strip())
    if has_invisible_characters(value):
        raise ValidationError(
            _(
                "This address contains an invisible character or a line break, which mail "
                "cannot carry. Please type it again."
            ),
            code="invisible_characters",
        )
    local = value.rpartition("@")[0]
    if not local.isascii():
        raise ValidationError(
            _(
                "Many mail servers refuse letters with accents or other scripts before the @. "
                "Please use an address without them."
            ),
            code="non_ascii_local_part",
        )
    try:
        # Syntax only: looking the domain up would make a request wait on DNS.
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValidationError(
            _("Please enter a valid email address, like name@example.org."), code="invalid"
        ) from None
    address = checked.ascii_email
    if not address or len(address) > MAX_LENGTH:
        raise ValidationError(
            _("Please enter a valid email address, like name@example.org."), code="invalid"
        )
    return address


def validate_sendable_address(value: str) -> None:
    """Model and form field validator: refuses what sendable_address() refuses."""
    sendable_address(value)


MASK = "\u2026"


def masked(address: str) -> str:
    """'a…@example.org': enough for a registrant to recognise where the mail went, too little
    to read an address back out of a link or a log."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return ""
    return f"{local[0]}{MASK}@{domain.lower()}"


def is_masked(value: str) -> bool:
    """True for what masked() writes (a shown query parameter is checked before it is shown)."""
    local, at, domain = value.rpartition("@")
    return (
        bool(at)
        and len(local) == 2
        and local[1] == MASK
        and 0 < len(domain) <= MAX_LENGTH
        and not has_invisible_characters(value)
        and not any(c in "<>\"'@ " for c in local[0] + domain)
    )

"""The account a provider's person signs in to: found by issuer and `sub`, made only when the
claims allow access, and given what the claims allow at each sign-in."""

import hashlib
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone

from sso.claims import NOTHING, access_from_claims, grant
from sso.models import Identity

USERNAME_CHARACTERS = re.compile(r"[^\w.@+-]")


class AccessRefused(Exception):
    """The claims allow nothing on this site (or the account is switched off)."""


def account_for(issuer: str, claims: dict):
    """The signed-in account for verified claims, or AccessRefused.

    A person the site knows whose claims now allow nothing loses what sign-in gave them before
    being refused, so a group removed at the provider takes access away here too.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SuspiciousOperation("The provider's claims have no subject (sub).")
    access = access_from_claims(claims)
    allowed = access.allows_anything()
    with transaction.atomic():
        identity = (
            Identity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            if not allowed:
                raise AccessRefused
            user = _verified_address_match(issuer, claims) or _new_account(issuer, claims)
            identity = Identity.objects.create(user=user, issuer=issuer, subject=subject)
        user = identity.user
        grant(user, access if allowed else NOTHING)
        if allowed:
            _update_profile(user, claims)
            identity.last_sign_in = timezone.now()
            identity.save(update_fields=["last_sign_in"])
    if not allowed or not user.is_active:
        raise AccessRefused
    return user


def _verified_address_match(issuer: str, claims: dict):
    """The one existing account with this address, when the provider vouches for the address
    and the account is not tied to another person of the same provider."""
    email = claims.get("email")
    if (
        not isinstance(email, str)
        or not email
        or claims.get("email_verified")
        not in (
            True,
            "true",
        )
    ):
        return None
    users = list(
        get_user_model()
        .objects.filter(email__iexact=email)
        .exclude(sso_identities__issuer=issuer)[:2]
    )
    return users[0] if len(users) == 1 else None


def _new_account(issuer: str, claims: dict):
    """An account without a password: it signs in through the provider only."""
    model = get_user_model()
    wanted = next(
        (
            value
            for value in (claims.get("preferred_username"), claims.get("email"))
            if isinstance(value, str) and value.strip()
        ),
        "",
    )
    base = USERNAME_CHARACTERS.sub("", wanted)[:140]
    if not base:
        digest = hashlib.sha256(f"{issuer} {claims['sub']}".encode()).hexdigest()
        base = f"sso-{digest[:12]}"
    username, number = base, 1
    while model.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    return model.objects.create_user(username=username, password=None)


def _update_profile(user, claims: dict) -> None:
    """Name and address as the provider has them now (the address receives test mail)."""
    changed = []
    for field, claim, limit in (
        ("first_name", "given_name", 150),
        ("last_name", "family_name", 150),
        ("email", "email", 254),
    ):
        value = claims.get(claim)
        value = value.strip()[:limit] if isinstance(value, str) else ""
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)

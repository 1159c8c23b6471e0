from __future__ import annotations

from django.conf import settings
from django.db import models

from podium.core.timeutils import now


class VerifiedEmail(models.Model):
    """An address the user proved they read: they opened the signed link sent to it.

    Only these count for a competition's email-domain rule (``competitions.selectors.can_view``):
    the address on the account itself is whatever was typed in. Stored lowercased.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_emails"
    )
    email = models.EmailField(max_length=254)
    verified_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "email"], name="unique_verified_email"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[-1]


class ApiToken(models.Model):
    """A personal API key: what ``Authorization: Token <key>`` (the REST API, the ``podium``
    CLI) and ``KAGGLE_KEY`` (the ``kaggle`` CLI) carry.

    Only the key's SHA-256 is stored, so a database dump gives no working key; the key itself is
    shown once, when created or rotated. ``prefix`` (its first characters) tells a user's keys
    apart on the profile page.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name or 'token'} ({self.prefix}…)"


class PendingSignup(models.Model):
    """A sign-up waiting for its address to be verified (sign-up limited to email domains).

    The account exists but is inactive: it cannot sign in, hold a session or use an API token
    until the link mailed to ``email`` is opened (with the account's password). An account that is
    inactive for another reason (an administrator's choice, the baseline user) has no such row.
    A pending sign-up never blocks the address's owner: signing up again with the same address
    replaces it, and once its link has expired it holds neither its username nor its address.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_signup"
    )
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.email} (pending)"


class Tier(models.TextChoices):
    """Kaggle's progression tiers, lowest first (the thresholds: settings.PODIUM_TIERS)."""

    NOVICE = "novice", "Novice"
    CONTRIBUTOR = "contributor", "Contributor"
    EXPERT = "expert", "Expert"
    MASTER = "master", "Master"
    GRANDMASTER = "grandmaster", "Grandmaster"


class Profile(models.Model):
    """What others see of a user: the bio they wrote, when they were last seen, and their tier.

    ``tier`` is written only by ``progression`` (from the medals it awards) and kept here, in the
    lowest app that knows users, so that any app (a discussion badge) can read it. A user without
    a row is a Novice who wrote no bio.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    bio = models.TextField(max_length=2000, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.NOVICE)

    def __str__(self) -> str:
        return f"profile of {self.user_id}"

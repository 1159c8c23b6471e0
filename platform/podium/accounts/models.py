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

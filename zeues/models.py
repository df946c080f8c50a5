"""Project-wide models: API tokens for tablets and integrations."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


def hash_token(raw: str) -> str:
    """SHA-256 of a raw token; only the hash is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def authenticate(self, raw: str) -> ApiToken | None:
        """The active token matching `raw`, with its active user, or None."""
        return (
            self.select_related("user")
            .filter(key_hash=hash_token(raw), activo=True, user__is_active=True)
            .first()
        )


class ApiToken(models.Model):
    """A bearer token for the JSON API, owned by a user (a kiosk account or an integration)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    nombre = models.CharField(max_length=100, blank=True)
    activo = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "token de API"
        verbose_name_plural = "tokens de API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user: models.Model, nombre: str = "") -> tuple[ApiToken, str]:
        """Create a token for `user`; returns it and the raw secret (shown once, never stored)."""
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, key_hash=hash_token(raw), prefix=raw[:8], nombre=nombre)
        return token, raw

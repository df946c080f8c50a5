"""Bearer tokens of the JSON API as a Django authentication backend.

`zeues.lib.api` asks Django's `authenticate(request, bearer_token=...)`; this backend (listed in
settings.AUTHENTICATION_BACKENDS) answers with the token's user, so the API plumbing needs no
model of ours.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zeues.models import ApiToken


class ApiTokenBackend:
    """Authenticates an active API token of an active user; never used for session logins."""

    def authenticate(self, request: HttpRequest | None, bearer_token: str | None = None, **_: Any) -> Any:
        """The token's user, or None (Django then tries no other credentials of this kind)."""
        if not bearer_token:
            return None
        token = ApiToken.objects.authenticate(bearer_token)
        if token is None:
            return None
        if request is not None:
            request.api_token = token  # type: ignore[attr-defined]
        return token.user

    def get_user(self, user_id: int) -> None:
        """Sessions are never opened with a token, so there is no user to restore."""
        return None

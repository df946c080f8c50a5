"""Bearer tokens of the JSON API: which user a token belongs to.

`zeues.lib.api` looks this function up by its dotted path (setting ZEUES_API_TOKEN_USER), as
Django looks up its e-mail backend, so the API plumbing on the lowest floor needs no model of ours.
It is not a login backend: a token never opens a session.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zeues.models import ApiToken


def token_user(request: HttpRequest, raw: str) -> Any:
    """The active user of an active token `raw` (remembered on the request), or None."""
    token = ApiToken.objects.authenticate(raw)
    if token is None:
        return None
    request.api_token = token  # type: ignore[attr-defined]
    return token.user

"""Kiosk tablet accounts may only reach the kiosk: never admin, manager or API pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Paths a kiosk account may open: the kiosk, its static files, login/logout and the live stream.
ALLOWED_PREFIXES = ("/kiosko/", "/static/", "/login/", "/logout/", "/healthz", "/i18n/", "/api/sse/")


def is_kiosk_account(user: object) -> bool:
    """True for authenticated users of the kiosk group (tablet accounts)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_zeues_is_kiosk", None)
    if cached is None:
        cached = user.groups.filter(name=settings.ZEUES_KIOSK_GROUP).exists()  # type: ignore[attr-defined]
        user._zeues_is_kiosk = cached  # type: ignore[attr-defined]
    return bool(cached)


class KioskConfinementMiddleware:
    """Send a kiosk account that wanders off the kiosk back to its start screen."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(ALLOWED_PREFIXES) and is_kiosk_account(request.user):
            return redirect("kiosk:start")
        return self.get_response(request)

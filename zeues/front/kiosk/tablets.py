"""Kiosk tablets' sessions: when each was last used, and signing a lost or stolen tablet out.

A tablet's account stays logged in for ZEUES_KIOSK_SESSION_DAYS. Sessions live wherever
SESSION_ENGINE keeps them (the database by default), and neither the database nor the cache
backend can find a user's sessions without decoding every one; so each session of a kiosk
account is recorded (`TabletSession`) on its first request, with its last request's time.

Cheap by design: the time of the last note is kept in the session itself, which is loaded on
every request anyway; only when it is a minute old (or the session is new) does a request write
(the `TabletSession` row and the session). Whether a user is a tablet's account is asked once per
request at most, and is usually known already (the kiosk confinement asks it on every other page).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from zeues.front.kiosk.middleware import is_kiosk_account
from zeues.models import TabletSession

# Seconds between two notes of one session's activity.
NOTE_EVERY_SECONDS = 60
# In a tablet's session: [session key, epoch seconds of the last note].
SESSION_KEY = "_zeues_tablet_seen"


def note_activity(request: HttpRequest) -> None:
    """Record that this kiosk session made a request, at most once a minute (sessions of others: never)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    session = request.session
    key = session.session_key
    if not key:
        return
    seen = session.get(SESSION_KEY)
    now = time.time()
    # The session key is part of the note: a note copied into a new session (login cycles the
    # key and keeps the data) does not count for it.
    if isinstance(seen, list) and seen[0] == key and now - seen[1] < NOTE_EVERY_SECONDS:
        return
    if seen is None and not is_kiosk_account(user):
        return
    when = timezone.now()
    _, created = TabletSession.objects.update_or_create(
        session_key=key, defaults={"user": user, "last_seen_at": when}, create_defaults={"user": user}
    )
    if created:
        _forget_ended(user, keep=key)
    session[SESSION_KEY] = [key, now]


def _session_store() -> type:
    return import_module(settings.SESSION_ENGINE).SessionStore


def _forget_ended(user: User, *, keep: str) -> None:
    """Drop the records of the account's sessions that no longer exist (logged out, expired)."""
    store = _session_store()
    others = TabletSession.objects.filter(user=user).exclude(session_key=keep)
    gone = [k for k in others.values_list("session_key", flat=True) if not store().exists(k)]
    TabletSession.objects.filter(session_key__in=gone).delete()


def sessions_end(*, user: User) -> int:
    """End every recorded session of a tablet's account; returns how many were still open.

    Each is deleted from the session store, so the tablet's next request is anonymous and lands on
    the login page. The records go too: the account shows no activity until it logs in again.
    """
    store = _session_store()
    with transaction.atomic():
        keys = list(TabletSession.objects.filter(user=user).values_list("session_key", flat=True))
        open_ = 0
        for key in keys:
            if store().exists(key):
                open_ += 1
                store().delete(key)
        TabletSession.objects.filter(user=user).delete()
    return open_


class TabletActivityMiddleware:
    """Note each kiosk session's last request (at most once a minute), for admin's tablet list."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # After the view: a login is noted at once, a logout not at all, and a request that never
        # looked at its user (a probe) does not load it here.
        note_activity(request)
        return response

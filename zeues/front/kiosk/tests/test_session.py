"""Who is at the tablet (zeues/front/kiosk/session.py): the idle timer's writes, one read per request."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from zeues.front.kiosk import session

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_with(make_worker):
    worker = make_worker(roles=["Armador"])

    def make(seen_ago: float):
        request = RequestFactory().get("/kiosko/arm/")
        request.session = SessionStore()
        session.identify(request, worker, "ARM", pin_ok=True)
        request.session[session.KEY] = {**request.session[session.KEY], "seen": time.time() - seen_ago}
        request.session.modified = False
        return request, worker

    return make


def test_a_request_soon_after_the_last_leaves_the_session_unwritten(request_with):
    request, worker = request_with(seen_ago=1)
    assert session.current(request, "ARM").worker == worker
    assert request.session.modified is False


def test_a_request_after_a_few_seconds_refreshes_the_idle_timer(request_with):
    request, _ = request_with(seen_ago=session.SEEN_EVERY_SECONDS + 1)
    before = request.session[session.KEY]["seen"]
    session.current(request, "ARM")
    assert request.session.modified is True and request.session[session.KEY]["seen"] > before


def test_an_idle_tablet_still_forgets_its_worker(request_with, settings):
    request, _ = request_with(seen_ago=settings.ZEUES_KIOSK_IDLE_SECONDS + 1)
    assert session.current(request, "ARM") is None


def test_the_worker_is_read_once_per_request_and_again_after_a_change(
    request_with, make_worker, django_assert_num_queries
):
    request, worker = request_with(seen_ago=1)
    with django_assert_num_queries(2):  # the worker and its roles
        session.current(request, "ARM")
        session.current(request, "ARM")
    other = make_worker(roles=["Armador"])
    session.identify(request, other, "ARM", pin_ok=True)
    assert session.current(request, "ARM").worker == other
    session.forget(request)
    assert session.current(request, "ARM") is None

"""A lost or stolen tablet: admin shows each tablet's last activity and signs all its sessions out."""

from __future__ import annotations

import time

import pytest
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zeues.front.kiosk import tablets
from zeues.models import TabletSession

pytestmark = pytest.mark.django_db

TABLETS = reverse("admin:zeues_tabletaccount_changelist")
START = reverse("kiosk:start")
PASSWORD = "x-123456789"


@pytest.fixture
def account(django_user_model):
    user = django_user_model.objects.create_user(
        username="tablet-7", first_name="Soldadura", password=PASSWORD
    )
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    return user


def logged_in_tablet(account) -> Client:
    """A browser of its own that logs in at /login/ as the tablet's account, then opens the kiosk."""
    browser = Client()
    answer = browser.post(reverse("login"), {"username": account.username, "password": PASSWORD})
    assert answer.status_code == 302 and answer.url == START
    assert browser.get(START).status_code == 200
    return browser


@pytest.fixture
def supervisor(django_user_model, supervisores_group) -> Client:
    user = django_user_model.objects.create_user(username="jefe", password=PASSWORD, is_staff=True)
    user.groups.add(supervisores_group)
    browser = Client()
    browser.force_login(user)
    return browser


def end_sessions(browser: Client, account):
    data = {"action": "cerrar_sesion", helpers.ACTION_CHECKBOX_NAME: [account.pk]}
    return browser.post(TABLETS, data, follow=True)


def test_closing_a_tablet_logs_out_every_one_of_its_sessions_at_their_next_request(account, supervisor):
    first, second = logged_in_tablet(account), logged_in_tablet(account)
    assert TabletSession.objects.filter(user=account).count() == 2
    page = end_sessions(supervisor, account)
    assert page.status_code == 200 and "Sesión cerrada en: tablet-7 (2)" in page.text
    for browser in (first, second):
        answer = browser.get(START)
        assert answer.status_code == 302 and answer.url.startswith(reverse("login"))
    assert not Session.objects.filter(session_key__in=[first.session.session_key, second.session.session_key])
    assert not TabletSession.objects.filter(user=account).exists()
    entry = LogEntry.objects.get(object_id=str(account.pk))
    assert entry.user.username == "jefe" and "2 sesión(es) cerrada(s)" in entry.get_change_message()


def test_the_tablet_list_shows_each_tablets_last_activity(account, supervisor, django_user_model):
    django_user_model.objects.create_user(username="oficina-1", password=PASSWORD)  # not a tablet
    logged_in_tablet(account)
    page = supervisor.get(TABLETS).content.decode()
    assert "tablet-7" in page and "oficina-1" not in page
    seen = TabletSession.objects.get(user=account).last_seen_at
    assert f"{timezone.localtime(seen):%d-%m-%Y %H:%M}" in page
    assert "Cerrar sesión de esta tablet" in page


def test_activity_is_written_at_most_once_a_minute_per_session(account):
    browser = logged_in_tablet(account)
    row = TabletSession.objects.get(user=account)
    browser.get(START)
    assert TabletSession.objects.get(pk=row.pk).last_seen_at == row.last_seen_at
    session = browser.session
    session[tablets.SESSION_KEY] = [session.session_key, time.time() - tablets.NOTE_EVERY_SECONDS - 1]
    session.save()
    browser.get(START)
    assert TabletSession.objects.get(pk=row.pk).last_seen_at > row.last_seen_at


def test_staff_sessions_are_not_recorded(supervisor):
    assert supervisor.get(TABLETS).status_code == 200
    assert not TabletSession.objects.exists()
    assert tablets.SESSION_KEY not in supervisor.session


def test_a_logged_out_sessions_record_is_dropped_at_the_next_login(account):
    old = logged_in_tablet(account)
    old.post(reverse("logout"))
    logged_in_tablet(account)
    assert TabletSession.objects.filter(user=account).count() == 1


def test_staff_without_the_permission_cannot_close_a_tablet_and_nothing_is_written(
    account, django_user_model, nothing_written
):
    tablet = logged_in_tablet(account)
    viewer = django_user_model.objects.create_user(username="mirón", password=PASSWORD, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_tabletaccount"))
    browser = Client()
    browser.force_login(viewer)
    sessions_before = Session.objects.count()
    with nothing_written():
        page = end_sessions(browser, account)
    assert page.status_code == 200 and "Cerrar sesión de esta tablet" not in page.text
    assert tablet.get(START).status_code == 200
    assert Session.objects.count() == sessions_before
    assert TabletSession.objects.filter(user=account).exists()
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "tablet"])
def test_anonymous_and_tablets_cannot_reach_the_action(account, who):
    browser = Client() if who == "anonymous" else logged_in_tablet(account)
    page = end_sessions(browser, account)
    assert page.status_code == 200 and page.redirect_chain  # to a login page or the kiosk
    assert TabletSession.objects.filter(user=account).count() == (1 if who == "tablet" else 0)
    assert not LogEntry.objects.exists()

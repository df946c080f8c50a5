"""Password logins lock per account name after too many wrong passwords (zeues/front/logins.py)."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from spools.models import Event, EventType
from zeues.front import logins

pytestmark = pytest.mark.django_db
RIGHT = "la-buena-123"


def _forget_locks() -> None:
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("lockout:login:*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _login_policy(settings):
    settings.ZEUES_LOGIN_MAX_TRIES = 5
    settings.ZEUES_LOGIN_LOCK_SECONDS = 60
    _forget_locks()
    yield
    _forget_locks()


@pytest.fixture
def maria(django_user_model):
    return django_user_model.objects.create_user(username="maria", password=RIGHT, is_staff=True)


@pytest.fixture
def checked(monkeypatch):
    """How many times a password was actually checked (ModelBackend.authenticate ran)."""
    calls: list[str] = []
    real = ModelBackend.authenticate

    def spy(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", spy)
    return calls


def _login(client: Client, username: str, password: str, path: str = "/login/"):
    return client.post(path, {"username": username, "password": password})


def _error(response) -> str:
    """The form's error sentence(s), whatever the page's markup."""
    html = response.content.decode()
    found = re.findall(r'(?:class="error"[^>]*>|class="errornote"[^>]*>)(.*?)</p>', html, re.S)
    return " ".join(" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found)


def _locked_sentence(username: str) -> str:
    until = logins.peek(username).until
    assert until is not None
    return f"Demasiados intentos fallidos: la cuenta queda bloqueada hasta las {until:%H:%M}."


def test_thirty_wrong_passwords_lock_and_then_the_right_one_is_not_even_checked(
    client, maria, checked, nothing_written
):
    texts = [_login(client, "maria", f"mala-{n}").content.decode() for n in range(4)]
    assert "Le quedan 4 intentos." in texts[0] and "Le queda 1 intento." in texts[3]
    fifth = _login(client, "maria", "mala-5").content.decode()
    assert _locked_sentence("maria") in fifth
    for n in range(25):
        assert _locked_sentence("maria") in _login(client, "maria", f"otra-{n}").content.decode()
    assert len(checked) == 5  # the 25 tries during the lock never reached the password
    assert Event.objects.filter(evento_tipo=EventType.LOGIN_BLOQUEADO).count() == 1
    event = Event.objects.get(evento_tipo=EventType.LOGIN_BLOQUEADO)
    assert event.spool is None and event.worker is None and event.actor is None
    assert event.details["usuario"] == "maria" and event.details["intentos"] == 5
    with nothing_written():
        right = _login(client, "maria", RIGHT)
    assert right.status_code == 200 and _locked_sentence("maria") in right.content.decode()
    assert "_auth_user_id" not in client.session and len(checked) == 5


def test_the_lock_is_one_per_name_whatever_the_case_and_shared_by_clients(maria, checked):
    a, b = Client(), Client()
    for n in range(3):
        _login(a, "Maria", f"mala-{n}")
    assert "Le queda 1 intento." in _login(b, "  MARIA ", "mala").content.decode()
    _login(a, "maria", "mala-final")
    assert _locked_sentence("maria") in _login(b, "maria", RIGHT).content.decode()
    assert authenticate(username="maria", password=RIGHT) is None  # any authenticate() path
    assert Event.objects.filter(evento_tipo=EventType.LOGIN_BLOQUEADO).count() == 1


def test_an_unknown_name_is_counted_and_locked_exactly_like_a_real_one(maria):
    known, unknown = Client(), Client()
    for n in range(6):
        said_known = _error(_login(known, "maria", f"mala-{n}"))
        said_unknown = _error(_login(unknown, "nadie", f"mala-{n}"))
        assert said_known == said_unknown and said_known
    assert logins.peek("nadie").locked
    assert Event.objects.filter(evento_tipo=EventType.LOGIN_BLOQUEADO).count() == 2


def test_a_right_password_forgets_the_wrong_ones(client, maria):
    for n in range(4):
        _login(client, "maria", f"mala-{n}")
    assert _login(client, "maria", RIGHT).status_code == 302
    assert logins.peek("maria").tries_left == 5


def test_the_lock_ends_by_itself_audited_once_and_the_next_lasts_twice_as_long(client, maria):
    for n in range(5):
        _login(client, "maria", f"mala-{n}")
    real = time.time
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(time, "time", lambda: real() + 61)
        assert "Le quedan 4 intentos." in _login(client, "maria", "mala").content.decode()
        _login(Client(), "maria", "mala")
        unlocked = Event.objects.filter(evento_tipo=EventType.LOGIN_DESBLOQUEADO)
        assert [e.details["motivo"] for e in unlocked] == ["plazo cumplido"]
        for n in range(3):
            _login(client, "maria", f"mala-{n}")
    second = Event.objects.filter(evento_tipo=EventType.LOGIN_BLOQUEADO).order_by("seq").last()
    assert second.details["segundos"] == 120 and second.details["nivel"] == 2


def test_the_admin_login_is_locked_too(maria, checked):
    admin_login = reverse("admin:login")
    client = Client()
    for n in range(4):
        _login(client, "maria", f"mala-{n}", admin_login)
    fifth = _login(client, "maria", "mala", admin_login).content.decode()
    assert _locked_sentence("maria") in fifth
    page = _login(client, "maria", RIGHT, admin_login)
    assert page.status_code == 200 and _locked_sentence("maria") in page.content.decode()
    assert "_auth_user_id" not in client.session and len(checked) == 5
    # The same name on the other login page: one lock.
    assert _locked_sentence("maria") in _login(Client(), "maria", RIGHT).content.decode()


def test_a_supervisor_unlocks_from_the_user_admin_audited(client, maria, admin_client):
    for n in range(5):
        _login(client, "maria", f"mala-{n}")
    changelist = reverse("admin:auth_user_changelist")
    assert "🔒 hasta las" in admin_client.get(changelist).content.decode()
    admin_client.post(changelist, {"action": "desbloquear_login", "_selected_action": [maria.pk]})
    event = Event.objects.get(evento_tipo=EventType.LOGIN_DESBLOQUEADO)
    assert event.details["motivo"] == "supervisor" and event.actor.username == "admin"
    assert event.details["usuario"] == "maria"
    assert _login(client, "maria", RIGHT).status_code == 302
    # Unlocking an account that is not locked writes nothing.
    admin_client.post(changelist, {"action": "desbloquear_login", "_selected_action": [maria.pk]})
    assert Event.objects.filter(evento_tipo=EventType.LOGIN_DESBLOQUEADO).count() == 1


def test_a_member_of_supervisores_unlocks_a_login_without_being_able_to_edit_accounts(
    client, maria, django_user_model, supervisores_group
):
    boss = django_user_model.objects.create_user(username="jefa", password="x-123456789", is_staff=True)
    boss.groups.add(supervisores_group)
    for n in range(5):
        _login(client, "maria", f"mala-{n}")
    staff = Client()
    staff.force_login(boss)
    changelist = reverse("admin:auth_user_changelist")
    page = staff.get(changelist).content.decode()
    assert "🔒 hasta las" in page and 'value="desbloquear_login"' in page
    staff.post(changelist, {"action": "desbloquear_login", "_selected_action": [maria.pk]})
    assert Event.objects.get(evento_tipo=EventType.LOGIN_DESBLOQUEADO).actor == boss
    assert _login(client, "maria", RIGHT).status_code == 302
    assert staff.get(reverse("admin:auth_user_change", args=[maria.pk])).status_code == 200  # read only
    assert not boss.has_perm("auth.change_user")


def test_staff_outside_supervisores_cannot_unlock_a_login(client, maria, django_user_model, nothing_written):
    clerk = django_user_model.objects.create_user(username="oficina", password="x-123456789", is_staff=True)
    from django.contrib.auth.models import Permission

    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    for n in range(5):
        _login(client, "maria", f"mala-{n}")
    staff = Client()
    staff.force_login(clerk)
    changelist = reverse("admin:auth_user_changelist")
    assert 'value="desbloquear_login"' not in staff.get(changelist).content.decode()
    with nothing_written():
        staff.post(changelist, {"action": "desbloquear_login", "_selected_action": [maria.pk]})
    assert logins.peek("maria").locked


def test_with_the_lock_store_down_passwords_still_log_in_and_nothing_breaks(client, maria, monkeypatch):
    from zeues.front.kiosk.tests.test_hardening import _DownCache
    from zeues.lib import lockout

    monkeypatch.setattr(lockout, "cache", _DownCache())
    wrong = _login(client, "maria", "mala")
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert _login(client, "maria", RIGHT).status_code == 302

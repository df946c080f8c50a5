"""Who sees the manager's pages (zeues/front/permissions.py): can_view_management per group."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse

from zeues.front.permissions import can_view_management

pytestmark = pytest.mark.django_db


def url(name: str, query: dict[str, str] | None = None, **kwargs: str) -> str:
    """The path of the URL called `name`, with an optional query string."""
    path = reverse(name, kwargs=kwargs)
    return f"{path}?{urlencode(query)}" if query else path


HISTORY_SEARCH = url("history-search")

# Every manager page and download (the KPI ones included): same rule for all of them.
PAGES = (
    HISTORY_SEARCH,
    url("history", tag="P-1"),
    url("export-spool", tag="P-1", fmt="csv"),
    url("export-events", {"desde": "2026-03-02", "hasta": "2026-03-02"}, fmt="xlsx"),
    url("kpis"),
    url("kpis", {"formato": "csv", "tabla": "horas"}),
    url("kpis", {"formato": "xlsx", "tabla": "todas"}),
)


@pytest.fixture
def user_in(django_user_model):
    """Make a user, optionally in a group, with optional flags (is_staff, is_superuser)."""

    def make(group: str | None = None, **flags):
        user = django_user_model.objects.create_user(
            username=f"u-{group}-{len(flags)}", password="x-123456789", **flags
        )
        if group:
            user.groups.add(Group.objects.get_or_create(name=group)[0])
        return user

    return make


def test_the_gerencia_group_exists_after_migrating():
    assert Group.objects.filter(name="Gerencia").exists()


@pytest.mark.parametrize(
    ("group", "flags", "allowed"),
    [
        ("Gerencia", {}, True),
        ("Supervisores", {}, True),
        (None, {"is_superuser": True}, True),
        (None, {"is_staff": True}, False),
        (None, {}, False),
        ("Kioscos", {}, False),
    ],
)
def test_can_view_management_per_group(user_in, group, flags, allowed):
    assert can_view_management(user_in(group, **flags)) is allowed


def test_anonymous_and_inactive_users_cannot(user_in):
    assert not can_view_management(AnonymousUser())
    inactive = user_in("Gerencia", is_active=False)
    assert not can_view_management(inactive)


@pytest.mark.parametrize(("group", "status"), [("Gerencia", 200), ("Supervisores", 200), (None, 403)])
def test_manager_pages_and_downloads_per_group(client, user_in, make_spool, group, status):
    make_spool(tag_spool="P-1")
    client.force_login(user_in(group))
    for page in PAGES:
        assert client.get(page).status_code == status


def test_plain_staff_gets_the_403_page(client, user_in, make_spool):
    make_spool(tag_spool="P-1")
    client.force_login(user_in(None, is_staff=True))
    response = client.get(url("history", tag="P-1"))
    assert response.status_code == 403
    assert "Gerencia y Supervisores" in response.content.decode()


def test_anonymous_goes_to_login_and_kiosk_accounts_back_to_the_kiosk(client, user_in, make_spool):
    make_spool(tag_spool="P-1")
    for page in PAGES:
        assert client.get(page)["Location"].startswith(url("login"))
    client.force_login(user_in("Kioscos"))
    for page in PAGES:
        assert client.get(page)["Location"] == url("kiosk:start")


@pytest.mark.parametrize(("group", "shown"), [("Gerencia", True), (None, False)])
def test_the_top_bar_links_to_historial_only_for_managers(client, user_in, group, shown):
    client.force_login(user_in(group))
    assert (f'href="{HISTORY_SEARCH}"' in client.get(url("board")).content.decode()) is shown

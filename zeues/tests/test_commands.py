"""The create_api_token command (zeues/management/commands/create_api_token.py)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from zeues.models import ApiToken


@pytest.mark.django_db
def test_create_api_token_prints_the_token_on_the_last_line(django_user_model, capsys):
    user = django_user_model.objects.create_user(username="tablet-7", password="pw-123456789")
    call_command("create_api_token", "tablet-7")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.authenticate(raw)
    assert token is not None and token.user == user
    assert raw not in token.key_hash


@pytest.mark.django_db
def test_create_api_token_for_unknown_user_fails():
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")

"""The Sheets client (zeues/lib/sheets.py): bounded retries, Retry-After, no blind resend, configuration."""

from __future__ import annotations

import email.utils
import json
import time

import pytest
import requests
from gspread.exceptions import APIError

from conftest import SHEET_ID
from zeues.lib import sheets
from zeues.lib.sheets import RateLimiter, RetryPolicy, is_idempotent, parse_retry_after

BODY = {"majorDimension": "ROWS", "values": [["x"]]}


@pytest.fixture
def http(emulator, sheet_settings):
    emulator.create_spreadsheet(SHEET_ID, {"Hoja": [["a", "b"]]})
    return sheets.build_client().http_client


def test_retry_after_is_honoured(emulator, http):
    emulator.fail_next(1, 429, retry_after=0.15)
    started = time.monotonic()
    http.values_get(SHEET_ID, "'Hoja'!A1")
    assert time.monotonic() - started >= 0.15 and emulator.count() == 2


def test_retries_are_bounded(emulator, http):
    emulator.fail_next(10, 503)
    started = time.monotonic()
    with pytest.raises(APIError):
        http.values_get(SHEET_ID, "'Hoja'!A1")
    assert emulator.count() == 5 and time.monotonic() - started < 2


def test_a_retry_after_beyond_the_budget_gives_up_and_holds_off_later_requests(emulator, http):
    emulator.fail_next(1, 429, retry_after=120)
    with pytest.raises(APIError):
        http.values_get(SHEET_ID, "'Hoja'!A1")
    with pytest.raises(sheets.SheetsUnavailable, match="Retry-After"):
        http.values_get(SHEET_ID, "'Hoja'!A1")
    assert emulator.count() == 1  # the second request was never sent


def test_an_append_is_not_resent_after_a_5xx_but_is_after_a_429(emulator, http):
    emulator.fail_next(1, 503, kind="values.append")
    with pytest.raises(APIError):
        http.values_append(SHEET_ID, "'Hoja'!A1", {"valueInputOption": "RAW"}, BODY)
    assert emulator.count("values.append") == 1
    emulator.fail_next(2, 429, kind="values.append")
    http.values_append(SHEET_ID, "'Hoja'!A1", {"valueInputOption": "RAW"}, BODY)
    assert emulator.count("values.append") == 4
    assert [row[0] for row in emulator.values(SHEET_ID, "Hoja")] == ["a", "x"]


def test_connection_refused_is_retried_then_reported_in_spanish(emulator, http):
    emulator.stop()
    with pytest.raises(sheets.SheetsUnavailable, match="Sin conexión"):
        http.values_get(SHEET_ID, "'Hoja'!A1")


def test_api_errors_are_described_for_people(emulator, http):
    emulator.fail_next(1, 403)
    with pytest.raises(APIError) as caught:
        http.values_get(SHEET_ID, "'Hoja'!A1")
    assert sheets.describe(caught.value).startswith("Google Sheets respondió 403 (sin permiso")


def test_the_rate_limiter_keeps_a_sixty_second_window():
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert [limiter.wait_time() for _ in range(3)] == [0, 0, 0]
    assert limiter.wait_time() == 60
    now[0] = 59.5
    assert limiter.wait_time() == pytest.approx(0.5)
    now[0] = 60
    assert limiter.wait_time() == 0


def test_backoff_grows_with_jitter_and_never_undercuts_retry_after():
    policy = RetryPolicy(retries=4, base=1, max_wait=30)
    assert 0.5 <= policy.delay(0) <= 1 and 4 <= policy.delay(3) <= 8
    assert policy.delay(10) <= 30 and policy.delay(0, retry_after=7) == 7


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("5") == 5 and parse_retry_after("0.25") == 0.25
    assert parse_retry_after(None) is None and parse_retry_after("pronto") is None
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after(date, now=1_000_000) == pytest.approx(30)


@pytest.mark.parametrize(
    ("method", "url", "safe"),
    [
        ("GET", "https://sheets.googleapis.com/v4/spreadsheets/X/values/A1", True),
        ("PUT", "https://sheets.googleapis.com/v4/spreadsheets/X/values/A1", True),
        ("POST", "https://sheets.googleapis.com/v4/spreadsheets/X/values:batchUpdate", True),
        ("POST", "https://sheets.googleapis.com/v4/spreadsheets/X/values/A1:append", False),
        ("POST", "https://sheets.googleapis.com/v4/spreadsheets/X:batchUpdate", False),
    ],
)
def test_only_idempotent_requests_are_resent_after_ambiguous_failures(method, url, safe):
    assert is_idempotent(method, url) is safe


def test_without_endpoint_or_credentials_the_client_says_what_is_missing(settings):
    settings.ZEUES_SHEETS_ENDPOINT = settings.GOOGLE_CREDENTIALS_FILE = ""
    with pytest.raises(sheets.SheetsConfigError, match="GOOGLE_CREDENTIALS_FILE"):
        sheets.build_client()
    settings.GOOGLE_CREDENTIALS_FILE = "/no/such/file.json"
    with pytest.raises(sheets.SheetsConfigError, match="No se pudo leer"):
        sheets.build_client()


def test_credentials_and_endpoint_give_an_authorised_session_pointed_at_the_endpoint(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.auth.transport.requests import AuthorizedSession

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "zeues",
        "private_key_id": "1",
        "private_key": pem,
        "client_email": "zeues@zeues.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(info))
    settings.GOOGLE_CREDENTIALS_FILE, settings.ZEUES_SHEETS_ENDPOINT = str(path), "http://127.0.0.1:9"
    session = sheets.build_client().http_client.session
    assert isinstance(session, AuthorizedSession)
    adapter = session.get_adapter("https://sheets.googleapis.com/v4/spreadsheets/X")
    assert getattr(adapter, "base_url", None) == "http://127.0.0.1:9"
    assert isinstance(
        session.get_adapter("https://oauth2.googleapis.com/token"), requests.adapters.HTTPAdapter
    )

"""The Google Sheets client: gspread over a bounded-retry HTTP client, plus header lookups.

gspread's own BackOffHTTPClient retries forever and ignores `Retry-After`; a mirror that must
report "Google no responde" needs a bounded retry instead. `RetryingHTTPClient` retries 408,
429 and 5xx answers and connection errors with exponential backoff and jitter, waits at least
what `Retry-After` asks (and remembers it for the next request), keeps a client-side ceiling
on requests per minute, and never resends a request Google may already have applied (an
append) unless the answer proves it was refused (429). No models here.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gspread
import requests
from django.conf import settings
from gspread.exceptions import APIError
from urllib3.exceptions import NewConnectionError

from zeues.lib.headers import HeaderMap, column_letter

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
GOOGLE_BASE = "https://sheets.googleapis.com"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class SheetsError(Exception):
    """The sheet could not be read or written; the message is for people (Spanish)."""


class SheetsConfigError(SheetsError):
    """The mirror is not configured well enough to talk to Google."""


class SheetsUnavailable(SheetsError):
    """Google (or the configured endpoint) did not answer usefully within the retry budget."""


# --- retry policy --------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry one request and how long to wait in between."""

    retries: int = 4
    base: float = 1.0
    max_wait: float = 30.0

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        """The policy of ZEUES_SHEETS_RETRIES / _RETRY_BASE / _RETRY_MAX_WAIT."""
        return cls(
            retries=settings.ZEUES_SHEETS_RETRIES,
            base=settings.ZEUES_SHEETS_RETRY_BASE,
            max_wait=settings.ZEUES_SHEETS_RETRY_MAX_WAIT,
        )

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before retry number `attempt` (0-based): jittered backoff, never under Retry-After."""
        backoff = min(self.max_wait, self.base * 2**attempt)
        jittered = random.uniform(backoff / 2, backoff)  # noqa: S311 - timing jitter, not a secret
        return max(jittered, retry_after or 0.0)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date); None when absent or garbage."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))  # delta-seconds (decimals accepted)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RateLimiter:
    """At most `per_minute` requests in any 60-second window (thread-safe, per process)."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def wait_time(self) -> float:
        """Seconds until one more request fits in the window, recording it if it fits now."""
        with self._lock:
            now = self.clock()
            while self._sent and now - self._sent[0] >= 60:
                self._sent.popleft()
            if self.per_minute <= 0 or len(self._sent) < self.per_minute:
                self._sent.append(now)
                return 0.0
            return 60 - (now - self._sent[0])

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Block until a request may be sent."""
        while (wait := self.wait_time()) > 0:
            sleep(wait)


_limiter: RateLimiter | None = None


def process_limiter() -> RateLimiter:
    """The limiter shared by every client of this process (the quota is per user, not per client)."""
    global _limiter
    if _limiter is None or _limiter.per_minute != settings.ZEUES_SHEETS_MAX_PER_MINUTE:
        _limiter = RateLimiter(settings.ZEUES_SHEETS_MAX_PER_MINUTE)
    return _limiter


def is_idempotent(method: str, url: str) -> bool:
    """Whether sending the request twice has the effect of sending it once."""
    if method.upper() in ("GET", "PUT"):
        return True
    # values:batchUpdate / batchGet / clear write or read fixed ranges; an append adds rows
    # every time and a structural batchUpdate (addSheet) is not repeatable.
    return ":append" not in url and not (url.endswith(":batchUpdate") and "/values:" not in url)


def never_sent(exc: requests.RequestException) -> bool:
    """Whether the request surely never reached the server (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


class RetryingHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client with bounded retries, Retry-After and a requests-per-minute ceiling."""

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.policy = RetryPolicy.from_settings()
        self.limiter = process_limiter()
        self.sleep: Callable[[float], None] = time.sleep
        self.not_before = 0.0  # monotonic time before which Google asked us not to call
        self.sent = 0  # requests put on the wire, retries included
        self.timeout = settings.ZEUES_SHEETS_TIMEOUT

    def request(  # type: ignore[override]
        self, method: str, endpoint: str, **kwargs: Any
    ) -> requests.Response:
        """Send one API request; retry what is safe to retry, within the policy's bounds."""
        safe = is_idempotent(method, endpoint)
        for attempt in range(self.policy.retries + 1):
            last = attempt == self.policy.retries
            self._honour_not_before()
            self.limiter.acquire(self.sleep)
            try:
                self.sent += 1
                response = self.session.request(method=method, url=endpoint, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                if last or not (safe or never_sent(exc)):
                    raise SheetsUnavailable(f"Sin conexión con Google Sheets: {type(exc).__name__}") from exc
                self.sleep(self.policy.delay(attempt))
                continue
            if response.ok:
                return response
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                self.not_before = time.monotonic() + retry_after
            too_long = retry_after is not None and retry_after > self.policy.max_wait
            if last or too_long or status not in RETRY_STATUSES or not (safe or status == 429):
                raise APIError(response)
            self.sleep(self.policy.delay(attempt, retry_after))
        raise AssertionError("unreachable")  # pragma: no cover

    def _honour_not_before(self) -> None:
        """Wait out a Retry-After from an earlier answer, or give up if it is beyond the budget."""
        wait = self.not_before - time.monotonic()
        if wait <= 0:
            return
        if wait > self.policy.max_wait:
            raise SheetsUnavailable(f"Google pidió esperar {wait:.0f} s antes de reintentar (Retry-After).")
        self.sleep(wait)


def describe(exc: BaseException) -> str:
    """A one-line Spanish description of a Sheets failure, for status pages and logs."""
    if isinstance(exc, APIError):
        code = exc.response.status_code
        reason = {
            429: "cuota de Google excedida",
            403: "sin permiso sobre la planilla",
            404: "planilla no encontrada",
        }
        message = str(exc.error.get("message", "")).strip()
        return f"Google Sheets respondió {code} ({reason.get(code, 'error')}): {message}"[:500]
    if isinstance(exc, SheetsError):
        return str(exc)[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


# --- building the client -------------------------------------------------------------------


def load_credentials(path: str) -> Any:
    """Service-account credentials from the JSON file at `path`."""
    from google.oauth2.service_account import Credentials

    try:
        return Credentials.from_service_account_file(path, scopes=SCOPES)
    except (OSError, ValueError) as exc:
        raise SheetsConfigError(f"No se pudo leer GOOGLE_CREDENTIALS_FILE ({path}): {exc}") from exc


def build_session(endpoint: str, credentials: Any) -> requests.Session:
    """The HTTP session: authorised by the credentials, pointed at the endpoint, or both."""
    from google.auth.transport.requests import AuthorizedSession

    from zeues.lib.sheets_transport import endpoint_session

    if endpoint and credentials is None:
        return endpoint_session(endpoint)
    if credentials is None:
        raise SheetsConfigError("Falta GOOGLE_CREDENTIALS_FILE (o ZEUES_SHEETS_ENDPOINT para un emulador).")
    session = AuthorizedSession(credentials)
    if endpoint:
        # Reuse the endpoint session's URL-rewriting adapters on the authorised session.
        for prefix, adapter in endpoint_session(endpoint).adapters.items():
            if prefix not in ("http://", "https://"):
                session.mount(prefix, adapter)
    return session


def build_client() -> gspread.Client:
    """A gspread client as configured (endpoint, credentials), with the bounded-retry transport."""
    endpoint = settings.ZEUES_SHEETS_ENDPOINT.strip().rstrip("/")
    path = settings.GOOGLE_CREDENTIALS_FILE.strip()
    credentials = load_credentials(path) if path else None
    session = build_session(endpoint, credentials)
    return gspread.Client(auth=credentials, session=session, http_client=RetryingHTTPClient)  # type: ignore[arg-type]


def open_spreadsheet(client: gspread.Client, key: str | None = None) -> gspread.Spreadsheet:
    """The configured spreadsheet (one spreadsheets.get); SheetsError with a clear message."""
    key = key or settings.GOOGLE_SHEET_ID
    if not key:
        raise SheetsConfigError(
            "GOOGLE_SHEET_ID no está configurado: el espejo en Google Sheets está apagado."
        )
    try:
        return client.open_by_key(key)
    except gspread.SpreadsheetNotFound as exc:
        raise SheetsError(f"No existe la planilla {key} o la cuenta no tiene acceso a ella.") from exc
    except PermissionError as exc:
        raise SheetsError(f"La cuenta no tiene permiso sobre la planilla {key}.") from exc


# --- A1 ranges and values ------------------------------------------------------------------


def quote_sheet(name: str) -> str:
    """A sheet name as A1 notation wants it: `'Mi hoja'` (inner quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


def a1(sheet: str, first_col: int, row: int, last_col: int | None = None, last_row: int | None = None) -> str:
    """`'Sheet'!B3` or `'Sheet'!B3:D3` from 0-based columns and 1-based rows."""
    start = f"{column_letter(first_col)}{row}"
    if last_col is None:
        return f"{quote_sheet(sheet)}!{start}"
    return f"{quote_sheet(sheet)}!{start}:{column_letter(last_col)}{last_row or row}"


def column_range(sheet: str, col: int, from_row: int = 1) -> str:
    """A whole column from `from_row` down: `'Sheet'!C1:C`."""
    letter = column_letter(col)
    return f"{quote_sheet(sheet)}!{letter}{from_row}:{letter}"


def row_range(sheet: str, row: int = 1) -> str:
    """A whole row: `'Sheet'!1:1`."""
    return f"{quote_sheet(sheet)}!{row}:{row}"


def as_text(value: Any) -> str:
    """A cell value as the CSV export would show it (None → "")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def grid(value_range: dict[str, Any]) -> list[list[str]]:
    """The rows of one ValueRange as text (the API omits `values` for an empty range)."""
    return [[as_text(v) for v in row] for row in value_range.get("values", [])]


def column_values(value_range: dict[str, Any]) -> list[str]:
    """A one-column ValueRange as a list: entry i is the cell of the range's i-th row."""
    return [row[0] if row else "" for row in grid(value_range)]


def header_map(rows: Sequence[Sequence[str]]) -> HeaderMap:
    """The HeaderMap of a header-row ValueRange's rows (empty when the sheet has no header)."""
    return HeaderMap(rows[0] if rows else [])


def missing_tabs(client: gspread.Client, key: str, names: Sequence[str]) -> list[str]:
    """The tabs among `names` the spreadsheet lacks (one spreadsheets.get)."""
    meta = client.http_client.fetch_sheet_metadata(key)
    titles = {s["properties"]["title"] for s in meta.get("sheets", [])}
    return [name for name in names if name not in titles]


def read_tabs(client: gspread.Client, key: str, names: Sequence[str]) -> dict[str, list[list[str]]]:
    """Whole tabs as people see them (FORMATTED_VALUE, as the CSV export), in one values:batchGet."""
    params: dict[str, Any] = {"valueRenderOption": "FORMATTED_VALUE", "majorDimension": "ROWS"}
    try:
        answer = client.http_client.values_batch_get(key, [quote_sheet(n) for n in names], params=params)
    except APIError as exc:
        if exc.response.status_code == 400 and (missing := missing_tabs(client, key, names)):
            raise SheetsError(f"Falta la hoja {', '.join(missing)} en la planilla.") from exc
        raise
    return {name: grid(vr) for name, vr in zip(names, answer.get("valueRanges", []), strict=True)}

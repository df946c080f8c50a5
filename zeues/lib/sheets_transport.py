"""Point a requests session (and so gspread) at a Sheets API endpoint other than Google's.

`gspread.Client(auth=None, session=endpoint_session("http://127.0.0.1:8765"))` sends every
Sheets API call to that address, keeping path and query, and never touches the network
otherwise. gspread copies its URL constants at import, so rewriting at the transport is the
only place that catches them all (monkeypatching `gspread.urls` does not).

The Drive API (`www.googleapis.com`, used by gspread's `open(title)`, `creationTime`, sharing) is
not emulated: the session refuses it at once instead of trying the real network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.utils import should_bypass_proxies

SHEETS_API = "https://sheets.googleapis.com"
DRIVE_API = "https://www.googleapis.com"


class RewriteAdapter(HTTPAdapter):
    """A transport that sends requests for one URL prefix to another base URL."""

    def __init__(self, prefix: str, base_url: str) -> None:
        super().__init__()
        self.prefix = prefix.rstrip("/")
        self.base_url = base_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Rewrite the URL's scheme and host, then send as usual."""
        url = request.url or ""
        if url.startswith(self.prefix):
            request.url = self.base_url + url[len(self.prefix) :]
            # requests chose proxies for Google's host; NO_PROXY must be judged for the new one.
            proxies = kwargs.get("proxies")
            if proxies and should_bypass_proxies(request.url, no_proxy=proxies.get("no_proxy")):
                kwargs["proxies"] = {}
        return super().send(request, *args, **kwargs)


class RefuseAdapter(HTTPAdapter):
    """A transport that fails at once: for Google APIs nobody emulates."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Raise instead of reaching for the real Google."""
        raise requests.ConnectionError(
            f"not emulated, refusing to call Google: {request.method} {request.url}"
        )


def endpoint_session(
    base_url: str, token: str | None = None, *, headers: Mapping[str, str] | None = None
) -> requests.Session:
    """A session whose Sheets API calls go to `base_url` (e.g. `http://127.0.0.1:8765`)."""
    session = requests.Session()
    session.mount(SHEETS_API + "/", RewriteAdapter(SHEETS_API, base_url))
    session.mount(DRIVE_API + "/", RefuseAdapter())
    if token is not None:
        session.headers["Authorization"] = f"Bearer {token}"
    if headers:
        session.headers.update(headers)
    return session

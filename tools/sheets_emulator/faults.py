"""Fault injection and the request log.

Faults are decided when a request arrives, in this order: down (every request 503) → the next
queued failure that matches the request's kind → the per-minute quota. Latency is slept after
that, before the request is processed, so a client that times out may still see its write
applied later, as with the real service.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, quota_error


@dataclass(frozen=True)
class RequestRecord:
    """One request as the emulator saw and answered it."""

    method: str
    path: str  # URL-decoded, e.g. /v4/spreadsheets/DEV/values/'Metadata'!A1:append
    query: dict[str, str]  # first value of each parameter (see query_lists for repeats)
    query_lists: dict[str, list[str]]
    body: Any  # parsed JSON, or None
    status: int
    at: float  # time.monotonic() on arrival
    kind: str  # e.g. "values.batchUpdate"; "unknown" for routes the emulator lacks
    error: str | None = None  # the error message for non-2xx answers
    authorization: str | None = None  # the Authorization header, if any (never checked)

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    @property
    def ranges(self) -> list[str]:
        """The A1 ranges the request named (URL, `ranges=` or body), in order."""
        if self.kind == "values.batchGet":
            return list(self.query_lists.get("ranges", []))
        body = self.body if isinstance(self.body, dict) else {}
        if self.kind == "values.batchUpdate":
            return [str(item.get("range")) for item in body.get("data") or []]
        if self.kind == "values.batchClear":
            return [str(r) for r in body.get("ranges") or []]
        if "/values/" in self.path:
            rest = self.path.split("/values/", 1)[1]
            for suffix in (":append", ":clear"):
                rest = rest.removesuffix(suffix)
            return [rest]
        return []


@dataclass(frozen=True)
class Fault:
    """A queued failure: its HTTP status, optional Retry-After, and the kind it waits for."""

    status: int
    retry_after: float | None
    kind: str | None


class Faults:
    """The fault settings of one emulator (callers hold the emulator's lock)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """No faults, no latency, no quota."""
        self.down = False
        self.latency = 0.0
        self.queue: deque[Fault] = deque()
        self.per_minute: int | None = None
        self.window = 60.0
        self.split_read_write = False
        self.accepted: dict[str, deque[float]] = {}

    def take(self, kind: str, write: bool, now: float) -> ApiError | None:
        """The error this request gets, if any; an accepted request counts toward the quota."""
        if self.down:
            return ApiError(503)
        for fault in self.queue:
            if fault.kind is None or fault.kind == kind:
                self.queue.remove(fault)
                return self.error_for(fault, write)
        if self.per_minute is None:
            return None
        bucket = self.accepted.setdefault(
            ("write" if write else "read") if self.split_read_write else "all", deque()
        )
        while bucket and bucket[0] <= now - self.window:
            bucket.popleft()
        if len(bucket) >= self.per_minute:
            return quota_error(write)
        bucket.append(now)
        return None

    @staticmethod
    def error_for(fault: Fault, write: bool) -> ApiError:
        """The body Google sends for that status (429: the quota message)."""
        error = quota_error(write) if fault.status == 429 else ApiError(fault.status)
        error.retry_after = fault.retry_after
        return error

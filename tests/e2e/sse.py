"""A minimal server-sent-events client for tests: reads a stream in a thread."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.urls import reverse


@dataclass
class SseEvent:
    type: str
    data: Any
    id: str | None
    received_at: float


@dataclass
class SseClient:
    """Connect to the event stream of the server at `base_url` and collect every event until `close()`."""

    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    events: list[SseEvent] = field(default_factory=list)
    last_id: str | None = None

    def __post_init__(self) -> None:
        self.url = f"{self.base_url}{reverse('sse-stream')}"
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._opened.wait(10):
            raise RuntimeError(f"stream {self.url} did not open")

    def _run(self) -> None:
        headers = {**self.headers, "Accept": "text/event-stream"}
        if self.last_id:
            headers["Last-Event-ID"] = self.last_id
        with httpx.stream("GET", self.url, headers=headers, timeout=httpx.Timeout(5, read=None)) as response:
            response.raise_for_status()
            kind, data, event_id = "message", [], None
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line == "":
                    if data or kind != "message":
                        self._emit(kind, "\n".join(data), event_id)
                    kind, data, event_id = "message", [], None
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line.startswith("id:"):
                    event_id = line[3:].strip()

    def _emit(self, kind: str, raw: str, event_id: str | None) -> None:
        if kind == "stream-open":
            self._opened.set()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw
        if event_id:
            self.last_id = event_id
        self.events.append(SseEvent(kind, data, event_id, time.monotonic()))

    def of_type(self, *types: str) -> list[SseEvent]:
        """Received events of these types, in order."""
        return [e for e in self.events if e.type in types]

    def wait_for(self, count: int, types: tuple[str, ...], timeout: float = 5) -> list[SseEvent]:
        """Block until `count` events of `types` arrived (or the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.of_type(*types)) < count:
            time.sleep(0.02)
        return self.of_type(*types)

    def close(self) -> None:
        """Stop reading (the connection closes with the next line or keep-alive)."""
        self._stop.set()

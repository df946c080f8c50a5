"""Django's full request stack called in-process, as production configures it, for the benchmarks.

`django.test.Client` is the wrong stopwatch for server time: it copies every template context
it renders (the `template_rendered` signal) and keeps each response in reference cycles with
its request and context, so a page of 1,000 rows leaves garbage that only Python's oldest-
generation collection frees (60 ms pauses every dozen requests: bench/history.py found them).
Here a request is a WSGI environ handed to Django's own WSGIHandler: every middleware, the
session, the view and the templates, none of the test instrumentation, DEBUG off and the
startup objects frozen out of the GC (zeues/lib/startup.py) like a production server. Import this module before Django is set up; call `collect_static()` once it is.
"""

from __future__ import annotations

import io
import os
import time
from urllib.parse import urlencode

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
# Plain HTTP in-process: no redirect to HTTPS, cookies sent without TLS (docs/deployment.md).
os.environ.setdefault("ZEUES_SSL_REDIRECT", "false")
os.environ.setdefault("ZEUES_SECURE_COOKIES", "false")
# Hashed static names need collected files, as on a server: call collect_static() after setup.
os.environ.setdefault("STATIC_ROOT", "/tmp/zeues-bench-static")


def collect_static() -> None:
    """`collectstatic` into STATIC_ROOT (quietly; fast when nothing changed)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


class App:
    """GET requests through Django's WSGIHandler, logged in as one user (session cookie)."""

    def __init__(self, username: str | None = None) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.cookie = ""
        if username:
            from django.conf import settings
            from django.contrib.auth import get_user_model
            from django.test import Client

            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            self.cookie = (
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            )
        from zeues.lib.startup import freeze_startup_objects

        freeze_startup_objects()  # as zeues/asgi.py does in a server process

    def get(self, path: str, params: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        """Status and whole body (streamed bodies read to the end) of one GET."""
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(params or {}),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
            "HTTP_COOKIE": self.cookie,
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        status: list[str] = []
        body = self.handler(environ, lambda s, h, *a: status.append(s))
        try:
            content = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        return int(status[0].split()[0]), content

    def time_gets(
        self, path: str, count: int, params: dict | None = None, headers: dict | None = None
    ) -> tuple[list[float], int]:
        """Server times (ms) of `count` GETs that must answer 200, and the last body's size."""
        times, size = [], 0
        for _ in range(count):
            begin = time.perf_counter()
            status, content = self.get(path, params, headers)
            times.append((time.perf_counter() - begin) * 1000)
            assert status == 200, f"{path}: {status}"
            size = len(content)
        return times, size

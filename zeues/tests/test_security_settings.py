"""The secure defaults of DEBUG=false (HTTPS, cookies, HSTS, CSP), their relax variables, and the
deploy check run on them (scripts/test runs `manage.py check --deploy` too)."""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

import zeues

SETTINGS_FILE = Path(zeues.__file__).resolve().parent / "settings.py"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "zeues.example.com",
    "DATABASE_URL": "postgres://zeues@127.0.0.1:5432/zeues",
}
RELAX = (
    "ZEUES_SSL_REDIRECT",
    "ZEUES_SECURE_COOKIES",
    "ZEUES_HSTS_SECONDS",
    "ZEUES_CSP",
    "ZEUES_PROXY_SSL_HEADER",
)
# Settings the deploy checks read (MAILERS: pytest-django swaps in its locmem mailer); the rest
# (apps, databases) are the running test's.
CHECKED = (
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MIDDLEWARE", "TEMPLATES", "SILENCED_SYSTEM_CHECKS",
    "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_CSP", "SECURE_CSP_REPORT_ONLY", "MAILERS",
)  # fmt: skip


def load_settings(monkeypatch, **env: str) -> ModuleType:
    """zeues/settings.py executed afresh under `env` (on top of a clean production environment)."""
    for name in (*PRODUCTION, *RELAX):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**PRODUCTION, **env}.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("zeues_settings_under_test", SETTINGS_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db  # the model checks ask SQLite whether it supports JSONField
def test_production_settings_pass_the_deploy_check_with_no_warning(monkeypatch):
    prod = load_settings(monkeypatch)
    # Set for the browser tests' sync ORM calls (tests/conftest.py); never in a deployment.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with override_settings(**{name: getattr(prod, name) for name in CHECKED if hasattr(prod, name)}):
        # Raises CommandError on any warning; silenced: only W021 (HSTS preload, the domain's call).
        call_command("check", deploy=True, fail_level="WARNING")
    assert prod.SILENCED_SYSTEM_CHECKS == ["security.W021"]


def test_production_defaults_are_https_only(monkeypatch):
    prod = load_settings(monkeypatch)
    assert prod.SECURE_SSL_REDIRECT and prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
    assert prod.SECURE_HSTS_SECONDS == 31_536_000 and prod.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert prod.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert prod.SECURE_CSP["script-src"] == ["'self'", "<CSP_NONCE_SENTINEL>"]
    assert "'unsafe-inline'" not in str(prod.SECURE_CSP) and "'unsafe-eval'" not in str(prod.SECURE_CSP)
    assert prod.SECURE_CSP_REPORT_ONLY == {}
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in prod.MIDDLEWARE
    assert "django.template.context_processors.csp" in prod.TEMPLATES[0]["OPTIONS"]["context_processors"]


def test_each_default_relaxes_with_its_variable(monkeypatch):
    rig = load_settings(
        monkeypatch,
        ZEUES_SSL_REDIRECT="false",
        ZEUES_SECURE_COOKIES="false",
        ZEUES_HSTS_SECONDS="0",
        ZEUES_CSP="report-only",
        ZEUES_PROXY_SSL_HEADER="",
    )
    assert not rig.SECURE_SSL_REDIRECT and not rig.SESSION_COOKIE_SECURE and not rig.CSRF_COOKIE_SECURE
    assert rig.SECURE_HSTS_SECONDS == 0
    assert rig.SECURE_CSP == {} and rig.SECURE_CSP_REPORT_ONLY["default-src"] == ["'self'"]
    assert not hasattr(rig, "SECURE_PROXY_SSL_HEADER")
    assert load_settings(monkeypatch, ZEUES_CSP="off").SECURE_CSP_REPORT_ONLY == {}


def test_debug_reports_csp_violations_without_enforcing(monkeypatch):
    dev = load_settings(monkeypatch, DEBUG="true")
    assert dev.SECURE_CSP == {} and dev.SECURE_CSP_REPORT_ONLY
    assert not dev.SECURE_SSL_REDIRECT and not dev.SESSION_COOKIE_SECURE and dev.SECURE_HSTS_SECONDS == 0


def test_a_misspelt_csp_mode_fails_loudly(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ZEUES_CSP"):
        load_settings(monkeypatch, ZEUES_CSP="enforced")

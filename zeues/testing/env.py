"""Pytest plugin loaded first (`-p zeues.testing.env`): point the test run at real services.

Tests run against PostgreSQL and Redis over real connections. Defaults match this machine and
CI; override with DATABASE_URL / REDIS_URL. The Redis prefix keeps test keys apart from a
development server's.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zeues")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("ZEUES_REDIS_PREFIX", "zeues-test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")

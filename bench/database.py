"""The benchmarks' own PostgreSQL databases."""

from __future__ import annotations


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database named at the end of `url` (PostgreSQL)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

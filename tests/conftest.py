"""Test fixtures: one schema per test session (built by the migrations), one rolled-back
transaction per test, on SQLite or PostgreSQL (EXAMSITE_TEST_DB=sqlite|postgresql)."""

from __future__ import annotations

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.factories",
    "tests.fixtures.web",
    "tests.fixtures.live",
    "tests.fixtures.exams",
]

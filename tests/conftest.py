"""Test fixtures: one schema per test session (built by the migrations), one rolled-back
transaction per test, on SQLite or PostgreSQL (EXAMSITE_TEST_DB=sqlite|postgresql)."""

from __future__ import annotations

import pytest

# Helpers in tests/fixtures assert too: their failures show the values, as in a test.
pytest.register_assert_rewrite("tests.fixtures")

# The fixtures plugin: factories for every model (see CONTRIBUTING.md, "Tests"). Helpers
# shared by test modules live here too; a test module never imports from another.
pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.factories",
    "tests.fixtures.web",
    "tests.fixtures.queries",
    "tests.fixtures.bank",
    "tests.fixtures.exams",
    "tests.fixtures.appointments",
    "tests.fixtures.reports",
    "tests.fixtures.live",
]

"""The benchmarks stay runnable: they import the site's modules by name, so a refactoring
that moves a function breaks them without any other test noticing."""

from __future__ import annotations

import importlib

import pytest

from benchmarks import bank_import

MODULES = [
    "benchmarks.bank_import",
    "benchmarks.exams_domain",
    "benchmarks.practice_harvest",
    "benchmarks.rollout_scale",
    "benchmarks.load.harness",
]


@pytest.mark.parametrize("name", MODULES)
def test_the_benchmark_imports(name):
    importlib.import_module(name)


def test_the_bank_import_benchmark_imports_a_small_bank():
    # Its own SQLite database; the figures are the benchmark's business, not the test's.
    result = bank_import.run_child("sqlite", 200)
    assert result["questions"] == 200

"""The practice harvest against a live gunicorn (benchmarks/practice_harvest.py), briefly:
whatever practice shows, no drawn paper and no exam pool holds it (issue 16, item 1)."""

from __future__ import annotations

from benchmarks.practice_harvest import run


def test_a_harvest_of_practice_finds_nothing_of_the_papers():
    result = run(seconds=4)
    assert len(result.practice_stems) >= 20  # the harvest did collect questions
    assert result.papers == 5 and len(result.paper_stems) > 100
    assert len(result.exam_pool_stems) >= 500
    assert result.overlap_papers == 0
    assert result.overlap_pool == 0

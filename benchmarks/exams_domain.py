"""Benchmark: drawing 1,000 papers of 50 questions from a 5,000-question bank (target < 2 s)
and grading 1,000 submitted papers (target < 1 s). Pure functions, no database.

    .venv/bin/python benchmarks/exams_domain.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examsite.exams.domain.drawing import draw_papers
from examsite.exams.domain.grading import KeyItem, grade
from examsite.exams.domain.paper_spec import PaperSpec, PoolItem, Section

LAWS = [
    "宪法",
    "地方组织法",
    "监督法",
    "代表法",
    "选举法",
    "立法法",
    "监察法",
    "公务员法",
    "法官法",
    "检察官法",
]
DRAW_TARGET, GRADE_TARGET = 2.0, 1.0


def main() -> None:
    rng = random.Random(7)
    types = ["single"] * 3 + ["multiple", "true_false"]
    pool = [
        PoolItem(i, t, LAWS[i % len(LAWS)], rng.randint(1, 5), 2 if t == "true_false" else 4)
        for i, t in ((i, types[i % len(types)]) for i in range(5000))
    ]
    spec = PaperSpec(
        sections=(
            Section("single", 30, 2.0, law_quotas={"宪法": 10}),
            Section("multiple", 10, 2.0),
            Section("true_false", 10, 2.0, difficulty_quotas={3: 4}),
        )
    )
    start = time.perf_counter()
    papers = draw_papers(pool, spec, seed=12345, count=1000)
    draw_s = time.perf_counter() - start
    assert len(papers) == 1000 and all(len(p) == 50 for p in papers)

    keys = {
        item.revision_id: frozenset({0, 2} if item.qtype == "multiple" else {0}) for item in pool
    }
    sheets = []
    for paper in papers:
        key = [KeyItem(d.qtype, keys[d.revision_id], d.points) for d in paper]
        answers = {i: {rng.randrange(4)} for i in range(len(key))}
        sheets.append((key, answers))
    start = time.perf_counter()
    for key, answers in sheets:
        grade(key, answers, scheme="partial", pass_mark=60)
    grade_s = time.perf_counter() - start

    print(f"{'task':<44}{'seconds':>9}{'target':>8}{'ratio':>7}")
    for task, seconds, target in (
        ("draw 1,000 papers x 50 from 5,000 questions", draw_s, DRAW_TARGET),
        ("grade 1,000 papers", grade_s, GRADE_TARGET),
    ):
        print(f"{task:<44}{seconds:>9.3f}{target:>8.1f}{seconds / target:>7.2f}")


if __name__ == "__main__":
    main()

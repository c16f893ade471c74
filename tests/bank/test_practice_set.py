"""The practice set shipped in question_bank/practice/: large enough, every law of the live
bank, cited, and not a near-copy of any live question (the practice set is public)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from examsite.bank.formats.laws import bank_files
from examsite.bank.formats.template_csv import parse_csv

BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"
_PUNCT = re.compile(r"[\s，。、；：？！（）()“”《》　]")


def _grams(text: str) -> set[str]:
    bare = _PUNCT.sub("", text)
    return {bare[i : i + 3] for i in range(len(bare) - 2)}


def _load(files: list[Path]):
    questions = []
    for path in files:
        result = parse_csv(path.read_bytes())
        assert result.problems == [], (path.name, result.problems[:5])
        questions.extend(result.questions)
    return questions


def test_practice_set_is_large_cited_and_covers_every_law() -> None:
    practice = _load(bank_files(BANK_DIR / "practice"))
    live = _load(bank_files(BANK_DIR))
    assert len(practice) >= 150
    laws = Counter(q.category for q in practice)
    assert set(laws) == {q.category for q in live}, laws
    assert min(laws.values()) >= 10, laws
    assert all(q.legal_basis.startswith("《") and q.explanation for q in practice)
    assert {q.qtype for q in practice} == {"single", "multiple", "true_false"}


def test_no_practice_question_is_a_near_copy_of_a_live_one() -> None:
    practice = _load(bank_files(BANK_DIR / "practice"))
    live = [_grams(q.stem) for q in _load(bank_files(BANK_DIR))]
    live_keys = {q.key for q in _load(bank_files(BANK_DIR))}
    worst = 0.0
    for question in practice:
        assert question.key not in live_keys, question.stem
        grams = _grams(question.stem)
        for other in live:
            union = grams | other
            if union:
                worst = max(worst, len(grams & other) / len(union))
    assert worst < 0.45, worst

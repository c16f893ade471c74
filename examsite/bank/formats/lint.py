"""How far a bank can be answered from its form alone, without knowing the law (pure: no
Flask, no database).

``lint_files([BankFile(name, questions)])`` computes, per file and in total, the
score of each guessing heuristic and the spreads it exploits, and finds near-duplicate
pairs.  Each ``Figure`` says whether it is past its threshold:

* a heuristic (a rule a candidate who knows no law could follow) scoring above
  ``HEURISTIC_MAX`` (55%) of its questions;
* in four-option single choice, a key position (A, B, C or D) whose share is outside
  ``KEY_SHARE_RANGE`` (20–30%);
* in multiple choice, "all options but one" above ``ALL_BUT_ONE_MAX`` (40%) of the keys;
* any near-duplicate pair (character ``NGRAM``-gram Jaccard similarity of stem and options
  at least ``SIMILARITY_MIN``) whose questions do not share an exclusion group (互斥组).

A share is judged only on at least ``MIN_SAMPLE`` questions, and only when it stays past
its threshold with one question moved: a small file is not failed by rounding (9 questions
cannot put 20–30% on each of four letters).  Figures without a threshold are shown for
information.  Labels are Chinese, ``N_``-marked; render them with ``Figure.render``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Final

from examsite.bank.formats.model import N_, Msg, ParsedQuestion, QuestionType

__all__ = [
    "ALL_BUT_ONE_MAX",
    "HEURISTIC_MAX",
    "KEY_SHARE_RANGE",
    "MIN_SAMPLE",
    "NGRAM",
    "SIMILARITY_MIN",
    "BankFile",
    "Figure",
    "FileReport",
    "LintReport",
    "Pair",
    "lint_files",
]

# --------------------------------------------------------------------------- thresholds

#: A heuristic answering more than this share of its questions right makes the bank guessable.
HEURISTIC_MAX: Final = 0.55
#: Each key position of four-option single choice should hold this share of the keys.
KEY_SHARE_RANGE: Final = (0.20, 0.30)
#: At most this share of multiple-choice keys may be "every option but one".
ALL_BUT_ONE_MAX: Final = 0.40
#: Shares are judged on at least this many questions; fewer are shown as 样本不足.
MIN_SAMPLE: Final = 10
#: Near duplicates: Jaccard similarity of the character n-gram sets of stem and key
#: (``question_grams``).  On the shipped bank pairs from 0.55 up are one provision asked
#: twice, a parallel provision for another level (县级/乡级), or a statement that answers
#: another question; below it more and more pairs share only a law's stock phrases
#: (“根据宪法，……的机关是”).
NGRAM: Final = 3
SIMILARITY_MIN: Final = 0.55
#: The optional template column naming a question's exclusion group: questions of one group
#: are never drawn into one paper, so their similarity is allowed.
#: The pair search stops after this many pairs (the figure then reads "≥ 200"): a file of
#: templated questions, all alike, would otherwise cost n² comparisons in the preview.
MAX_PAIRS: Final = 200

#: Wording that a candidate reads as "too absolute to be true" (issue 22's 68% heuristic).
ABSOLUTE_WORDS: Final = (
    "一律", "必须", "所有", "都", "只能", "一切", "任何", "全部", "均", "完全", "绝对",
    "总是", "凡是", "唯一", "只有", "仅", "一定", "无论", "从不", "永远", "没有例外",
)  # fmt: skip
#: Hedged wording read as "leaves room, so probably true".
HEDGED_WORDS: Final = (
    "可以", "一般", "通常", "可能", "有权", "原则上", "酌情", "适当", "有的", "部分",
)  # fmt: skip
#: Prohibitions and denials, read as "a trap, so false".
NEGATIVE_WORDS: Final = ("不得", "不能", "不可以", "无权", "禁止", "不必", "无须", "不属于")
#: Words that contain one of the above without meaning it (首都 is not 都, 不仅 not 仅).
_FALSE_FRIENDS: Final = ("首都", "都市", "不仅", "仅仅是", "平均", "均衡")

_TRUE, _FALSE = 0, 1  # ParsedQuestion.answer of a true/false question


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Figure:
    """One figure: ``count`` of ``total`` (a share), or a plain count (``kind="count"``).

    ``low``/``high`` are the threshold (None: no bound); a figure with neither is shown for
    information only.
    """

    code: str
    label: str
    count: int
    total: int
    low: float | None = None
    high: float | None = None
    kind: str = "share"
    params: tuple[tuple[str, object], ...] = ()
    #: A count that stopped at a limit: there are at least ``count``.
    at_least: bool = False

    @property
    def judged(self) -> bool:
        return self.low is not None or self.high is not None

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def too_few(self) -> bool:
        """A judged share on fewer than ``MIN_SAMPLE`` questions: shown, not judged."""
        return self.judged and self.kind == "share" and self.total < MIN_SAMPLE

    @property
    def exceeded(self) -> bool:
        """Past its threshold, even with one question moved (see the module docstring)."""
        if not self.judged:
            return False
        if self.kind == "count":
            return self.high is not None and self.count > self.high
        if self.too_few:
            return False
        n = self.total
        above = self.high is not None and (self.count - 1) / n > self.high
        below = self.low is not None and (self.count + 1) / n < self.low
        return above or below

    def render(self, translate: Callable[[str], str]) -> str:
        """The label through ``translate`` (e.g. ``flask_babel.gettext``)."""
        values = {k: translate(v) if isinstance(v, Msg) else v for k, v in self.params}
        return translate(self.label) % values

    def value_text(self) -> str:
        """``68%（89/131）`` for a share, the number for a count, ``—`` with nothing to count."""
        if self.kind == "count":
            return f"≥{self.count}" if self.at_least else str(self.count)
        if not self.total:
            return "—"
        return f"{_percent(self.count / self.total)}（{self.count}/{self.total}）"

    def threshold_text(self) -> str:
        """``≤55%``, ``20%–30%``, ``0``; empty for an information figure."""
        if self.kind == "count":
            return "" if self.high is None else f"≤{self.high:g}"
        if self.low is not None and self.high is not None:
            return f"{_percent(self.low)}–{_percent(self.high)}"
        if self.high is not None:
            return f"≤{_percent(self.high)}"
        if self.low is not None:
            return f"≥{_percent(self.low)}"
        return ""

    def as_dict(self, translate: Callable[[str], str] = str) -> dict[str, object]:
        """For ``--json``."""
        return {
            "code": self.code,
            "label": self.render(translate),
            "count": self.count,
            "total": self.total,
            "share": self.share if self.kind == "share" else None,
            "low": self.low,
            "high": self.high,
            "judged": self.judged and not self.too_few,
            "exceeded": self.exceeded,
        }


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


@dataclass(frozen=True)
class QuestionRef:
    """Where a question is: its file, line and (for messages) stem."""

    file: str
    line: int
    stem: str
    group: str = ""


@dataclass(frozen=True)
class Pair:
    """Two near-duplicate questions and their similarity (0–1)."""

    first: QuestionRef
    second: QuestionRef
    similarity: float


@dataclass
class FileReport:
    """The figures of one file (or of all of them, ``name`` empty)."""

    name: str
    counts: Mapping[str, int]
    figures: list[Figure] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)

    @property
    def exceeded(self) -> list[Figure]:
        return [f for f in self.figures if f.exceeded]


@dataclass
class LintReport:
    """Every file's report and the total."""

    files: list[FileReport]
    total: FileReport
    #: The pair search stopped at ``MAX_PAIRS``.
    pairs_truncated: bool = False

    @property
    def exceeded(self) -> bool:
        return any(report.exceeded for report in (*self.files, self.total))


@dataclass(frozen=True)
class BankFile:
    """One parsed file: its name and questions (in file order), each with its 互斥组."""

    name: str
    questions: Sequence[ParsedQuestion]


# --------------------------------------------------------------------------- entry point


def lint_files(files: Iterable[BankFile]) -> LintReport:
    """The figures of each file and of all of them; near duplicates are sought across files."""
    files = list(files)
    refs = [
        (
            q,
            QuestionRef(f.name, q.source_line, q.stem, q.exclusion_group),
        )
        for f in files
        for q in f.questions
    ]
    pairs = near_duplicates(refs, limit=MAX_PAIRS + 1)
    truncated = len(pairs) > MAX_PAIRS
    pairs = pairs[:MAX_PAIRS]
    reports = []
    for f in files:
        own = [p for p in pairs if p.first.file == f.name and p.second.file == f.name]
        reports.append(_report(f.name, [f.questions], own, truncated))
    total = _report("", [f.questions for f in files], pairs, truncated)
    return LintReport(files=reports, total=total, pairs_truncated=truncated)


def _report(
    name: str,
    blocks: Sequence[Sequence[ParsedQuestion]],
    pairs: list[Pair],
    truncated: bool = False,
) -> FileReport:
    """Figures over ``blocks`` (one per file: bank order is read within a file)."""
    questions = [q for block in blocks for q in block]
    counts = Counter(q.qtype for q in questions)
    figures = [
        *_true_false([q for q in questions if q.qtype == QuestionType.TRUE_FALSE]),
        *_single([[q for q in b if q.qtype == QuestionType.SINGLE] for b in blocks]),
        *_multiple([q for q in questions if q.qtype == QuestionType.MULTIPLE]),
        Figure(
            "near_duplicates",
            N_("近似重复题对（相似度 ≥ %(min)s，且不在同一互斥组）"),
            len(pairs),
            len(questions),
            high=0,
            kind="count",
            params=(("min", f"{SIMILARITY_MIN:g}"),),
            at_least=truncated,
        ),
    ]
    return FileReport(name=name, counts=dict(counts), figures=figures, pairs=pairs)


# --------------------------------------------------------------------------- true/false


def _has_any(stem: str, words: Sequence[str]) -> bool:
    for friend in _FALSE_FRIENDS:
        stem = stem.replace(friend, "〇")
    return any(word in stem for word in words)


def _true_false(questions: Sequence[ParsedQuestion]) -> list[Figure]:
    n = len(questions)
    true = sum(1 for q in questions if q.answer[0] == _TRUE)
    figures = [
        Figure("tf_all_true", N_("判断题：全判“对”的得分"), true, n, high=HEURISTIC_MAX),
        Figure("tf_all_false", N_("判断题：全判“错”的得分"), n - true, n, high=HEURISTIC_MAX),
    ]
    rules = (
        (
            "absolute",
            N_("判断题：含绝对化用语（一律、必须、所有、都、只能等）判错，其余判对的得分"),
            N_("判断题：含绝对化用语的题中答案为“错”的比例"),
            ABSOLUTE_WORDS,
            _FALSE,
        ),
        (
            "hedged",
            N_("判断题：含留有余地的用语（可以、一般、有权等）判对，其余判错的得分"),
            N_("判断题：含留有余地用语的题中答案为“对”的比例"),
            HEDGED_WORDS,
            _TRUE,
        ),
        (
            "negative",
            N_("判断题：含否定用语（不得、不能、无权等）判错，其余判对的得分"),
            N_("判断题：含否定用语的题中答案为“错”的比例"),
            NEGATIVE_WORDS,
            _FALSE,
        ),
    )
    best = max(true, n - true)
    for code, rule_label, hit_label, words, guess in rules:
        hits = [q for q in questions if _has_any(q.stem, words)]
        hit_right = sum(1 for q in hits if q.answer[0] == guess)
        # Elsewhere the rule guesses the other way.
        rest_right = sum(
            1 for q in questions if q.answer[0] != guess and not _has_any(q.stem, words)
        )
        score = hit_right + rest_right
        best = max(best, score)
        figures.append(Figure(f"tf_{code}", rule_label, score, n, high=HEURISTIC_MAX))
        figures.append(
            Figure(f"tf_{code}_hits", hit_label, hit_right, len(hits), high=HEURISTIC_MAX)
        )
    figures.append(Figure("tf_best", N_("判断题：最佳猜测法的得分"), best, n))
    return figures


# --------------------------------------------------------------------------- single choice


def _single(blocks: Sequence[Sequence[ParsedQuestion]]) -> list[Figure]:
    questions = [q for block in blocks for q in block]
    four = [q for q in questions if len(q.options) == 4]
    positions = Counter(q.answer[0] for q in four)
    low, high = KEY_SHARE_RANGE
    figures = [
        Figure(
            f"single_key_{letter}",
            N_("单选题（4 个选项）：答案为 %(letter)s 的比例"),
            positions[index],
            len(four),
            low=low,
            high=high,
            params=(("letter", letter),),
        )
        for index, letter in enumerate("ABCD")
    ]
    # Bank order, within each file: keys cycling through A-D, or repeating.
    cycles = chunks = repeats = steps = 0
    for block in blocks:
        keys = [q.answer[0] for q in block if len(q.options) == 4]
        for start in range(0, len(keys) - 3, 4):
            chunks += 1
            cycles += len(set(keys[start : start + 4])) == 4
        steps += max(len(keys) - 1, 0)
        repeats += sum(1 for a, b in pairwise(keys) if a == b)
    figures += [
        Figure(
            "single_cycles",
            N_("单选题：题库顺序中每 4 题一组、答案恰为 A、B、C、D 各一的组的比例"),
            cycles,
            chunks,
            high=HEURISTIC_MAX,
        ),
        Figure(
            "single_repeats",
            N_("单选题：题库顺序中答案与上一题相同的比例"),
            repeats,
            steps,
        ),
    ]
    longest = shortest = 0
    for q in questions:
        lengths = [len(option) for option in q.options]
        # The heuristic picks the first of equally long options.
        longest += lengths.index(max(lengths)) == q.answer[0]
        shortest += lengths.index(min(lengths)) == q.answer[0]
    figures += [
        Figure(
            "single_longest",
            N_("单选题：选最长选项的得分"),
            longest,
            len(questions),
            high=HEURISTIC_MAX,
        ),
        Figure(
            "single_shortest",
            N_("单选题：选最短选项的得分"),
            shortest,
            len(questions),
            high=HEURISTIC_MAX,
        ),
    ]
    return figures


# --------------------------------------------------------------------------- multiple choice


def _multiple(questions: Sequence[ParsedQuestion]) -> list[Figure]:
    n = len(questions)
    spread = Counter((len(q.options), len(q.answer)) for q in questions)
    figures = [
        Figure(
            f"multiple_{options}_{keys}",
            N_("多选题：%(options)s 个选项中 %(keys)s 个正确的比例"),
            count,
            n,
            params=(("options", options), ("keys", keys)),
        )
        for (options, keys), count in sorted(spread.items())
    ]
    all_but_one = [q for q in questions if len(q.answer) == len(q.options) - 1]
    everything = sum(1 for q in questions if len(q.answer) == len(q.options))
    last_wrong = sum(1 for q in all_but_one if len(q.options) - 1 not in q.answer)
    figures += [
        Figure(
            "multiple_all_but_one",
            N_("多选题：答案为“只有一个选项错误”的比例"),
            len(all_but_one),
            n,
            high=ALL_BUT_ONE_MAX,
        ),
        Figure(
            "multiple_all",
            N_("多选题：全选的得分"),
            everything,
            n,
            high=HEURISTIC_MAX,
        ),
        Figure(
            "multiple_all_but_last",
            N_("多选题：除最后一个选项外全选的得分"),
            last_wrong,
            n,
            high=HEURISTIC_MAX,
        ),
        Figure(
            "multiple_last_wrong",
            N_("多选题：“只有一个选项错误”的题中错误选项是最后一个的比例"),
            last_wrong,
            len(all_but_one),
        ),
    ]
    return figures


# --------------------------------------------------------------------------- near duplicates

_NOT_TEXT_RE = re.compile(r"[\W_]+")


def question_grams(question: ParsedQuestion, n: int = NGRAM) -> frozenset[str]:
    """The character n-grams of the stem and the correct options (NFKC, case-folded,
    punctuation dropped; n-grams never span two fields).

    The distractors are left out: one law's questions share the same few organs as
    options, which made unrelated questions look alike, while what gives a question away is
    its fact, stem and key (a true/false statement saying what a choice question asks).
    """
    parts = [question.stem]
    if question.qtype != QuestionType.TRUE_FALSE:
        parts += [question.options[i] for i in question.answer]
    grams: set[str] = set()
    for part in parts:
        text = _NOT_TEXT_RE.sub("", unicodedata.normalize("NFKC", part).casefold())
        if len(text) < n:
            if text:
                grams.add(text)
            continue
        grams.update(text[i : i + n] for i in range(len(text) - n + 1))
    return frozenset(grams)


def near_duplicates(
    items: Sequence[tuple[ParsedQuestion, QuestionRef]],
    threshold: float = SIMILARITY_MIN,
    limit: int | None = None,
) -> list[Pair]:
    """Pairs whose n-gram Jaccard similarity is at least ``threshold``, most similar first;
    pairs in one exclusion group are left out.  With ``limit``, the search stops after that
    many pairs (which ones then depends on the order of the search).

    PPJoin (Xiao et al., "Efficient similarity joins for near duplicate detection", 2008):
    with the n-grams of every question sorted rarest first and the questions taken smallest
    first, a pair with Jaccard >= t shares its rarest common n-gram within the first
    ``|x| - ceil(t·|x|) + 1`` n-grams of the larger (probed) and the first
    ``|y| - ceil(2t/(1+t)·|y|) + 1`` of the smaller (indexed); the positions of the shared
    n-grams bound the overlap still possible, and only the candidates left are compared in
    full.  3,000 questions take a fraction of a second instead of 4.5 million set
    comparisons, also when they all share a long stock phrase.
    """
    grams = [question_grams(q) for q, _ in items]
    frequency = Counter(g for gs in grams for g in gs)
    ordered = [sorted(gs, key=lambda g: (frequency[g], g)) for gs in grams]
    sizes = [len(gs) for gs in grams]
    order = sorted(range(len(items)), key=lambda i: sizes[i])
    index: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    ratio = threshold / (1 + threshold)
    found: list[Pair] = []
    for i in order:
        size = sizes[i]
        if not size:
            continue
        probe = size - math.ceil(threshold * size) + 1
        overlap: dict[int, int] = {}
        for position, gram in enumerate(ordered[i][:probe]):
            for j, other_position in index[gram]:
                seen = overlap.get(j, 0)
                if seen < 0 or sizes[j] < threshold * size:
                    continue
                need = math.ceil(ratio * (size + sizes[j]))
                rest = min(size - position, sizes[j] - other_position) - 1
                overlap[j] = seen + 1 if seen + 1 + rest >= need else -1
        for j, seen in overlap.items():
            if seen <= 0:
                continue
            common = len(grams[i] & grams[j])
            similarity = common / (size + sizes[j] - common)
            if similarity < threshold:
                continue
            a, b = sorted((items[j][1], items[i][1]), key=lambda r: (r.file, r.line))
            if a.group and a.group == b.group:
                continue
            found.append(Pair(a, b, similarity))
        if limit is not None and len(found) >= limit:
            break
        indexed = size - math.ceil(2 * ratio * size) + 1
        for position, gram in enumerate(ordered[i][:indexed]):
            index[gram].append((i, position))
    found.sort(key=lambda p: (-p.similarity, p.first.file, p.first.line, p.second.line))
    return found

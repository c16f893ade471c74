"""The versions of the laws the bank cites (``question_bank/laws.csv``), and the check that a
question's 法律依据 fits the version it names (pure: no Flask, no database).

A question names the version its key follows in 法律版本.  The check refuses a question
whose named version is not listed for its law, or whose basis cites an article beyond the
article count of the named version (or of the current one when it names none).  A question
citing a law the table does not list passes: a county may keep its own topics.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Final, Protocol, TypeVar

from examsite.bank.formats.model import N_, ParsedQuestion, ParseResult, Problem, build_problem

#: The columns of laws.csv, in order.
LAW_COLUMNS: Final = ("法律", "简称", "版本", "施行日期", "条数", "现行")
#: The shipped table, next to the shipped bank.
SHIPPED_LAWS: Final = Path(__file__).resolve().parents[3] / "question_bank" / "laws.csv"

_DIGITS: Final = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_TITLE_RE: Final = re.compile(r"《([^》]+)》")
_ARTICLE_RE: Final = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条")


@dataclass(frozen=True)
class LawVersion:
    """One version of one law (a row of laws.csv)."""

    title: str  # the full title, as between 《》
    short: str  # the 分类 the bank uses (宪法, 监督法)
    version: str  # 2018年修正
    effective: date
    articles: int
    current: bool


@dataclass(frozen=True)
class LawTable:
    """Every listed version; a law's versions are ordered by effective date."""

    versions: tuple[LawVersion, ...] = ()

    def versions_of(self, law: str) -> list[LawVersion]:
        """The versions of a law named by its full title or its short name, oldest first."""
        found = [v for v in self.versions if law in (v.title, v.short)]
        return sorted(found, key=lambda v: v.effective)

    def find(self, law: str, version: str) -> LawVersion | None:
        return next((v for v in self.versions_of(law) if v.version == version), None)

    def current(self, law: str) -> LawVersion | None:
        versions = self.versions_of(law)
        marked = [v for v in versions if v.current]
        # Without a 现行 row, the latest listed version.
        chosen = marked or versions
        return chosen[-1] if chosen else None


class Cited(Protocol):
    """A parsed or a stored question: what the law check reads."""

    @property
    def legal_basis(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def law_version(self) -> str: ...


Q = TypeVar("Q", bound=Cited)


class LawTableError(ValueError):
    """laws.csv itself is malformed (a message naming the line)."""


def parse_laws(text: str) -> LawTable:
    """Read laws.csv text; raise ``LawTableError`` on a malformed row."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        return LawTable()
    if tuple(h.strip() for h in header) != LAW_COLUMNS:
        raise LawTableError(f"laws.csv: the header must be {','.join(LAW_COLUMNS)}")
    versions: list[LawVersion] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row]
        try:
            title, short, version, effective, articles, current = cells
            versions.append(
                LawVersion(
                    title=title.strip("《》"),
                    short=short,
                    version=version,
                    effective=date.fromisoformat(effective),
                    articles=int(articles),
                    current={"是": True, "否": False}[current],
                )
            )
        except (ValueError, KeyError) as exc:
            raise LawTableError(f"laws.csv line {number}: {exc}") from exc
    return LawTable(tuple(versions))


def read_laws(path: Path) -> LawTable:
    return parse_laws(path.read_text(encoding="utf-8"))


@cache
def shipped_laws() -> LawTable:
    """The shipped table; empty when the bank folder is not deployed."""
    return read_laws(SHIPPED_LAWS) if SHIPPED_LAWS.exists() else LawTable()


def chinese_number(text: str) -> int:
    """一百零五 -> 105, 十二 -> 12, 143 -> 143 (article numbers up to the thousands)."""
    if text.isdigit():
        return int(text)
    total = digit = 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit or 1) * _UNITS[char]  # 十二: a leading 十 means 一十
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + digit


def cited_law(basis: str) -> str:
    """The first 《title》 of a 法律依据, or ""."""
    match = _TITLE_RE.search(basis)
    return match.group(1).strip() if match else ""


def cited_articles(basis: str) -> list[int]:
    """Every article number a 法律依据 cites: 第十条第二款、第十一条 -> [10, 11]."""
    return [chinese_number(m) for m in _ARTICLE_RE.findall(basis)]


def law_of(question: Cited, table: LawTable) -> str:
    """The law a question follows: the title its basis cites, else its 分类 when listed."""
    title = cited_law(question.legal_basis)
    if title:
        return title
    return question.category if table.versions_of(question.category) else ""


def check_question(question: Cited, table: LawTable, line: int) -> list[Problem]:
    """The problems of one question against the table (none for an unlisted law)."""
    law = law_of(question, table)
    versions = table.versions_of(law) if law else []
    if not versions:
        return []
    name = versions[-1].title
    if question.law_version:
        version = table.find(law, question.law_version)
        if version is None:
            return [
                build_problem(
                    "unknown_law_version",
                    N_("第 %(line)s 行：《%(law)s》没有版本“%(version)s”，已知版本：%(known)s。"),
                    line,
                    False,
                    {
                        "law": name,
                        "version": question.law_version,
                        "known": "、".join(v.version for v in versions),
                    },
                )
            ]
    else:
        version = table.current(law)
        assert version is not None
    return [
        build_problem(
            "article_beyond_law",
            N_(
                "第 %(line)s 行：法律依据引用第 %(article)s 条，"
                "但《%(law)s》%(version)s 只有 %(count)s 条。"
            ),
            line,
            False,
            {
                "article": article,
                "law": name,
                "version": version.version,
                "count": version.articles,
            },
        )
        for article in cited_articles(question.legal_basis)
        if article > version.articles
    ][:1]


def check_result(result: ParseResult, table: LawTable) -> ParseResult:
    """``result`` with the questions failing the law check moved to its problems."""
    if not table.versions or not result.questions:
        return result
    kept: list[ParsedQuestion] = []
    found: list[Problem] = []
    for question in result.questions:
        problems = check_question(question, table, question.source_line)
        if problems:
            found.extend(problems)
        else:
            kept.append(question)
    if not found:
        return result
    # Keep the report in file order, a problem without a line first.
    problems = sorted([*result.problems, *found], key=lambda p: p.line or 0)
    return replace(result, questions=kept, problems=problems)


def stale_questions(questions: Iterable[Q], table: LawTable, law: str, version: str) -> list[Q]:
    """The questions on ``law`` that follow an older version than ``version`` (or name none,
    or name one the table does not list); ``version`` must be listed for ``law``."""
    target = table.find(law, version)
    if target is None:
        raise KeyError(version)
    titles = {v.title for v in table.versions_of(law)}
    stale: list[Q] = []
    for question in questions:
        if law_of(question, table) not in titles and question.category != target.short:
            continue
        named = table.find(target.title, question.law_version) if question.law_version else None
        if named is None or named.effective < target.effective:
            stale.append(question)
    return stale


def known_versions(table: LawTable, law: str) -> Sequence[str]:
    return [v.version for v in table.versions_of(law)]


#: The table's file name, in the bank folder beside the question files.
LAWS_FILENAME: Final = "laws.csv"


def bank_files(folder: Path, pattern: str = "*.csv") -> list[Path]:
    """The question files of a bank folder, in order: the law table is not one."""
    return sorted(p for p in folder.glob(pattern) if p.name != LAWS_FILENAME)

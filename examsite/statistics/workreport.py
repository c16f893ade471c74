"""The 人事任免 section of a standing committee's work report, with the figures filled in
(pure: no Flask, no database).

The words are the document's, in Chinese as official documents are written (like the oath
text), whatever the UI's language; numbers in Arabic digits as the reports write them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from examsite.appointments.numerals import chinese_numeral

HEADING = "人事任免工作"

#: The post kinds in the order the reports list them (matters.BUILTIN_POST_KINDS' words);
#: a body's own kinds follow, then the matters with no post kind.
POST_KIND_ORDER = (
    "专门委员会组成人员",
    "常委会工作机构负责人",
    "政府组成人员",
    "监察委员会组成人员",
    "法院法职人员",
    "检察院法职人员",
    "下级人民检察院检察长",
)
UNKNOWN_POST_KIND = "其他国家机关工作人员"
#: Who the roll-up's figures are of: the municipal body and the counties below it.
ROLLUP_SCOPE = "本级及所辖区县"

# matters.MatterKind values, grouped as the sentences word them.
_APPOINTING = frozenset({"appoint", "decide_appoint", "approve_appoint", "decide_acting"})
_REMOVING = frozenset({"remove", "dismiss", "accept_resignation", "approve_remove"})
_APPROVING = frozenset({"approve_appoint", "approve_remove"})


class Figures(Protocol):
    """What the sentences read (statistics.figures.BodyStatistics has it all)."""

    matters: int
    appointed: int
    removed: int
    elected: int
    by_post_kind: dict[str, int]
    by_post_kind_and_kind: dict[str, dict[str, int]]
    sittings: int
    tested: int
    passed: int
    passed_makeup: int
    statements: int
    ceremonies: int
    oaths: int
    oaths_elected: int
    report_rounds: int
    reporters: int
    reports_oral: int
    reports_written: int
    satisfied: int
    unsatisfied: int
    rectifications_open: int
    rectifications_closed: int

    @property
    def coverage(self) -> float | None: ...


@dataclass(frozen=True)
class Section:
    """The document: its title line, the section heading and the paragraphs."""

    title: str
    heading: str
    paragraphs: tuple[str, ...]


def post_kind_order(by_post_kind: Mapping[str, int]) -> list[str]:
    builtin = [k for k in POST_KIND_ORDER if by_post_kind.get(k)]
    own = sorted(k for k, n in by_post_kind.items() if n and k and k not in POST_KIND_ORDER)
    unknown = [""] if by_post_kind.get("") else []
    return builtin + own + unknown


def post_kind_clause(name: str, kinds: Mapping[str, int]) -> str:
    """“任命专门委员会组成人员16人次”: 任命 when only appointing kinds, 免去 when only
    removing ones, 任免 when both; 批准 before it when every matter was an approval."""
    n = sum(kinds.values())
    appointing = any(kinds.get(k) for k in _APPOINTING)
    removing = any(kinds.get(k) for k in _REMOVING)
    verb = "任免" if appointing and removing else ("任命" if appointing else "免去")
    if all(k in _APPROVING for k, v in kinds.items() if v):
        verb = "批准" + verb
    return f"{verb}{name or UNKNOWN_POST_KIND}{n}人次"


def matters_sentence(
    opening: str, f: Figures, per_year: Sequence[tuple[int, int]] = (), *, rollup: bool = False
) -> str:
    """“{opening}，常委会共依法任免国家机关工作人员N人次（任命M人次），其中…。”; the roll-up
    says whose: “本级及所辖区县人大常委会”."""
    committee = f"{ROLLUP_SCOPE}人大常委会" if rollup else "常委会"
    congress = f"{ROLLUP_SCOPE}人民代表大会" if rollup else "人民代表大会"
    text = (
        f"{opening}，{committee}共依法任免国家机关工作人员{f.matters}人次（任命{f.appointed}人次）"
    )
    years = [f"{year}年任免{n}人次" for year, n in per_year]
    if years:
        text += "，其中" + "，".join(years)
    clauses = [
        post_kind_clause(k, f.by_post_kind_and_kind.get(k, {}))
        for k in post_kind_order(f.by_post_kind)
    ]
    if clauses:
        text += "；" if years else "，其中，"
        text += "，".join(clauses)
    text += "。"
    if f.elected:
        text += f"{congress}选举产生国家机关工作人员{f.elected}人次。"
    return text


def steps_sentence(f: Figures) -> str:
    """The test, the statements and the oaths in one sentence."""
    passed = f"{f.passed}人合格"
    if f.passed_makeup:
        passed += f"（其中补考合格{f.passed_makeup}人）"
    oaths = f"{f.oaths}人次宣誓"
    if f.oaths_elected:
        oaths += f"（其中人民代表大会选举产生人员{f.oaths_elected}人次）"
    return (
        f"组织任前法律知识考试{f.sittings}次，{f.tested}人参加，{passed}；"
        f"{f.statements}人次作任前表态发言；"
        f"组织宪法宣誓{f.ceremonies}次，{oaths}。"
    )


def reports_sentence(f: Figures) -> str:
    """The post-appointment reports: rounds, persons, oral and written, satisfaction."""
    text = (
        f"开展任后履职报告{f.report_rounds}次，{f.reporters}人报告履职情况，"
        f"其中口头报告{f.reports_oral}人次、书面报告{f.reports_written}人次；"
        f"满意度测评满意{f.satisfied}人次、不满意{f.unsatisfied}人次"
    )
    rectifications = f.rectifications_open + f.rectifications_closed
    if rectifications:
        text += f"；督促整改{rectifications}人次，已完成整改{f.rectifications_closed}人次"
    if f.coverage is not None:
        text += f"；报告覆盖率{f.coverage:g}%"
    return text + "。"


def _title(body_name: str, period: str, rollup: bool) -> str:
    """“示例市人大常委会2026年人事任免工作情况”; the roll-up's “…及所辖区县2026年…”."""
    return f"{body_name}{'及所辖区县' if rollup else ''}{period}人事任免工作情况"


def year_section(body_name: str, year: int, f: Figures, *, rollup: bool = False) -> Section:
    """The section of the year's work report (``rollup``: the figures are the body's and
    its counties' together, and the words say so)."""
    return Section(
        title=_title(body_name, f"{year}年", rollup),
        heading=HEADING,
        paragraphs=(
            matters_sentence(f"{year}年", f, rollup=rollup),
            steps_sentence(f),
            reports_sentence(f),
        ),
    )


def term_opening(years: int, finished: bool) -> str:
    """“五年来” for a term that has ended, “本届以来” for the current one."""
    return f"{chinese_numeral(years)}年来" if finished and years > 0 else "本届以来"


def term_section(
    body_name: str,
    term: int,
    f: Figures,
    per_year: Sequence[tuple[int, int]],
    *,
    years: int,
    finished: bool,
    rollup: bool = False,
) -> Section:
    """The section of the term's report: the term's figures, with 任免人次 per year."""
    return Section(
        title=_title(body_name, f"第{chinese_numeral(term)}届", rollup),
        heading=HEADING,
        paragraphs=(
            matters_sentence(term_opening(years, finished), f, per_year, rollup=rollup),
            steps_sentence(f),
            reports_sentence(f),
        ),
    )

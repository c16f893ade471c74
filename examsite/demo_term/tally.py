"""What the generator created, counted as it creates it, by the definitions of
``statistics.figures.BodyStatistics`` (so a test can hold the statistics to them)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from datetime import date

from examsite.appointments.matters import APPOINTING, COMMITTEE_KINDS, MatterKind
from examsite.core.body import Body
from examsite.statistics.figures import BodyStatistics

_ADDITIVE = (
    "matters",
    "appointed",
    "removed",
    "elected",
    "sittings",
    "statements",
    "ceremonies",
    "oaths",
    "oaths_appointed",
    "oaths_elected",
    "reports_oral",
    "reports_written",
    "satisfied",
    "unsatisfied",
    "rectifications_open",
    "rectifications_closed",
    "report_subjects",
)

#: 人次 per post kind and kind: a field the statistics change adds to BodyStatistics
#: (filled when the class has it).
NESTED = "by_post_kind_and_kind"


@dataclass
class _Period:
    counts: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_post_kind: Counter[str] = field(default_factory=Counter)
    by_post_kind_and_kind: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: candidate key -> [(sitting start, passed)] of graded attempts in closed sittings.
    graded: dict[object, list[tuple[date, int, bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    reporters: set[object] = field(default_factory=set)
    rounds: set[object] = field(default_factory=set)


class Tally:
    """One body's counts per calendar year (local days, as the records are dated)."""

    def __init__(self) -> None:
        self.years: dict[int, _Period] = defaultdict(_Period)

    def matter(self, kind: MatterKind, post_kind: str, voted_on: date, through: bool) -> None:
        if not through:
            return
        period = self.years[voted_on.year]
        period.by_kind[kind.value] += 1
        if kind == MatterKind.ELECT:
            period.counts["elected"] += 1
        if kind in COMMITTEE_KINDS:
            period.counts["matters"] += 1
            period.by_post_kind[post_kind] += 1
            period.by_post_kind_and_kind[post_kind, kind.value] += 1
            period.counts["appointed" if kind in APPOINTING else "removed"] += 1

    def sitting(self, starts_on: date) -> None:
        self.years[starts_on.year].counts["sittings"] += 1

    def graded(self, candidate: object, starts_on: date, order: int, passed: bool) -> None:
        self.years[starts_on.year].graded[candidate].append((starts_on, order, passed))

    def statement(self, delivered_on: date) -> None:
        self.years[delivered_on.year].counts["statements"] += 1

    def ceremony(self, starts_on: date, appointed: int, elected: int) -> None:
        if appointed + elected == 0:
            return
        counts = self.years[starts_on.year].counts
        counts["ceremonies"] += 1
        counts["oaths"] += appointed + elected
        counts["oaths_appointed"] += appointed
        counts["oaths_elected"] += elected

    def report(
        self,
        plan: object,
        person: object,
        delivered_on: date,
        oral: bool,
        satisfied: bool,
        rectification: str | None,
    ) -> None:
        period = self.years[delivered_on.year]
        period.rounds.add(plan)
        period.reporters.add(person)
        period.counts["reports_oral" if oral else "reports_written"] += 1
        period.counts["satisfied" if satisfied else "unsatisfied"] += 1
        if rectification is not None:
            period.counts[f"rectifications_{rectification}"] += 1

    def subject_due(self, due_on: date) -> None:
        self.years[due_on.year].counts["report_subjects"] += 1

    def figures(self, years: list[int], body: Body | None = None) -> BodyStatistics:
        """The figures of the given calendar years taken together."""
        stats = BodyStatistics(body=body)
        counts: Counter[str] = Counter()
        by_kind: Counter[str] = Counter()
        by_post_kind: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        graded: dict[object, list[tuple[date, int, bool]]] = defaultdict(list)
        reporters: set[object] = set()
        rounds: set[object] = set()
        for year in years:
            period = self.years.get(year)
            if period is None:
                continue
            counts.update(period.counts)
            by_kind.update(period.by_kind)
            by_post_kind.update(period.by_post_kind)
            pairs.update(period.by_post_kind_and_kind)
            for person, attempts in period.graded.items():
                graded[person].extend(attempts)
            reporters |= period.reporters
            rounds |= period.rounds
        for name in _ADDITIVE:
            setattr(stats, name, counts[name])
        stats.by_kind = {k: v for k, v in sorted(by_kind.items()) if v}
        stats.by_post_kind = {k: v for k, v in sorted(by_post_kind.items()) if v}
        if NESTED in {f.name for f in fields(stats)}:
            nested: dict[str, dict[str, int]] = {}
            for (post_kind, kind), n in sorted(pairs.items()):
                if n:
                    nested.setdefault(post_kind, {})[kind] = n
            setattr(stats, NESTED, nested)
        stats.tested = len(graded)
        for attempts in graded.values():
            attempts.sort()
            if attempts[0][2]:
                stats.passed_first += 1
            elif any(passed for _, _, passed in attempts):
                stats.passed_makeup += 1
        stats.passed = stats.passed_first + stats.passed_makeup
        stats.reporters = len(reporters)
        stats.report_rounds = len(rounds)
        return stats

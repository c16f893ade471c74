"""Every figure of the work reports, for bodies and a period of local days, in a fixed
number of grouped queries (never a query per body).

Units as the reports use them: 人次 for matters, statements, oaths and reports; 人 for
people; 次 for sittings, ceremonies and reporting rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from examsite.core.body import Body


@dataclass
class BodyStatistics:
    """One body's figures for a period (``body`` is None for a total)."""

    body: Body | None
    #: 任免人次: the committee's matters (matters.COMMITTEE_KINDS) voted through
    #: (VoteOutcome.APPOINTED) with a vote_date in the period.
    matters: int = 0
    #: 任命人次: those of matters.APPOINTING kinds.
    appointed: int = 0
    #: 免职人次 (免职, 撤职, 接受辞职, 批准免职): those of matters.REMOVING kinds.
    removed: int = 0
    #: 人次 per MatterKind value (committee kinds and 选举), voted through in the period.
    by_kind: dict[str, int] = field(default_factory=dict)
    #: 人次 per post kind name ("" when unknown), committee kinds only.
    by_post_kind: dict[str, int] = field(default_factory=dict)
    #: 人次: 选举 matters recorded through (by the congress session) in the period.
    elected: int = 0
    #: 次: closed sittings that started in the period.
    sittings: int = 0
    #: 人: distinct candidates with a graded attempt in those sittings.
    tested: int = 0
    #: 人: distinct candidates who passed in those sittings.
    passed: int = 0
    #: 人: passed at their first graded attempt / only after a make-up.
    passed_first: int = 0
    passed_makeup: int = 0
    #: 人次: statements delivered (delivered_on in the period).
    statements: int = 0
    #: 次: confirmed ceremonies that started in the period with at least one person sworn.
    ceremonies: int = 0
    #: 人次: persons sworn at those ceremonies (appointed + elected).
    oaths: int = 0
    oaths_appointed: int = 0
    oaths_elected: int = 0
    #: 次: reporting rounds (report plans) with a report delivered in the period.
    report_rounds: int = 0
    #: 人: distinct persons who reported in the period.
    reporters: int = 0
    #: 人次: reports delivered in the period, oral and written.
    reports_oral: int = 0
    reports_written: int = 0
    #: 人次: satisfaction outcomes of the reports delivered in the period.
    satisfied: int = 0
    unsatisfied: int = 0
    #: 人次: rectifications required for reports in the period, still open / closed.
    rectifications_open: int = 0
    rectifications_closed: int = 0
    #: Report subjects due in the period (the denominator of coverage).
    report_subjects: int = 0

    @property
    def reports(self) -> int:
        return self.reports_oral + self.reports_written

    @property
    def pass_rate(self) -> float | None:
        return round(100 * self.passed / self.tested, 1) if self.tested else None

    @property
    def coverage(self) -> float | None:
        return round(100 * self.reports / self.report_subjects, 1) if self.report_subjects else None


def compute(
    bodies: list[Body], start: date, end: date, zone: str = "Asia/Shanghai"
) -> list[BodyStatistics]:
    """The figures of each body for the local days [start, end], in the bodies' order."""
    raise NotImplementedError  # written by the statistics change (issue 20)


def total(rows: list[BodyStatistics]) -> BodyStatistics:
    """The sum of the rows (the municipal body's roll-up of its counties)."""
    raise NotImplementedError  # written by the statistics change (issue 20)

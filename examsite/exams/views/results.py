"""Staff pages for a sitting's results: the table and its spreadsheet, a candidate's
printable score report, and the item analysis of the sitting's questions."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from examsite.bank.models import QuestionRevision
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.exports import xlsx_response
from examsite.core.qr import qr_svg
from examsite.core.roles import ROLE_STAFF
from examsite.core.tenancy import body_required
from examsite.core.urls import external_url
from examsite.exams import history, loaders
from examsite.exams.models import Sitting
from examsite.exams.results import item_stats_by
from examsite.exams.views import bp
from examsite.extensions import db


def _result_rows(sitting_: Sitting) -> list[list[Any]]:
    """One row per candidate; when the sitting is a make-up or has one, a last cell lists
    the candidate's attempts over the chain (“首考 0 分 未通过 / 补考 100 分 通过”)."""
    chain = history.chain_attempts(sitting_)
    rows = []
    for a in sitting_.attempts:
        row: list[Any] = [
            a.candidate.name,
            a.candidate.masked_id,
            a.candidate.work_unit,
            a.candidate.proposed_post,
            a.candidate.post_category_label,
            a.status_label,  # the word on the results page, not the stored code
            a.score if a.score is not None else "",
            a.max_score or "",
            history.result_text(a) if a.passed is not None else "",
        ]
        if chain:
            row.append(" / ".join(history.summary(t) for t in chain.get(a.candidate_id, [a])))
        rows.append(row)
    return rows


@bp.get("/sittings/<int:sitting_id>/results")
@body_required(ROLE_STAFF)
def results(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
    graded = [a for a in sitting_.attempts if a.score is not None]
    passed = sum(1 for a in graded if a.passed)
    return render_template(
        "exams/results.html",
        body=body,
        sitting=sitting_,
        graded=len(graded),
        passed=passed,
    )


@bp.get("/sittings/<int:sitting_id>/results.xlsx")
@body_required(ROLE_STAFF)
def results_xlsx(body: Body, sitting_id: int) -> Response:
    sitting_ = loaders.sitting_in(body, sitting_id, loaders.WITH_ROSTER)
    headers = [
        "姓名",
        "身份证号",
        "工作单位",
        "拟任职务",
        "职务类别",
        "状态",
        "得分",
        "满分",
        "结果",
    ]
    rows = _result_rows(sitting_)
    if rows and len(rows[0]) > len(headers):
        headers.append("首考与补考")
    audit.record("sitting.export", target=sitting_, rows=len(sitting_.attempts))
    return xlsx_response(
        _("考试成绩-%(title)s", title=sitting_.title),
        headers,
        rows,
        sheet=_("考试成绩"),
        title=_("%(title)s 考试成绩", title=sitting_.title),
        body=body.name,
    )


@bp.get("/sittings/<int:sitting_id>/attempts/<int:attempt_id>/report")
@body_required(ROLE_STAFF)
def score_report(body: Body, sitting_id: int, attempt_id: int) -> Any:
    """The printable score report, with a QR code that verifies it on the site."""
    sitting_ = loaders.sitting_in(body, sitting_id)
    attempt = loaders.attempt_in(sitting_, attempt_id)
    if attempt.result_token is None:
        abort(404)
    url = external_url("exam.verify", token=attempt.result_token)
    return render_template(
        "exams/score_report.html",
        body=body,
        sitting=sitting_,
        attempt=attempt,
        qr=qr_svg(url, box=4),
        verify_url=url,
    )


def sitting_item_stats(sitting_: Sitting) -> list[dict[str, Any]]:
    """Facility, discrimination and option counts of each question on this sitting's papers."""
    stats = item_stats_by(sitting_.attempts, key=lambda item: item.revision_id)
    revisions = {
        r.id: r
        for r in db.session.scalars(
            select(QuestionRevision).where(QuestionRevision.id.in_(list(stats)))
        )
    }
    rows: list[dict[str, Any]] = [
        {"revision": revisions[rid], "stats": item} for rid, item in stats.items()
    ]
    rows.sort(key=lambda r: r["stats"].facility if r["stats"].facility is not None else 2)
    return rows


@bp.get("/sittings/<int:sitting_id>/analysis")
@body_required(ROLE_STAFF)
def item_analysis(body: Body, sitting_id: int) -> Any:
    sitting_ = loaders.sitting_in(body, sitting_id)
    return render_template(
        "exams/analysis.html", body=body, sitting=sitting_, rows=sitting_item_stats(sitting_)
    )

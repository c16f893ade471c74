"""`flask questions ...`: check, lint, import and export question-bank files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from examsite.bank import exporting, importing
from examsite.bank.errors import BankError
from examsite.bank.formats import lint
from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.laws import bank_files, shipped_laws, stale_questions
from examsite.bank.formats.model import LABEL_BY_TYPE, QuestionType
from examsite.bank.models import PURPOSE_EXAM, PURPOSES, STATUS_ACTIVE, Question
from examsite.core.body import Body
from examsite.extensions import db

questions = AppGroup("questions", help="The question bank (题库).")

SUFFIXES = {".csv", ".xlsx", ".gift", ".txt", ".xml", ".docx"}


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        # laws.csv sits beside the question files but holds the law versions, not questions.
        return [p for p in bank_files(path, "*") if p.suffix.lower() in SUFFIXES]
    return [path]


def _body(code: str) -> Body:
    body = db.session.scalars(select(Body).where(Body.code == code)).first()
    if body is None:
        raise click.BadParameter(f"no body with code {code!r}", param_hint="--body")
    return body


@questions.command("check")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--strict", is_flag=True, help="Also fail on skipped items (duplicates, types).")
def check(path: Path, strict: bool) -> None:
    """Validate bank files without importing; print counts per law and type."""
    seen: set[tuple[str, str]] = set()
    counts: Counter[tuple[str, str]] = Counter()
    errors = skipped = 0
    max_bytes = int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024
    for file in _files(path):
        # Earlier files count as existing, so a question repeated across files is reported.
        result = parse_file(file.name, file.read_bytes(), existing=seen, max_bytes=max_bytes)
        for problem in result.problems:
            click.echo(f"{file.name}: {problem.message}", err=True)
        errors += len(result.errors)
        skipped += len(result.skipped)
        for q in result.questions:
            counts[(q.category, q.qtype)] += 1
            seen.add(q.key)
        click.echo(f"{file.name}: {len(result.questions)} questions, {len(result.errors)} errors")
    laws = sorted({law for law, _ in counts})
    types = QuestionType.ALL
    # Tab-separated: CJK text defeats column padding, and a TSV pastes into a spreadsheet.
    click.echo("\n" + "\t".join(["分类", *(LABEL_BY_TYPE[t] for t in types), "合计"]))
    for law in laws:
        row = [counts[(law, t)] for t in types]
        click.echo("\t".join([law, *map(str, row), str(sum(row))]))
    click.echo(f"Total: {sum(counts.values())} questions, {errors} errors, {skipped} skipped")
    if errors or (strict and skipped):
        raise SystemExit(1)


@questions.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--body", "body_code", required=True, help="Code of the body that owns them.")
@click.option("--valid-only", is_flag=True, help="Import valid questions, report the rest.")
@click.option(
    "--purpose",
    type=click.Choice(PURPOSES),
    default=PURPOSE_EXAM,
    show_default=True,
    help="exam: live papers only; practice: 模拟练习 only (a 用途 column overrides per row).",
)
def import_(path: Path, body_code: str, valid_only: bool, purpose: str) -> None:
    """Import bank files (all-or-nothing per file unless --valid-only)."""
    body = _body(body_code)
    failed = False
    for file in _files(path):
        try:
            with db.session.begin_nested():  # a refused file leaves nothing of itself
                result = importing.import_file(
                    body, file.name, file.read_bytes(), valid_only=valid_only, purpose=purpose
                )
        except BankError as exc:
            failed = True
            for problem in exc.problems:
                click.echo(f"{file.name}: {getattr(problem, 'message', problem)}", err=True)
            click.echo(f"{file.name}: nothing imported", err=True)
            continue
        for problem in result.problems:
            click.echo(f"{file.name}: {problem.message}", err=True)
        click.echo(f"{file.name}: imported {len(result.questions)} questions")
    if failed:
        raise SystemExit(1)


@questions.command("export")
@click.option("--body", "body_code", required=True)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(exporting.EXPORT_FORMATS)), default="xlsx"
)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True)
@click.option("--purpose", type=click.Choice(PURPOSES), default=None, help="Only one purpose.")
def export(body_code: str, fmt: str, output: Path, purpose: str | None) -> None:
    """Export a body's own active questions."""
    data = exporting.export_bank(_body(body_code), fmt, purpose=purpose)
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({len(data)} bytes)")


def _excerpt(text: str, limit: int = 30) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


@questions.command("stale")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--law", required=True, help="The law, by 简称 (代表法) or full title.")
@click.option("--version", "version", required=True, help="The new version, e.g. 2025年修正.")
@click.option("--body", "body_code", default=None, help="Code of the body whose bank to list.")
def stale(path: Path | None, law: str, version: str, body_code: str | None) -> None:
    """List the questions on a law that follow an older version than VERSION (or name none)."""
    table = shipped_laws()
    known = [v.version for v in table.versions_of(law)]
    if not known:
        raise click.BadParameter(f"{law!r} is not in laws.csv", param_hint="--law")
    if version not in known:
        raise click.BadParameter(
            f"{version!r} is not a version of {law} ({', '.join(known)})", param_hint="--version"
        )
    if path is None and body_code is None:
        raise click.UsageError("give --body CODE, a PATH, or both")
    found = 0
    if body_code is not None:
        body = _body(body_code)
        # Scoped to the body's own active questions; the law is matched in Python (its title
        # sits inside the free-text basis).
        rows = db.session.scalars(
            select(Question)
            .where(Question.body_id == body.id, Question.status == STATUS_ACTIVE)
            .order_by(Question.id)
        ).all()
        for q in stale_questions(rows, table, law, version):
            found += 1
            shown = q.law_version or "-"
            click.echo(f"#{q.id}\t{shown}\t{_excerpt(q.stem)}\t{q.legal_basis}")
    for file in _files(path) if path is not None else []:
        result = parse_file(file.name, file.read_bytes())
        for pq in stale_questions(result.questions, table, law, version):
            found += 1
            shown = pq.law_version or "-"
            click.echo(
                f"{file.name}:{pq.source_line}\t{shown}\t{_excerpt(pq.stem)}\t{pq.legal_basis}"
            )
    click.echo(f"{found} questions to review against {law} {version}")


def _lint_report(path: Path) -> lint.LintReport:
    max_bytes = int(current_app.config["EXAMSITE_MAX_UPLOAD_MB"]) * 1024 * 1024
    files = []
    for file in _files(path):
        data = file.read_bytes()
        # No ``existing``: a question repeated across files is a near duplicate here.
        result = parse_file(file.name, data, max_bytes=max_bytes)
        for problem in result.errors:
            click.echo(f"{file.name}: {problem.message}", err=True)
        files.append(lint.BankFile(file.name, result.questions))
    return lint.lint_files(files)


@questions.command("lint")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def lint_command(path: Path, as_json: bool) -> None:
    """Print how far the bank can be guessed from its form; exit 1 when a figure is past
    its threshold."""
    report = _lint_report(path)
    if as_json:
        click.echo(json.dumps(_lint_json(report), ensure_ascii=False, indent=2))
    else:
        for file_report in (*report.files, report.total):
            _echo_lint(file_report)
    if report.exceeded:
        raise SystemExit(1)


def _echo_lint(report: lint.FileReport) -> None:
    title = report.name or _("合计")
    counts = "，".join(f"{_(LABEL_BY_TYPE[t])} {report.counts.get(t, 0)}" for t in QuestionType.ALL)
    click.echo(f"\n== {title}（{counts}）==")
    # Tab-separated like `check`: CJK text defeats column padding.
    for figure in report.figures:
        mark = _("样本不足") if figure.too_few else _("超出") if figure.exceeded else ""
        threshold = figure.threshold_text()
        limit = _("阈值 %(t)s", t=threshold) if threshold else ""
        click.echo("\t".join([figure.render(_), figure.value_text(), limit, mark]).rstrip())
    for pair in report.pairs:
        click.echo(
            f"  {pair.similarity:.2f}\t{pair.first.file}:{pair.first.line} "
            f"{pair.first.stem[:30]}\t{pair.second.file}:{pair.second.line} "
            f"{pair.second.stem[:30]}"
        )
    exceeded = len(report.exceeded)
    click.echo(_("超出阈值的指标：%(n)s 项", n=exceeded))


def _lint_json(report: lint.LintReport) -> dict[str, object]:
    def one(r: lint.FileReport) -> dict[str, object]:
        return {
            "file": r.name,
            "counts": dict(r.counts),
            "figures": [f.as_dict(_) for f in r.figures],
            "pairs": [
                {
                    "first": f"{p.first.file}:{p.first.line}",
                    "second": f"{p.second.file}:{p.second.line}",
                    "similarity": round(p.similarity, 3),
                }
                for p in r.pairs
            ],
        }

    return {
        "files": [one(r) for r in report.files],
        "total": one(report.total),
        "pairs_truncated": report.pairs_truncated,
        "exceeded": report.exceeded,
    }

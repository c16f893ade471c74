"""`flask questions ...`: check, import and export question-bank files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from examsite.bank import exporting, importing
from examsite.bank.errors import BankError
from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.model import LABEL_BY_TYPE, QuestionType
from examsite.bank.models import PURPOSE_EXAM, PURPOSES
from examsite.core.body import Body
from examsite.extensions import db

questions = AppGroup("questions", help="The question bank (题库).")

SUFFIXES = {".csv", ".xlsx", ".gift", ".txt", ".xml", ".docx"}


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
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

"""`flask statistics report`: the work report's 人事任免 section of a body as a .docx, or
(``--all``) of a municipal body and its counties together."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from examsite.core.body import Body
from examsite.core.tenancy import subtree_ids
from examsite.extensions import db
from examsite.statistics import services
from examsite.statistics.docx import docx_bytes

statistics = AppGroup("statistics", help="Work statistics (工作统计) and the work report.")


@statistics.command("report")
@click.option("--body", "body_code", required=True, help="Code of the congress body.")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="Calendar year.")
@click.option("--term", type=click.IntRange(1, 99), default=None, help="Term number (届).")
@click.option(
    "--all",
    "rollup",
    is_flag=True,
    help="The body and every body below it together (本级及所辖区县).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .docx file to write.",
)
def report(body_code: str, year: int | None, term: int | None, rollup: bool, output: Path) -> None:
    """Write the 人事任免 section of the body's work report for a year or a term."""
    body = db.session.scalars(select(Body).where(Body.code == body_code)).first()
    if body is None:
        raise click.BadParameter(f"no body with code {body_code!r}", param_hint="--body")
    if (year is None) == (term is None):
        raise click.UsageError("give exactly one of --year and --term")
    period = (
        services.year_period(year) if year is not None else services.term_period(body, term or 0)
    )
    if period is None:
        raise click.BadParameter(f"body {body_code!r} has no term {term}", param_hint="--term")
    bodies = None
    if rollup:
        ids = subtree_ids(body.id)
        if len(ids) == 1:  # the words would claim counties that are not there
            raise click.BadParameter(
                f"body {body_code!r} has no bodies below it", param_hint="--all"
            )
        bodies = list(db.session.scalars(select(Body).where(Body.id.in_(ids)).order_by(Body.code)))
    section = services.report_section(
        body, period, current_app.config["BABEL_DEFAULT_TIMEZONE"], date.today(), bodies
    )
    output.write_bytes(docx_bytes(section))
    click.echo(f"wrote {output}")

"""The images of docs/statistics.md: the statistics page as the municipal administrator sees
it, and the first page of the work report's .docx. LibreOffice is not on the test machine,
so the .docx's own paragraphs are laid out again in HTML with the same page (A4, GB/T 9704
margins, 三号 text on a 28 pt line), printed by WeasyPrint and turned into a PNG by
pdftoppm. Every run refreshes them, so the guide never shows an old page."""

from __future__ import annotations

import html
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from examsite.appointments.matters import MatterKind
from examsite.appointments.models import Appointment
from examsite.appointments.states import VoteOutcome
from examsite.core.body import Body
from examsite.exams.models import Candidate
from examsite.extensions import db
from tests.browser.test_guide_screenshots import _login
from tests.fixtures.database import committing
from tests.fixtures.exams import make_id

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"

#: (body, kind, post kind, how many) of the illustration's year.
MATTERS = [
    ("east", MatterKind.APPOINT, "专门委员会组成人员", 3),
    ("east", MatterKind.APPOINT, "政府组成人员", 6),
    ("east", MatterKind.REMOVE, "政府组成人员", 4),
    ("east", MatterKind.APPOINT, "监察委员会组成人员", 2),
    ("east", MatterKind.APPOINT, "法院法职人员", 9),
    ("east", MatterKind.REMOVE, "法院法职人员", 5),
    ("east", MatterKind.APPOINT, "检察院法职人员", 7),
    ("east", MatterKind.ACCEPT_RESIGNATION, "检察院法职人员", 1),
    ("west", MatterKind.APPOINT, "政府组成人员", 5),
    ("west", MatterKind.REMOVE, "政府组成人员", 2),
    ("west", MatterKind.APPOINT, "法院法职人员", 4),
]

PAGE_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-center { content: "— " counter(page) " —"; font: 14pt "Noto Serif CJK SC"; } }
body { font: 16pt/28pt "Noto Serif CJK SC", serif; text-align: justify; }
h1 { font: 22pt/36pt "Noto Serif CJK SC"; font-weight: bold; text-align: center;
  margin: 0 0 28pt; }
h2 { font: 16pt/28pt "Noto Sans CJK SC", sans-serif; margin: 0; text-indent: 2em; }
p { margin: 0; text-indent: 2em; }
"""


def _seed(app, year: int) -> None:
    with committing(app):
        bodies = {b.code: b for b in db.session.scalars(select(Body))}
        n = 0
        for code, kind, post_kind, count in MATTERS:
            for _ in range(count):
                n += 1
                person = Candidate(
                    body_id=bodies[code].id,
                    name=f"统计示例{n}",
                    id_number=make_id(n, birth="19700202"),
                )
                db.session.add(person)
                db.session.flush()
                db.session.add(
                    Appointment(
                        body_id=bodies[code].id,
                        candidate_id=person.id,
                        kind=kind,
                        post_kind=post_kind,
                        proposed_post="职务",
                        vote=VoteOutcome.APPOINTED,
                        vote_date=date(year, 3, 1),
                    )
                )


def _docx_png(data: bytes, target: Path, tmp: Path) -> None:
    from weasyprint import HTML

    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs if p.text]
    title, heading, *paragraphs = texts
    markup = (
        f"<html><head><meta charset='utf-8'><style>{PAGE_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><h2>{html.escape(heading)}</h2>"
        + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        + "</body></html>"
    )
    pdf = tmp / "report.pdf"
    HTML(string=markup).write_pdf(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )


def test_statistics_images(live_server, chromium, tmp_path):
    # scripts/test.sh installs poppler-utils: a missing pdftoppm is a failure, not a skip.
    assert shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils) is not installed"
    app, base = live_server.app, live_server.url
    year = date.today().year
    IMG.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _login(page, base, "admin")
    # The live database is shared with the other browser tests (and the demo data's dates
    # follow today), so the page must count exactly the 48 matters seeded here on top.
    page.goto(f"{base}/statistics?year={year}")
    before = int(page.get_by_test_id("total-matters").inner_text())
    _seed(app, year)
    page.goto(f"{base}/statistics?year={year}")
    assert int(page.get_by_test_id("total-matters").inner_text()) == before + 48
    page.screenshot(path=str(IMG / "statistics-page.png"), full_page=True)
    context.close()
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _login(page, base, "east-admin")
    page.goto(f"{base}/statistics?year={year}")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载工作报告（Word）").click()
    data = Path(download.value.path()).read_bytes()
    assert "东城区人大常委会" in Document(io.BytesIO(data)).paragraphs[0].text
    _docx_png(data, IMG / "statistics-report.png", tmp_path)
    context.close()

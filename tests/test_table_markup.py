"""Every data table in the templates names itself (a <caption>, visually hidden where the
page already shows a heading) and says what its headers head (<th scope="col|row">), so a
screen reader announces "考生名单, 姓名 column" instead of a bare grid of cells. A table used
for layout only opts out with the comment ``{# layout table #}`` right before it."""

from __future__ import annotations

import re
from pathlib import Path

import examsite

ROOT = Path(examsite.__file__).parent
TEMPLATES = sorted(p for p in ROOT.rglob("*.html") if "templates" in p.parts)
OPT_OUT = re.compile(r"\{#\s*layout table\b[^#]*#\}\s*$")
TABLE = re.compile(r"<table\b[^>]*>(.*?)</table>", re.S)
TH = re.compile(r"<th\b[^>]*>")


def _problems(path: Path, root: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(root)
    problems = []
    for match in TABLE.finditer(text):
        if OPT_OUT.search(text[: match.start()]):
            continue
        line = text.count("\n", 0, match.start()) + 1
        if not re.match(r"\s*<caption\b", match.group(1)):
            problems.append(f"{rel}:{line}: <table> without a <caption> as its first child")
    opened, closed = text.count("<table"), len(TABLE.findall(text))
    if opened != closed:
        problems.append(f"{rel}: {opened} <table> but {closed} closed ones (cannot check)")
    for match in TH.finditer(text):
        if not re.search(r'\bscope="(col|row|colgroup|rowgroup)"', match.group(0)):
            line = text.count("\n", 0, match.start()) + 1
            problems.append(f"{rel}:{line}: {match.group(0)} without scope")
    return problems


def test_the_templates_are_found():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "results.html", "panel.html"} <= names


def test_every_table_has_a_caption_and_every_header_a_scope():
    problems = [problem for path in TEMPLATES for problem in _problems(path)]
    assert not problems, "\n".join(problems)


def test_the_check_catches_a_bare_table_and_honours_the_opt_out(tmp_path):
    bare = tmp_path / "templates" / "bare.html"
    bare.parent.mkdir()
    bare.write_text("<table><tr><th>姓名</th></tr></table>", encoding="utf-8")
    layout = tmp_path / "templates" / "layout.html"
    layout.write_text(
        "{# layout table: two columns #}\n<table><tr><td>a</td></tr></table>", encoding="utf-8"
    )
    assert len(_problems(bare, tmp_path)) == 2  # no caption, a <th> without scope
    assert _problems(layout, tmp_path) == []

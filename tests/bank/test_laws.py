"""Law versions: question_bank/laws.csv, the article check on import, and `flask questions
stale`, which lists what to review after a law is revised."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.laws import (
    LawTableError,
    bank_files,
    check_question,
    chinese_number,
    cited_articles,
    cited_law,
    parse_laws,
    shipped_laws,
)
from examsite.bank.models import Question
from examsite.extensions import db

BANK = Path(__file__).resolve().parents[2] / "question_bank"
HEADER = "题型,题干,选项A,选项B,选项C,选项D,答案,解析,法律依据,分类,难度,法律版本\n"
DAIBIAOFA = "《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》"


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def _row(stem: str, basis: str, category: str, version: str = "") -> str:
    return f"单选,{stem},甲,乙,丙,丁,A,解析。,{basis},{category},2,{version}"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("一百四十三", 143),
        ("一百二十", 120),
        ("143", 143),
    ],
)
def test_article_numbers_are_read_from_chinese_numerals(text: str, number: int) -> None:
    assert chinese_number(text) == number


def test_a_basis_gives_its_law_and_every_article_it_cites() -> None:
    basis = "《中华人民共和国宪法》第十条第二款、第一百零一条第三项"
    assert cited_law(basis) == "中华人民共和国宪法"
    assert cited_articles(basis) == [10, 101]
    assert cited_articles("《中华人民共和国宪法》序言") == []


def test_the_law_table_lists_one_current_version_of_every_law_the_bank_cites() -> None:
    table = shipped_laws()
    titles = {v.title for v in table.versions}
    for law in titles:
        assert sum(v.current for v in table.versions_of(law)) == 1, law
    cited = set()
    for path in bank_files(BANK, "**/*.csv"):
        cited |= {
            cited_law(q.legal_basis) for q in parse_file(path.name, path.read_bytes()).questions
        }
    assert cited <= titles
    assert table.current("宪法").articles == 143
    assert table.current("代表法").version == "2025年修正"


def test_every_shipped_question_names_a_listed_version_and_cites_within_it() -> None:
    table = shipped_laws()
    files = bank_files(BANK, "**/*.csv")
    assert len(files) >= 22
    for path in files:
        result = parse_file(path.name, path.read_bytes())
        assert result.problems == [], (path.name, result.problems[:3])
        for q in result.questions:
            law = cited_law(q.legal_basis) or q.category
            assert table.find(law, q.law_version) is not None, (path.name, q.source_line)
            assert check_question(q, table, q.source_line) == []


def test_a_malformed_law_table_names_its_line() -> None:
    with pytest.raises(LawTableError, match="line 2"):
        parse_laws("法律,简称,版本,施行日期,条数,现行\n宪法,宪法,2018年修正,2018-03-11,很多,是\n")


def test_an_article_beyond_the_named_version_is_refused_with_the_row_named() -> None:
    data = _csv(
        _row("第一题", "《中华人民共和国宪法》第一条", "宪法", "2018年修正"),
        _row("第二题", "《中华人民共和国监察法》第七十条", "监察法", "2018年"),
    )
    result = parse_file("bank.csv", data)
    assert [q.stem for q in result.questions] == ["第一题"]
    (problem,) = result.errors
    assert problem.line == 3
    assert problem.message == (
        "第 3 行：法律依据引用第 70 条，但《中华人民共和国监察法》2018年 只有 69 条。"
    )
    # The same article is within the current version.
    data = _csv(_row("第二题", "《中华人民共和国监察法》第七十条", "监察法", "2024年修正"))
    assert parse_file("bank.csv", data).ok


def test_a_version_the_table_does_not_list_is_refused() -> None:
    data = _csv(_row("第一题", "《中华人民共和国宪法》第一条", "宪法", "2030年修正"))
    (problem,) = parse_file("bank.csv", data).errors
    assert "2030年修正" in problem.message and "2018年修正" in problem.message


def test_without_a_version_the_current_one_bounds_the_articles() -> None:
    ok = _csv(_row("第一题", "《中华人民共和国宪法》第一百四十三条", "宪法"))
    beyond = _csv(_row("第一题", "《中华人民共和国宪法》第一百四十四条", "宪法"))
    assert parse_file("bank.csv", ok).ok
    (problem,) = parse_file("bank.csv", beyond).errors
    assert "只有 143 条" in problem.message


def test_a_law_the_table_does_not_list_passes() -> None:
    data = _csv(_row("第一题", "《某县农村集体经济组织管理办法》第九十九条", "县情", "2020年"))
    assert parse_file("bank.csv", data).ok


def _count(app, body_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Question).where(Question.body_id == body_id)
        )


def test_the_import_command_refuses_a_file_with_an_article_beyond_its_law(
    app, make_body, tmp_path
) -> None:
    body = make_body()
    path = tmp_path / "bank.csv"
    path.write_bytes(
        _csv(
            _row("第一题", "《中华人民共和国宪法》第一条", "宪法", "2018年修正"),
            _row("第二题", "《中华人民共和国宪法》第二百条", "宪法", "2018年修正"),
        )
    )
    result = app.test_cli_runner().invoke(
        args=["questions", "import", str(path), "--body", body.code]
    )
    assert result.exit_code == 1
    assert "第 3 行：法律依据引用第 200 条" in result.output
    assert _count(app, body.id) == 0  # all or nothing


def test_stale_lists_the_questions_following_an_older_version_or_none(
    app, make_body, tmp_path
) -> None:
    body = make_body()
    other = make_body()
    path = tmp_path / "bank.csv"
    path.write_bytes(
        _csv(
            _row("旧版代表法题", f"{DAIBIAOFA}第三十条", "代表法", "2015年修正"),
            _row("未注明版本题", f"{DAIBIAOFA}第三十一条", "代表法"),
            _row("新版代表法题", f"{DAIBIAOFA}第六十条", "代表法", "2025年修正"),
            _row("宪法题", "《中华人民共和国宪法》第一条", "宪法", "2018年修正"),
        )
    )
    runner = app.test_cli_runner()
    for code in (body.code, other.code):
        imported = runner.invoke(args=["questions", "import", str(path), "--body", code])
        assert imported.exit_code == 0, imported.output

    result = runner.invoke(
        args=[
            "questions",
            "stale",
            "--law",
            "代表法",
            "--version",
            "2025年修正",
            "--body",
            body.code,
        ]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split("\t")[2] for line in lines[:-1]] == ["旧版代表法题", "未注明版本题"]
    assert lines[0].split("\t")[1] == "2015年修正"
    assert lines[0].split("\t")[3] == f"{DAIBIAOFA}第三十条"
    assert lines[-1] == "2 questions to review against 代表法 2025年修正"
    # Only the body's own questions are listed.
    with app.app_context():
        own = set(db.session.scalars(select(Question.id).where(Question.body_id == body.id)))
    assert {int(line.split("\t")[0].lstrip("#")) for line in lines[:-1]} <= own

    # The same on files: file and line.
    result = runner.invoke(
        args=["questions", "stale", "--law", "代表法", "--version", "2025年修正", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.output.splitlines()[:-1]] == [
        "bank.csv:2",
        "bank.csv:3",
    ]


def test_stale_refuses_a_version_the_table_does_not_list(app) -> None:
    result = app.test_cli_runner().invoke(
        args=["questions", "stale", "--law", "代表法", "--version", "2030年修正", str(BANK)]
    )
    assert result.exit_code == 2
    assert "2015年修正, 2025年修正" in result.output

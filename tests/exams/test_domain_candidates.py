"""The candidate list import (.xlsx / .csv): columns, every row error, file refusals,
the template and the export round trip."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examsite.exams.domain import idcard
from examsite.exams.domain.candidates_file import (
    CANDIDATE_HEADERS,
    POST_CATEGORIES,
    CandidateRow,
    candidates_template_xlsx,
    dump_candidates_xlsx,
)
from examsite.exams.domain.candidates_import import CandidateParseResult, parse_candidates
from tests.fixtures.ids import make_id

HEADER = list(CANDIDATE_HEADERS)


# A valid (fictional) ID number, different for each ``n`` (and birth date YYYYMMDD).
vid = make_id


def person(n: int, **overrides: str) -> dict[str, str]:
    values = {
        "姓名": f"人员{n}",
        "身份证号": vid(n),
        "工作单位": "某某区人民法院",
        "拟任职务": "审判员",
        "职务类别": "法院",
        "任命批次": "第十二次常委会会议",
        "联系电话": "010-1234567",
    }
    return {**values, **overrides}


def make_csv(rows: Sequence[dict[str, str]], header: Sequence[str] = HEADER,
             encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return buffer.getvalue().encode(encoding)


def make_xlsx(rows: Sequence[Sequence[object]], header: Sequence[str] | None = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def codes(result: CandidateParseResult) -> list[tuple[int | None, str]]:
    return [(p.line, p.code) for p in result.problems]


# --------------------------------------------------------------------------- good files


def test_csv_with_every_column() -> None:
    result = parse_candidates("名单.csv", make_csv([person(1), person(2, 职务类别="")]))
    assert result.ok and result.format == "csv" and result.problems == []
    first, second = result.rows
    assert first == CandidateRow(
        line=2,
        name="人员1",
        id_number=vid(1),
        work_unit="某某区人民法院",
        proposed_post="审判员",
        post_category="court",
        batch="第十二次常委会会议",
        phone="010-1234567",
    )
    assert (first.line, second.line) == (2, 3)
    assert second.post_category == "other"


def test_only_required_columns_in_any_order_with_extra_columns() -> None:
    data = make_csv(
        [{"身份证号": vid(1).lower(), "姓名": " 张 三 ", "备注": "x"}],
        header=["序号", "身份证号", "备注", "姓名"],
    )
    result = parse_candidates("a.csv", data)
    assert result.ok
    assert result.rows == [CandidateRow(2, "张 三", vid(1), "", "", "other", "", "")]


def test_xlsx_with_a_title_row_and_header_aliases() -> None:
    data = make_xlsx(
        [
            ["第十二次常委会会议拟任命人员名单"],
            [],
            ["姓名", "公民身份号码", "职务类别", "联系电话"],
            ["李四", vid(7), "government", 13800138000],
            ["王五", vid(8), "监委", "+86 10 1234 5678"],
        ],
        header=None,
    )
    result = parse_candidates("名单.xlsx", data)
    assert result.ok, result.problems
    assert [(r.line, r.name, r.post_category, r.phone) for r in result.rows] == [
        (4, "李四", "government", "13800138000"),
        (5, "王五", "jianwei", "+86 10 1234 5678"),
    ]


def test_every_category_label_and_value_is_accepted() -> None:
    rows = [person(i, 职务类别=label) for i, label in enumerate(POST_CATEGORIES.values())]
    rows += [person(10 + i, 职务类别=key.upper()) for i, key in enumerate(POST_CATEGORIES)]
    result = parse_candidates("a.csv", make_csv(rows))
    assert result.ok
    assert [r.post_category for r in result.rows] == [*POST_CATEGORIES, *POST_CATEGORIES]


def test_gbk_and_tab_separated_csv() -> None:
    data = make_csv([person(1, 姓名="欧阳·娜娜")], encoding="gbk", delimiter="\t")
    result = parse_candidates("a.CSV", data)
    assert result.ok and result.rows[0].name == "欧阳·娜娜"


def test_full_width_id_and_phone_are_normalized() -> None:
    number = vid(3).translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    result = parse_candidates(
        "a.csv", make_csv([person(3, 身份证号=number, 联系电话="１３８００１３８０００")])
    )
    assert result.ok
    assert (result.rows[0].id_number, result.rows[0].phone) == (vid(3), "13800138000")


# --------------------------------------------------------------------------- row errors


def test_row_errors_with_line_numbers() -> None:
    rows = [
        person(1, 姓名=""),  # line 2
        person(2, 身份证号=""),  # 3
        person(3, 身份证号="11010119800101"),  # 4
        person(4, 身份证号=vid(4)[:-1] + ("0" if vid(4)[-1] != "0" else "1")),  # 5
        person(5, 身份证号=vid(5, birth="19800230")),  # 6
        person(6, 职务类别="人大常委"),  # 7
        person(7, 联系电话="12345"),  # 8
        person(8, 联系电话="phone:123456789"),  # 9
        person(9, 姓名="名" * 65),  # 10
        person(10, 工作单位="单" * 201),  # 11
        person(11),  # 12, fine
    ]
    result = parse_candidates("a.csv", make_csv(rows))
    assert not result.ok
    assert codes(result) == [
        (2, "missing_name"),
        (3, "missing_id_number"),
        (4, "bad_id_number"),
        (5, "bad_id_checksum"),
        (6, "bad_id_birth_date"),
        (7, "bad_post_category"),
        (8, "bad_phone"),
        (9, "bad_phone"),
        (10, "name_too_long"),
        (11, "field_too_long"),
    ]
    assert [r.line for r in result.rows] == [12]
    messages = {p.line: p.message for p in result.problems}
    wrong = rows[3]["身份证号"]
    assert messages[5] == f"第 5 行：身份证号“{idcard.mask(wrong)}”校验位不正确。"
    assert wrong not in "".join(messages.values())  # numbers are only ever shown masked
    assert "人大常委" in messages[7]
    assert "工作单位" in messages[11] and "200" in messages[11]


def test_all_errors_of_one_row_are_reported() -> None:
    result = parse_candidates(
        "a.csv", make_csv([person(1, 姓名="", 身份证号="x", 职务类别="?", 联系电话="1")])
    )
    assert codes(result) == [
        (2, "missing_name"),
        (2, "bad_id_number"),
        (2, "bad_post_category"),
        (2, "bad_phone"),
    ]


def test_duplicates_in_the_file_and_existing_candidates() -> None:
    rows = [person(1), person(2), person(1, 姓名="重复"), person(3)]
    result = parse_candidates(
        "a.csv", make_csv(rows), existing_ids=[vid(3).lower(), "not a number"]
    )
    assert codes(result) == [(4, "duplicate_in_file"), (5, "already_candidate")]
    duplicate, existing = result.problems
    assert duplicate.message == f"第 4 行：身份证号“{idcard.mask(vid(1))}”与第 2 行重复。"
    assert "本机关" in existing.message and vid(3) not in existing.message
    assert [r.line for r in result.rows] == [2, 3]


def test_formula_cells_are_refused_and_escapes_removed() -> None:
    data = make_xlsx(
        [
            ['=HYPERLINK("http://x")', vid(1)],
            ["'=SUM(1)", vid(2)],
            ["赵六", "=A1"],
        ],
        header=["姓名", "身份证号"],
    )
    result = parse_candidates("a.xlsx", data)
    assert codes(result) == [(2, "formula_cell"), (4, "formula_cell")]
    assert "HYPERLINK" in result.problems[0].message
    assert [r.name for r in result.rows] == ["=SUM(1)"]


# --------------------------------------------------------------------------- whole file


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("a.csv", b"", "empty_file"),
        ("a.csv", b"\r\n ,, \r\n", "empty_file"),
        ("a.csv", b"x" * 101, "too_large"),
        ("a.csv", b"%PDF-1.4 ...", "wrong_type"),
        ("a.csv", b"\x81\x30\xff", "bad_encoding"),
        ("a.csv", b"PK\x03\x04rest", "wrong_type"),
        ("a.csv", b'"unclosed\n\x00', "bad_encoding"),
        ("a.txt", b"abc", "unsupported_format"),
        ("noext", b"abc", "unsupported_format"),
        ("a.xls", b"abc", "unsupported_format"),
        ("a.xlsm", b"abc", "macros_refused"),
        ("a.xlsx", b"not a zip", "wrong_type"),
        ("a.xlsx", b"MZ\x90\x00", "wrong_type"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
         "encrypted_file"),
    ],
)  # fmt: skip
def test_refused_files(filename: str, data: bytes, code: str) -> None:
    result = parse_candidates(filename, data, max_bytes=100)
    assert [(p.line, p.code) for p in result.problems] == [(None, code)]
    assert result.rows == [] and not result.ok


def test_zip_that_is_not_a_workbook_and_zip_bombs() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert codes(parse_candidates("a.xlsx", buffer.getvalue())) == [(None, "wrong_type")]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    assert codes(parse_candidates("a.xlsx", buffer.getvalue())) == [(None, "corrupt_file")]


def test_csv_error_has_a_line() -> None:
    # A field over the csv module's limit (an unclosed quote swallowing the file, say).
    data = ('姓名,身份证号\r\n张三,1\r\n李四,"' + "x" * 140_000 + '"\r\n').encode()
    result = parse_candidates("a.csv", data)
    assert codes(result) == [(3, "corrupt_file")]
    assert result.problems[0].message.startswith("第 3 行：CSV 格式错误")


def test_missing_and_duplicate_columns() -> None:
    result = parse_candidates("a.csv", make_csv([person(1)], header=["姓名", "工作单位"]))
    assert codes(result) == [(1, "missing_column")]
    assert "身份证号" in result.problems[0].message
    data = make_csv([person(1)], header=["姓名", "身份证号", "身份证号码"])
    assert codes(parse_candidates("a.csv", data)) == [(1, "duplicate_column")]


def test_header_only_means_no_candidates() -> None:
    result = parse_candidates("a.csv", make_csv([]))
    assert codes(result) == [(None, "no_candidates")]


def test_problems_render_through_a_translator() -> None:
    result = parse_candidates("a.csv", make_csv([person(1, 工作单位="单" * 201)]))
    (p,) = result.problems
    assert p.render(lambda s: s) == p.message
    assert p.render(lambda s: {"工作单位": "Work unit"}.get(s, s)).count("Work unit") == 1


# --------------------------------------------------------------------------- writing


def test_template_has_a_valid_example_and_parses_cleanly() -> None:
    data = candidates_template_xlsx()
    result = parse_candidates("模板.xlsx", data)
    assert result.ok and len(result.rows) == 1
    assert idcard.is_valid(result.rows[0].id_number)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[1] == "填写说明"
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header == HEADER


def test_export_round_trips_and_escapes_formulas() -> None:
    rows = [
        CandidateRow(
            2, "=cmd|' /C calc'!A0", vid(1), "+单位", "@职务", "renda", "-批次", "+86 10 1234"
        ),
        CandidateRow(3, "普通", vid(2), "", "", "other", "", ""),
    ]
    data = dump_candidates_xlsx(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0" and sheet["A2"].data_type == "s"
    assert sheet["E2"].value == "人大"
    assert parse_candidates("export.xlsx", data).rows == rows


names = (
    st.text(st.sampled_from(list("张王李欧阳·=+-@' 娜")), min_size=1, max_size=10)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)


@settings(max_examples=25, deadline=None, database=None)
@given(st.lists(st.tuples(names, st.sampled_from(sorted(POST_CATEGORIES))), max_size=5))
def test_export_round_trip_property(people: list[tuple[str, str]]) -> None:
    rows = [
        CandidateRow(i + 2, name, vid(i), "", "", category, "", "")
        for i, (name, category) in enumerate(people)
    ]
    result = parse_candidates("x.xlsx", dump_candidates_xlsx(rows))
    assert result.rows == rows
    assert result.ok == bool(rows)


@settings(max_examples=60, deadline=None, database=None)
@given(st.binary(max_size=300), st.sampled_from(["a.csv", "a.xlsx", "a.xls", "a"]))
def test_never_raises(data: bytes, filename: str) -> None:
    result = parse_candidates(filename, data)
    assert isinstance(result, CandidateParseResult)
    assert result.ok == (not result.errors)

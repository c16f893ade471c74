"""An ID number Excel turned into a number: the row error says so and how to fix it."""

from __future__ import annotations

import csv
import io

import openpyxl

from examsite.exams.domain.candidates_file import CANDIDATE_HEADERS
from examsite.exams.domain.candidates_import import parse_candidates
from tests.fixtures.ids import make_id

HOW = "请把身份证号一列设为“文本”格式后重新填写。"


def _csv(numbers: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["姓名", "身份证号"])
    for i, number in enumerate(numbers):
        writer.writerow([f"人员{i}", number])
    return buffer.getvalue().encode("utf-8")


def _xlsx(cells: list[object]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(CANDIDATE_HEADERS))
    for i, cell in enumerate(cells):
        sheet.append([f"人员{i}", cell])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_scientific_notation_in_a_csv() -> None:
    result = parse_candidates("名单.csv", _csv([make_id(1), "1.10101E+17", "1.10101199001011e17"]))
    assert [r.line for r in result.rows] == [2]
    messages = {p.line: (p.code, p.message) for p in result.problems}
    assert messages[3] == (
        "id_number_as_number",
        f"第 3 行：身份证号被 Excel 当成了数字（1.10101E+17），末几位已丢失；{HOW}",
    )
    # However many digits the CSV kept, only the first six (as the mask) are shown.
    assert messages[4][1] == (
        f"第 4 行：身份证号被 Excel 当成了数字（1.10101E+17），末几位已丢失；{HOW}"
    )


def test_a_trailing_point_zero_in_a_csv() -> None:
    digits = "110101199001011234"
    result = parse_candidates("名单.csv", _csv([digits + ".0"]))
    assert not result.rows
    (problem,) = result.problems
    assert problem.code == "id_number_as_number"
    assert problem.message == (
        "第 2 行：身份证号被 Excel 当成了数字（110101********.0），"
        f"末尾多了“.0”，末几位可能已不准确；{HOW}"
    )
    assert "011234" not in problem.message  # never a digit of the login tail


def test_a_number_cell_in_an_xlsx() -> None:
    real = "110101199001011237"  # Excel keeps 15 significant digits of it
    result = parse_candidates("名单.xlsx", _xlsx([make_id(3), float(real), make_id(4)]))
    assert [r.line for r in result.rows] == [2, 4]
    (problem,) = result.problems
    assert (problem.line, problem.code) == (3, "id_number_as_number")
    assert problem.message == (
        f"第 3 行：身份证号被 Excel 当成了数字（1.10101E+17），末几位已丢失；{HOW}"
    )


def test_the_same_number_as_text_is_imported() -> None:
    number = make_id(5)
    assert parse_candidates("名单.xlsx", _xlsx([number])).rows[0].id_number == number
    assert parse_candidates("名单.csv", _csv([number])).rows[0].id_number == number

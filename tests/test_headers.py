"""The shared header mapper of the spreadsheet importers (pure: no app)."""

from __future__ import annotations

from examsite.core.headers import HeaderSpec, find_header, header_key

SPEC = HeaderSpec(
    columns=("姓名", "身份证号", "职务"),
    required=("姓名", "身份证号"),
    aliases={"身份证号码": "身份证号", "序号": None},
    required_mark="*",
    search_rows=3,
)


def test_the_header_is_found_below_a_title_row() -> None:
    rows = [
        (1, ["2026年第一批任免名单"]),
        (3, ["序号", "姓名", "身份证号"]),
        (4, ["1", "张三", "x"]),
    ]
    header = find_header(rows, SPEC)
    assert header is not None
    assert (header.index, header.line) == (1, 3)
    assert header.columns == {"姓名": 1, "身份证号": 2}
    assert header.ok


def test_aliases_marks_and_full_width_spaces_name_the_same_column() -> None:
    header = find_header([(1, ["＊姓　名", "身份证号码*", " 职 务 "])], SPEC)
    assert header is not None
    assert header.columns == {"姓名": 0, "身份证号": 1, "职务": 2}
    assert header_key("\ufeff姓\u3000名 ") == "姓名"


def test_missing_and_duplicate_columns_are_reported_and_read_past_ones_are_not_unknown() -> None:
    header = find_header([(2, ["姓名", "序号", "姓名", "备注", "姓名"])], SPEC)
    assert header is not None
    assert header.columns == {"姓名": 0}
    assert header.duplicates == ("姓名", "姓名")
    assert header.missing == ("身份证号",)
    assert header.unknown == ("备注",)
    assert not header.ok


def test_a_header_below_the_search_rows_is_not_found_and_the_first_row_is_taken() -> None:
    rows = [(n, [f"说明{n}"]) for n in range(1, 4)] + [(4, ["姓名", "身份证号"])]
    header = find_header(rows, SPEC)
    assert header is not None
    assert header.index == 0
    assert header.missing == ("姓名", "身份证号")


def test_without_a_mark_a_starred_name_is_unknown_and_no_rows_give_no_header() -> None:
    plain = HeaderSpec(columns=("姓名",), required=("姓名",), search_rows=1)
    header = find_header([(1, ["姓名*"])], plain)
    assert header is not None
    assert header.missing == ("姓名",)
    assert find_header([], plain) is None

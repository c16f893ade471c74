"""Chinese numerals as official documents write them (第十七届, 第一百零一次), and the
names of committee meetings built from them. Pure: no Flask, no database."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
_VALUES = {c: n for n, c in enumerate(_DIGITS)} | {"两": 2}
_UNIT_VALUES = {"十": 10, "百": 100, "千": 1000}


def _below_10000(n: int) -> str:
    out: list[str] = []
    rest = n
    gap = False  # a zero digit between two non-zero ones is read as 零, once
    for unit, name in _UNITS:
        digit, rest = divmod(rest, unit)
        if digit:
            if gap and out:
                out.append("零")
            out.append(_DIGITS[digit] + name)
            gap = False
        elif out:
            gap = True
    if rest:
        if gap and out:
            out.append("零")
        out.append(_DIGITS[rest])
    return "".join(out)


def chinese_numeral(n: int) -> str:
    """1 → 一, 11 → 十一 (not 一十一), 101 → 一百零一, 110 → 一百一十; up to 99,999,999."""
    if n < 0:
        raise ValueError("a negative number has no ordinal")
    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    if high >= 10000:
        raise ValueError("too large")
    text = ""
    if high:
        text = _below_10000(high) + "万"
        if low and low < 1000:
            text += "零"
    text += _below_10000(low) if low else ""
    # A leading 一十 is read 十 (十一, 十万), never inside a number (一百一十).
    if text.startswith("一十"):
        text = text[1:]
    return text


def parse_chinese_numeral(text: str) -> int:
    """The inverse of ``chinese_numeral`` (also reads 一十一 and 两); ValueError if not one."""
    if not text:
        raise ValueError("empty")
    if "万" in text:
        high, _, low = text.partition("万")
        return parse_chinese_numeral(high) * 10000 + (
            parse_chinese_numeral(low.lstrip("零")) if low.strip("零") else 0
        )
    total, digit = 0, None
    for char in text:
        if char in _VALUES:
            digit = _VALUES[char]
        elif char in _UNIT_VALUES:
            total += (1 if digit is None else digit) * _UNIT_VALUES[char]
            digit = None
        else:
            raise ValueError(f"not a numeral: {text!r}")
    return total + (digit or 0)


#: How a body's name ends when it names its standing committee ("东城区人大常委会").
_COMMITTEE_SUFFIXES = ("人民代表大会常务委员会", "人大常委会")


def congress_place(body_name: str) -> str:
    """The place a committee's name starts with ("东城区人大常委会" → "东城区"); "" when the
    name does not read as a committee's (it is then left out of meeting names)."""
    for suffix in _COMMITTEE_SUFFIXES:
        if body_name.endswith(suffix) and len(body_name) > len(suffix):
            return body_name[: -len(suffix)]
    return ""


def meeting_name(term: int, number: int, body_name: str = "") -> str:
    """第十七届人大常委会第二十次会议; a term of 0 (unknown) gives only the sequence:
    人大常委会第二十次会议 (never 第零届).

    With the body's name ("东城区人大常委会"), the formal name of prints:
    东城区第十七届人大常委会第二十次会议."""
    term_part = f"第{chinese_numeral(term)}届" if term > 0 else ""
    place = congress_place(body_name)
    return f"{place}{term_part}人大常委会第{chinese_numeral(number)}次会议"

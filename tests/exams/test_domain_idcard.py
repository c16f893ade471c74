"""Resident ID numbers (GB 11643-1999): normalizing, the MOD 11-2 check, masking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examsite.exams.domain.idcard import birth_date, check_char, is_valid, mask, normalize, tail6

# The worked example of the standard, and a made-up number.
STANDARD = "11010519491231002X"
VALID = "110101199003071233"


def test_check_char() -> None:
    assert check_char(STANDARD[:17]) == "X"
    assert check_char("11010119900307123") == "3"
    assert check_char("44052418800101001") == "4"  # another textbook example
    for bad in ("", "1101051949123100", "110105194912310021", "1101051949123100X", "１" * 17):
        with pytest.raises(ValueError):
            check_char(bad)


def test_normalize() -> None:
    assert normalize(" 110105 19491231 002x ") == STANDARD
    assert normalize("１１０１０５１９４９１２３１００２Ｘ") == STANDARD  # full-width
    assert normalize("11010519491231002ｘ\u3000") == STANDARD
    assert normalize("") == ""


def test_is_valid() -> None:
    assert is_valid(STANDARD)
    assert is_valid(VALID)
    assert is_valid("11010519491231002x")  # normalized first
    assert is_valid("１１０１０５１９４９１２３１００２Ｘ")
    assert not is_valid("110105194912310021")  # wrong check character
    assert not is_valid("110101199003071234")
    assert not is_valid("11010519491231002")  # 17 characters
    assert not is_valid("11010519491231002XX")
    assert not is_valid("1101051949123100X2")  # X only last
    assert not is_valid("11010519491231002Y")
    assert not is_valid("")


def test_birth_date_must_be_real_and_plausible() -> None:
    def number(birth: str) -> str:
        first17 = "110101" + birth + "123"
        return first17 + check_char(first17)

    assert is_valid(number("20000229"))
    assert not is_valid(number("19000229"))  # 1900 was no leap year
    assert not is_valid(number("19901301"))
    assert not is_valid(number("19900230"))
    assert not is_valid(number("18991231"))  # the standard's own 1880 example is too old
    assert not is_valid("440524188001010014")
    assert is_valid(number("19000101"))
    today = date(2024, 6, 1)
    assert is_valid(number("20240601"), today=today)
    assert not is_valid(number("20240602"), today=today)
    tomorrow = date.today() + timedelta(days=1)
    assert not is_valid(number(tomorrow.strftime("%Y%m%d")))
    assert birth_date(STANDARD) == date(1949, 12, 31)
    assert birth_date("110105194913310021") is None
    assert birth_date("abc") is None


def test_mask_and_tail6() -> None:
    # The last 6 characters are the login secret: no mask shows any of them.
    assert mask("110101199003071234") == "110101********"  # masking never validates
    assert mask(STANDARD.lower()) == "110105********"
    assert mask("123456789012") == "123456********"
    assert mask("12345678") == "12********"
    assert mask("1234567") == "1********"
    assert mask("123") == "********"
    assert mask("") == "********"
    assert tail6(VALID) == "071233"
    assert tail6(" 11010519491231002x") == "31002X"


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_exactly_one_check_character_fits(region: str, born: date, sequence: str) -> None:
    first17 = region + born.strftime("%Y%m%d") + sequence
    good = check_char(first17)
    assert is_valid(first17 + good)
    assert birth_date(first17 + good) == born
    assert [c for c in "0123456789X" if is_valid(first17 + c)] == [good]
    # Any single changed digit is caught by the checksum (or makes the date impossible).
    position = int(sequence) % 17
    changed = str((int(first17[position]) + 1) % 10)
    assert not is_valid(first17[:position] + changed + first17[position + 1 :] + good)
    assert mask(first17 + good) == region + "*" * 8
    assert not set((first17 + good)[-6:]) & set(mask(first17 + good)[6:])

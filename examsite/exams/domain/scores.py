"""How a score is written: ``52 / 100``, not ``52.0 / 100.0``; partial credit keeps its one
decimal (``52.5``). Pages, prints and records all use ``format_score`` (the Jinja filter
``score``), so a score reads the same everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: What a missing score (not graded yet) is written as.
NO_SCORE = "—"


def format_score(value: float | int | Decimal | str | None) -> str:
    """A score (or points, or a pass mark) as people write it: whole numbers without a
    decimal point, otherwise one decimal, rounded half up (52.25 -> "52.3")."""
    if value is None or value == "":
        return NO_SCORE
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return str(int(number))  # also turns -0.0 into "0"
    return f"{number:.1f}"

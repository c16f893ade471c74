"""The refusal every question-bank operation raises."""

from __future__ import annotations

from collections.abc import Sequence

from examsite.bank.formats.model import Problem
from examsite.core.errors import UserError


class BankError(UserError):
    """A change to the bank was refused; ``problems`` says why (Chinese messages)."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        super().__init__("; ".join(p if isinstance(p, str) else p.message for p in problems))
        self.problems = list(problems)

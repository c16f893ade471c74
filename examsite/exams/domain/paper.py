"""A candidate's drawn paper: which question revisions, in which order, at what points,
with each choice question's options in which displayed order.  Pure (no Flask, no
database); the only code that knows how a paper is stored in ``Attempt.paper`` (JSON).

Stored forms
============

* **Version 2** (written since the paper became a type)::

      {"v": 2, "items": [{"revision_id": 12, "qtype": "single", "points": 2.0,
                          "option_order": [2, 0, 3, 1]}, ...]}

* **Version 1** (rows drawn before; read, never written)::

      [{"r": 12, "t": "single", "p": 2.0, "o": [2, 0, 3, 1]}, ...]

``option_order[displayed] == original``: the candidate sees original option
``option_order[d]`` at place ``d``.  Answers are stored as *original* indexes, so an answer
means the same whatever order the page showed.  ``from_json`` checks the shape and raises
``PaperFormatError`` (a ``ValueError``) on anything else, an unknown version included.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from examsite.exams.domain.paper_spec import QTYPES

__all__ = ["VERSION", "Paper", "PaperFormatError", "PaperItem"]

#: The version ``to_json`` writes.
VERSION: Final = 2


class PaperFormatError(ValueError):
    """A stored paper that is not one of the known forms."""


class _Drawn(Protocol):
    """What ``paper_spec.DrawnItem`` offers (so any drawn item can become a paper item)."""

    @property
    def revision_id(self) -> int: ...
    @property
    def qtype(self) -> str: ...
    @property
    def points(self) -> float: ...
    @property
    def option_order(self) -> tuple[int, ...]: ...


@dataclass(frozen=True, slots=True)
class PaperItem:
    revision_id: int
    qtype: str  # "single" | "multiple" | "true_false"
    points: float
    option_order: tuple[int, ...]  # displayed position -> original option index

    def __post_init__(self) -> None:
        object.__setattr__(self, "option_order", tuple(self.option_order))

    @property
    def n_options(self) -> int:
        return len(self.option_order)

    def displayed_to_original(self, displayed: Iterable[int]) -> list[int]:
        """The original indexes of these displayed ones, sorted and without repeats;
        ``IndexError`` for a displayed index not on the page (bools are not indexes)."""
        original = set()
        for d in displayed:
            if type(d) is not int or not 0 <= d < len(self.option_order):
                raise IndexError(f"no displayed option {d!r}")
            original.add(self.option_order[d])
        return sorted(original)

    def original_to_displayed(self, original: Collection[int]) -> list[int]:
        """The displayed places of these original indexes, in displayed order."""
        wanted = set(original)
        return [d for d, o in enumerate(self.option_order) if o in wanted]

    def displayed_options(self, options: Sequence[str]) -> list[str]:
        """The revision's option texts in the order the page shows them."""
        return [options[o] for o in self.option_order]


@dataclass(frozen=True, slots=True)
class Paper:
    items: tuple[PaperItem, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))

    @classmethod
    def from_drawn(cls, drawn: Iterable[_Drawn]) -> Paper:
        return cls(
            tuple(
                PaperItem(d.revision_id, d.qtype, float(d.points), tuple(d.option_order))
                for d in drawn
            )
        )

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[PaperItem]:
        return iter(self.items)

    def __getitem__(self, position: int) -> PaperItem:
        return self.items[position]

    @property
    def revision_ids(self) -> list[int]:
        """In paper order (a revision is on a paper at most once)."""
        return [item.revision_id for item in self.items]

    def displayed_to_original(self, position: int, displayed: Iterable[int]) -> list[int]:
        """``IndexError`` when the position or a displayed index is not on the paper."""
        if not 0 <= position < len(self.items):
            raise IndexError(f"no question at position {position!r}")
        return self.items[position].displayed_to_original(displayed)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "items": [
                {
                    "revision_id": i.revision_id,
                    "qtype": i.qtype,
                    "points": i.points,
                    "option_order": list(i.option_order),
                }
                for i in self.items
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> Paper:
        """Read any stored version (see the module docstring)."""
        if isinstance(data, list):  # version 1 had no envelope
            return cls(tuple(_item(raw, _V1_KEYS, n) for n, raw in enumerate(data)))
        if not isinstance(data, dict) or "v" not in data:
            raise PaperFormatError(f"a stored paper is a list or a versioned object, not {data!r}")
        version = data["v"]
        if version != VERSION or type(version) is not int:
            raise PaperFormatError(
                f"unknown paper version {version!r}: known are {VERSION} and the bare list of 1"
            )
        items = data.get("items")
        if not isinstance(items, list):
            raise PaperFormatError("a version 2 paper needs a list of items")
        return cls(tuple(_item(raw, _V2_KEYS, n) for n, raw in enumerate(items)))


# Per version: the keys of revision id, question type, points, option order.
_V1_KEYS: Final = ("r", "t", "p", "o")
_V2_KEYS: Final = ("revision_id", "qtype", "points", "option_order")


def _item(raw: Any, keys: tuple[str, str, str, str], n: int) -> PaperItem:
    def bad(why: str) -> PaperFormatError:
        return PaperFormatError(f"paper item {n}: {why}")

    if not isinstance(raw, dict):
        raise bad(f"not an object: {raw!r}")
    missing = [k for k in keys if k not in raw]
    if missing:
        raise bad(f"missing {', '.join(missing)}")
    rid, qtype, points, order = (raw[k] for k in keys)
    if type(rid) is not int:  # bool is an int subclass: refused
        raise bad(f"revision id {rid!r} is not an integer")
    if qtype not in QTYPES:
        raise bad(f"unknown question type {qtype!r}")
    if type(points) not in (int, float) or not math.isfinite(points) or points < 0:
        raise bad(f"points {points!r} are not a non-negative number")
    if (
        not isinstance(order, list)
        or any(type(o) is not int for o in order)
        or sorted(order) != list(range(len(order)))
    ):
        raise bad(f"option order {order!r} is not a permutation of 0..n-1")
    return PaperItem(rid, qtype, float(points), tuple(order))

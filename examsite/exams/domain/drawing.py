"""Drawing exam papers from the question bank: pure, deterministic, quota-exact.

A ``PaperSpec`` is a list of sections (question type, how many, points each, optional
exact quotas per law and per difficulty).  ``draw_papers(pool, spec, seed, count)`` gives
``count`` papers; paper ``i`` depends only on ``(pool, spec, seed, i)`` -- not on ``count``
and not on the order of ``pool`` -- so drawing more papers later for the same sitting
extends the earlier ones unchanged, and ``draw_paper`` can rebuild any one of them.

Method
======

1. **Plan (once per sitting, counts only).**  The pool is sorted by ``revision_id`` and,
   per question type, split into *cells*: the law of a question if some section of that
   type names it in ``law_quotas`` (else "any other law"), crossed with its difficulty if
   some section of that type names it in ``difficulty_quotas`` (else "any other
   difficulty").  For each section, in spec order, a small transportation problem decides
   how many questions each cell gives: law classes (each named law, plus "other laws" for
   the rest of ``count``) must be filled exactly, difficulty classes likewise, and a cell
   gives at most what it still has.  It is solved exactly as a min-cost flow (successive
   shortest paths, one question at a time), so a plan exists whenever any assignment of
   counts exists.  The cost of taking the ``j``-th question from a cell of ``n`` is, first,
   how much it adds to ``max(0, 2j - n)`` (the questions two neighbouring papers must share
   in that cell, see 2.) and, second, ``(2j - 1) / n`` (so draws spread over cells in
   proportion to their size).  Sections of the same type are planned one after the other on
   what the earlier ones left; that greedy can only miss a solution when two sections of one
   type have different quotas that compete for the same questions.
2. **Rotate (per paper).**  Each cell's questions are shuffled once per sitting
   (``Random(f"{seed}:cell:…")``).  If the plan takes ``k`` questions from a cell of ``n``,
   paper ``i`` takes the cyclic window of ``k`` starting at ``i * k``: neighbouring papers
   (``i`` and ``i + 1``, neighbours in the room) get disjoint questions whenever
   ``n >= 2k`` and otherwise share only ``2k - n``, the fewest the bank allows; over many
   papers every question is used about equally often.
3. **Order (per paper).**  ``Random(f"{seed}:{index}")`` shuffles the questions within
   each section and each choice question's options (``option_order[displayed] ==
   original``); true/false options, and all options when ``shuffle_options`` is False,
   keep their order.  Sections keep spec order.

``check_spec`` runs the same plan, so it reports shortfalls exactly when ``draw_papers``
would raise ``DrawError`` (with the same list).  A ``Shortfall`` names the question type and
the law and/or difficulty that is short (``None`` = not specific; with both ``None`` it
is the whole section: ``available`` is then how many of its questions the bank could place
under the quotas).

The terms (``PoolItem``, ``PaperSpec``, ``DrawnItem``, ``Shortfall``, ...) are
``paper_spec``'s; one section's counts in step 1 (the min-cost flow) are ``quotas``'s.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from examsite.exams.domain.paper_spec import DrawError, DrawnItem, PaperSpec, PoolItem, Shortfall
from examsite.exams.domain.quotas import CellKey, Cells, plan_section

__all__ = ["check_spec", "draw_paper", "draw_papers"]

_TRUE_FALSE: Final = "true_false"


# --------------------------------------------------------------------------- public API


def check_spec(pool: Sequence[PoolItem], spec: PaperSpec) -> list[Shortfall]:
    """Every shortfall of the bank for ``spec``; empty when every paper can be drawn."""
    return _plan(pool, spec).shortfalls


def draw_papers(
    pool: Sequence[PoolItem], spec: PaperSpec, seed: int, count: int
) -> list[list[DrawnItem]]:
    """``count`` papers (see the module docstring); raises ``DrawError`` on a shortfall."""
    if count < 0:
        raise ValueError("count must not be negative")
    plan = _plan(pool, spec)
    if plan.shortfalls:
        raise DrawError(plan.shortfalls)
    return [plan.paper(spec, seed, index) for index in range(count)]


def draw_paper(
    pool: Sequence[PoolItem], spec: PaperSpec, seed: int, index: int, count: int
) -> list[DrawnItem]:
    """``draw_papers(pool, spec, seed, count)[index]``, computing only that paper."""
    if not 0 <= index < count:
        raise IndexError(f"paper index {index} out of range for {count} papers")
    plan = _plan(pool, spec)
    if plan.shortfalls:
        raise DrawError(plan.shortfalls)
    return plan.paper(spec, seed, index)


# --------------------------------------------------------------------------- the plan


def _cell_sort_key(key: CellKey) -> tuple[bool, str, bool, int]:
    law, difficulty = key
    return (law is None, law or "", difficulty is None, difficulty or 0)


@dataclass
class _Plan:
    """Step 1's counts per section and cell; ``paper`` does steps 2 and 3 for one paper."""

    cells: dict[str, Cells]
    takes: list[list[tuple[CellKey, int]]]  # per section: (cell, how many)
    shortfalls: list[Shortfall]
    seed_orders: dict[tuple[int, str, CellKey], list[PoolItem]] = field(default_factory=dict)

    def _order(self, seed: int, qtype: str, key: CellKey) -> list[PoolItem]:
        """The cell's questions in this sitting's order, written twice (cyclic windows)."""
        cache_key = (seed, qtype, key)
        order = self.seed_orders.get(cache_key)
        if order is None:
            order = list(self.cells[qtype].items[key])
            cell_seed = f"{seed}:cell:{qtype}:{key[0]!r}:{key[1]!r}"
            random.Random(cell_seed).shuffle(order)  # noqa: S311 (reproducible on purpose) # nosec B311
            order += order
            self.seed_orders[cache_key] = order
        return order

    def paper(self, spec: PaperSpec, seed: int, index: int) -> list[DrawnItem]:
        # Seeded and reproducible on purpose: the sitting's secret seed keeps papers unguessable.
        rng = random.Random(f"{seed}:{index}")  # noqa: S311 # nosec B311
        taken: dict[tuple[str, CellKey], int] = {}
        paper: list[DrawnItem] = []
        for section, takes in zip(spec.sections, self.takes, strict=True):
            chosen: list[PoolItem] = []
            cells = self.cells.get(section.qtype)
            for key, k in takes:
                assert cells is not None
                total = cells.used[key]
                order = self._order(seed, section.qtype, key)
                n = len(order) // 2
                offset = taken.get((section.qtype, key), 0)
                start = (index * total) % n + offset
                chosen.extend(order[start : start + k])
                taken[(section.qtype, key)] = offset + k
            rng.shuffle(chosen)
            shuffle = spec.shuffle_options and section.qtype != _TRUE_FALSE
            for item in chosen:
                order_ = list(range(item.n_options))
                if shuffle:
                    rng.shuffle(order_)
                paper.append(DrawnItem(item.revision_id, item.qtype, section.points, tuple(order_)))
        return paper


def _plan(pool: Sequence[PoolItem], spec: PaperSpec) -> _Plan:
    by_id = sorted(pool, key=lambda item: item.revision_id)
    for a, b in itertools.pairwise(by_id):
        if a.revision_id == b.revision_id:
            raise ValueError(f"revision {a.revision_id} is in the pool twice")

    named_laws: dict[str, set[str]] = {}
    named_difficulties: dict[str, set[int]] = {}
    for section in spec.sections:
        named_laws.setdefault(section.qtype, set()).update(section.law_quotas)
        named_difficulties.setdefault(section.qtype, set()).update(section.difficulty_quotas)

    cells: dict[str, Cells] = {}
    for item in by_id:
        laws = named_laws.get(item.qtype)
        if laws is None:
            continue  # no section asks for this type
        key = (
            item.category if item.category in laws else None,
            item.difficulty if item.difficulty in named_difficulties[item.qtype] else None,
        )
        cells.setdefault(item.qtype, Cells({}, {})).items.setdefault(key, []).append(item)
    for type_cells in cells.values():
        type_cells.items = {
            k: type_cells.items[k] for k in sorted(type_cells.items, key=_cell_sort_key)
        }
        type_cells.used = dict.fromkeys(type_cells.items, 0)

    takes: list[list[tuple[CellKey, int]]] = []
    shortfalls: list[Shortfall] = []
    for section in spec.sections:
        type_cells = cells.setdefault(section.qtype, Cells({}, {}))
        section_takes, section_shortfalls = plan_section(section, type_cells)
        for key, k in section_takes:
            type_cells.used[key] += k
        takes.append(section_takes)
        shortfalls.extend(section_shortfalls)
    return _Plan(cells, takes, shortfalls)

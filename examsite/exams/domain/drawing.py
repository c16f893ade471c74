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
"""

from __future__ import annotations

import itertools
import math
import random
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

__all__ = [
    "QTYPES",
    "DrawError",
    "DrawnItem",
    "PaperSpec",
    "PoolItem",
    "Section",
    "Shortfall",
    "check_spec",
    "draw_paper",
    "draw_papers",
]

QTYPES: Final = ("single", "multiple", "true_false")
_TRUE_FALSE: Final = "true_false"

# Cost weights of the planner: overlap with neighbours dominates, spreading comes second.
_OVERLAP_WEIGHT: Final = 10**12
_SPREAD_WEIGHT: Final = 10**6


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True, slots=True)
class PoolItem:
    """One active question revision available for drawing."""

    revision_id: int
    qtype: str  # "single" | "multiple" | "true_false"
    category: str  # the law, e.g. "宪法"
    difficulty: int  # 1..5
    n_options: int  # number of options (2 for true_false)


@dataclass(frozen=True)
class Section:
    """``count`` questions of ``qtype`` at ``points`` each.

    ``law_quotas``: exactly this many from each named law; the rest of ``count`` comes from
    laws not named.  ``difficulty_quotas`` likewise per difficulty.  Each sum must be at
    most ``count``; a quota of 0 excludes that law/difficulty from the section.
    """

    qtype: str
    count: int
    points: float
    law_quotas: Mapping[str, int] = field(default_factory=dict)
    difficulty_quotas: Mapping[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.qtype not in QTYPES:
            raise ValueError(f"unknown question type {self.qtype!r}")
        if not isinstance(self.count, int) or self.count < 0:
            raise ValueError(f"count must be a non-negative integer, not {self.count!r}")
        if not math.isfinite(self.points) or self.points < 0:
            raise ValueError(f"points must be a non-negative number, not {self.points!r}")
        for name, quotas in (("law", self.law_quotas), ("difficulty", self.difficulty_quotas)):
            if any(not isinstance(n, int) or n < 0 for n in quotas.values()):
                raise ValueError(f"{name} quotas must be non-negative integers")
            if sum(quotas.values()) > self.count:
                raise ValueError(f"{name} quotas add up to more than count ({self.count})")
        # Private copies: the caller's dicts can change afterwards without affecting us.
        object.__setattr__(self, "law_quotas", dict(self.law_quotas))
        object.__setattr__(self, "difficulty_quotas", dict(self.difficulty_quotas))


@dataclass(frozen=True)
class PaperSpec:
    sections: tuple[Section, ...]
    shuffle_options: bool = True  # true_false options are never shuffled

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))

    @property
    def total_points(self) -> float:
        total = sum((Decimal(repr(s.points)) * s.count for s in self.sections), Decimal(0))
        return float(round(total, 2))

    @property
    def question_count(self) -> int:
        return sum(s.count for s in self.sections)


@dataclass(frozen=True, slots=True)
class DrawnItem:
    revision_id: int
    qtype: str
    points: float
    option_order: tuple[int, ...]  # displayed position -> original option index


@dataclass(frozen=True)
class Shortfall:
    """What the bank lacks, e.g. ``Shortfall("true_false", "法官法", None, 5, 3)`` for
    "判断题 法官法 needs 5, bank has 3".  ``law``/``difficulty`` ``None``: not specific."""

    qtype: str
    law: str | None
    difficulty: int | None
    needed: int
    available: int


class DrawError(ValueError):
    """The bank cannot satisfy the spec; ``shortfalls`` says where."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        self.shortfalls = shortfalls
        detail = "; ".join(
            f"{s.qtype}"
            + (f" {s.law}" if s.law is not None else "")
            + (f" difficulty {s.difficulty}" if s.difficulty is not None else "")
            + f" needs {s.needed}, bank has {s.available}"
            for s in shortfalls
        )
        super().__init__(f"the question bank cannot fill the paper: {detail}")


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


# --------------------------------------------------------------------------- planning

_CellKey = tuple[str | None, int | None]  # (named law or None, named difficulty or None)


def _cell_sort_key(key: _CellKey) -> tuple[bool, str, bool, int]:
    law, difficulty = key
    return (law is None, law or "", difficulty is None, difficulty or 0)


@dataclass
class _Cells:
    """One question type's pool split into cells, each a list sorted by revision_id."""

    items: dict[_CellKey, list[PoolItem]]
    used: dict[_CellKey, int]  # taken per paper by the sections planned so far


@dataclass
class _Plan:
    cells: dict[str, _Cells]
    takes: list[list[tuple[_CellKey, int]]]  # per section: (cell, how many)
    shortfalls: list[Shortfall]
    seed_orders: dict[tuple[int, str, _CellKey], list[PoolItem]] = field(default_factory=dict)

    def _order(self, seed: int, qtype: str, key: _CellKey) -> list[PoolItem]:
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
        taken: dict[tuple[str, _CellKey], int] = {}
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

    cells: dict[str, _Cells] = {}
    for item in by_id:
        laws = named_laws.get(item.qtype)
        if laws is None:
            continue  # no section asks for this type
        key = (
            item.category if item.category in laws else None,
            item.difficulty if item.difficulty in named_difficulties[item.qtype] else None,
        )
        cells.setdefault(item.qtype, _Cells({}, {})).items.setdefault(key, []).append(item)
    for type_cells in cells.values():
        type_cells.items = {
            k: type_cells.items[k] for k in sorted(type_cells.items, key=_cell_sort_key)
        }
        type_cells.used = dict.fromkeys(type_cells.items, 0)

    takes: list[list[tuple[_CellKey, int]]] = []
    shortfalls: list[Shortfall] = []
    for section in spec.sections:
        type_cells = cells.setdefault(section.qtype, _Cells({}, {}))
        section_takes, section_shortfalls = _plan_section(section, type_cells)
        for key, k in section_takes:
            type_cells.used[key] += k
        takes.append(section_takes)
        shortfalls.extend(section_shortfalls)
    return _Plan(cells, takes, shortfalls)


class _Edge:
    __slots__ = ("cap", "cell", "flow", "n", "u", "used", "v")

    def __init__(self, u: int, v: int, cap: int, cell: _CellKey | None = None, n: int = 0,
                 used: int = 0) -> None:  # fmt: skip
        self.u, self.v, self.cap, self.flow = u, v, cap, 0
        self.cell, self.n, self.used = cell, n, used

    def unit_cost(self, j: int) -> int:
        """Cost of taking the ``j``-th question (1-based, counting earlier sections) from a
        cell of ``n``: its share of neighbour overlap ``max(0, 2j - n)``, then spread."""
        if self.cell is None:
            return 0
        overlap = 0 if 2 * j <= self.n else (1 if 2 * j == self.n + 1 else 2)
        return overlap * _OVERLAP_WEIGHT + (2 * j - 1) * _SPREAD_WEIGHT // self.n


def _plan_section(
    section: Section, cells: _Cells
) -> tuple[list[tuple[_CellKey, int]], list[Shortfall]]:
    """Solve one section's transportation problem; return the takes and any shortfalls."""
    qtype, count = section.qtype, section.count
    if count == 0:
        return [], []
    # Classes: each named law / difficulty, then None for "any other" (the rest of count).
    laws: list[str | None] = [*sorted(section.law_quotas), None]
    difficulties: list[int | None] = [*sorted(section.difficulty_quotas), None]
    law_need = [section.law_quotas[law] for law in laws if law is not None]
    law_need.append(count - sum(law_need))
    diff_need = [section.difficulty_quotas[d] for d in difficulties if d is not None]
    diff_need.append(count - sum(diff_need))
    law_index = {law: i for i, law in enumerate(laws)}
    diff_index = {d: i for i, d in enumerate(difficulties)}

    source, sink = 0, 1
    row0, col0 = 2, 2 + len(laws)
    n_nodes = col0 + len(difficulties)
    edges: list[_Edge] = []
    adjacency: list[list[tuple[int, bool]]] = [[] for _ in range(n_nodes)]

    def add(edge: _Edge) -> None:
        adjacency[edge.u].append((len(edges), True))
        adjacency[edge.v].append((len(edges), False))
        edges.append(edge)

    for i, need in enumerate(law_need):
        add(_Edge(source, row0 + i, need))
    for i, need in enumerate(diff_need):
        add(_Edge(col0 + i, sink, need))
    # Remaining questions per (law class, difficulty class), for the shortfall messages.
    capacity = [[0] * len(difficulties) for _ in laws]
    for key, items in cells.items.items():
        left = len(items) - cells.used[key]
        law, difficulty = key
        r = law_index[law if law in section.law_quotas else None]
        c = diff_index[difficulty if difficulty in section.difficulty_quotas else None]
        capacity[r][c] += left
        if left > 0:
            add(_Edge(row0 + r, col0 + c, left, key, len(items), cells.used[key]))

    flow = 0
    while flow < count and _augment(edges, adjacency, n_nodes, source, sink):
        flow += 1
    takes = [(e.cell, e.flow) for e in edges if e.cell is not None and e.flow > 0]
    if flow == count:
        return takes, []

    shortfalls: list[Shortfall] = []
    other_short = False
    for r, law in enumerate(laws):
        available = sum(capacity[r])
        if available < law_need[r]:
            if law is None:
                other_short = True
            else:
                shortfalls.append(Shortfall(qtype, law, None, law_need[r], available))
    for c, difficulty in enumerate(difficulties):
        available = sum(row[c] for row in capacity)
        if available < diff_need[c]:
            if difficulty is None:
                other_short = True
            else:
                shortfalls.append(Shortfall(qtype, None, difficulty, diff_need[c], available))
    if not shortfalls:
        # The minimum cut names the conflict: the law classes on the source side need more
        # questions at the difficulties on the sink side than the bank holds.
        reach = _reachable(edges, adjacency, n_nodes, source)
        rows_s = [r for r in range(len(laws)) if reach[row0 + r]]
        cols_t = [c for c in range(len(difficulties)) if not reach[col0 + c]]
        if (
            len(rows_s) == 1
            and len(cols_t) == 1
            and laws[rows_s[0]] is not None
            and difficulties[cols_t[0]] is not None
        ):
            r, c = rows_s[0], cols_t[0]
            needed = law_need[r] - sum(
                diff_need[i] for i in range(len(difficulties)) if reach[col0 + i]
            )
            shortfalls.append(Shortfall(qtype, laws[r], difficulties[c], needed, capacity[r][c]))
    if not shortfalls or other_short:
        shortfalls.append(Shortfall(qtype, None, None, count, flow))
    return takes, shortfalls


def _augment(edges: list[_Edge], adjacency: list[list[tuple[int, bool]]], n_nodes: int,
             source: int, sink: int) -> bool:  # fmt: skip
    """Push one question along a cheapest path (SPFA; residual costs can be negative)."""
    inf = math.inf
    dist: list[float] = [inf] * n_nodes
    via: list[tuple[int, bool] | None] = [None] * n_nodes
    dist[source] = 0
    queue = deque([source])
    queued = [False] * n_nodes
    queued[source] = True
    while queue:
        u = queue.popleft()
        queued[u] = False
        du = dist[u]
        for index, forward in adjacency[u]:
            edge = edges[index]
            if forward:
                if edge.flow >= edge.cap:
                    continue
                v = edge.v
                cost = edge.unit_cost(edge.used + edge.flow + 1)
            else:
                if edge.flow <= 0:
                    continue
                v = edge.u
                cost = -edge.unit_cost(edge.used + edge.flow)
            if du + cost < dist[v]:
                dist[v] = du + cost
                via[v] = (index, forward)
                if not queued[v]:
                    queued[v] = True
                    queue.append(v)
    if dist[sink] == inf:
        return False
    node = sink
    while node != source:
        step = via[node]
        assert step is not None
        index, forward = step
        edge = edges[index]
        if forward:
            edge.flow += 1
            node = edge.u
        else:
            edge.flow -= 1
            node = edge.v
    return True


def _reachable(edges: list[_Edge], adjacency: list[list[tuple[int, bool]]], n_nodes: int,
               source: int) -> list[bool]:  # fmt: skip
    seen = [False] * n_nodes
    seen[source] = True
    stack = [source]
    while stack:
        u = stack.pop()
        for index, forward in adjacency[u]:
            edge = edges[index]
            if forward and edge.flow < edge.cap and not seen[edge.v]:
                seen[edge.v] = True
                stack.append(edge.v)
            elif not forward and edge.flow > 0 and not seen[edge.u]:
                seen[edge.u] = True
                stack.append(edge.u)
    return seen

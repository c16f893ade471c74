"""Planning one section of a paper (step 1 of the method in ``drawing``): how many
questions each cell of the pool gives, as a transportation problem solved exactly by
min-cost flow (successive shortest paths, one question at a time).  Pure.

The law classes (each named law, plus "other laws" for the rest of the count) must be
filled exactly, the difficulty classes likewise, and a cell gives at most what the earlier
sections left in it.  The cost of the ``j``-th question from a cell of ``n`` is first its
share of neighbour overlap, ``max(0, 2j - n)``, then ``(2j - 1) / n`` to spread draws over
cells in proportion to their size.  When the flow falls short, the shortfalls name what is
missing (the minimum cut names the law and the difficulty in conflict).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Final

from examsite.exams.domain.paper_spec import PoolItem, Section, Shortfall

__all__ = ["CellKey", "Cells", "plan_section"]

# Cost weights of the planner: overlap with neighbours dominates, spreading comes second.
_OVERLAP_WEIGHT: Final = 10**12
_SPREAD_WEIGHT: Final = 10**6

CellKey = tuple[str | None, int | None]  # (named law or None, named difficulty or None)


@dataclass
class Cells:
    """One question type's pool split into cells, each a list sorted by revision_id."""

    items: dict[CellKey, list[PoolItem]]
    used: dict[CellKey, int]  # taken per paper by the sections planned so far


class _Edge:
    __slots__ = ("cap", "cell", "flow", "n", "u", "used", "v")

    def __init__(self, u: int, v: int, cap: int, cell: CellKey | None = None, n: int = 0,
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


def plan_section(
    section: Section, cells: Cells
) -> tuple[list[tuple[CellKey, int]], list[Shortfall]]:
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

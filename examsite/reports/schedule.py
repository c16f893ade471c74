"""Proposing when each subject gives the post-appointment performance report (任后履职报告) (pure).

Each subject reports once per term, either orally (口头) at a standing committee meeting or in
writing (书面) by a due date. ``propose_schedule`` keeps what staff already confirmed, places
everyone else and reports, by code, whoever cannot be placed.

Oral reports: a subject may go to any meeting that is not cancelled, not before ``today``, not
before the subject is available and not after ``min(deadline, available_until)``. Each meeting
takes at most ``max_oral_per_meeting`` reports, confirmed ones included. The assignment places
as many subjects as any assignment could (subjects whose window closes sooner win when not all
fit) and, among such assignments, spreads the load as evenly as the windows allow.

Note on the method: "earliest deadline first, each to the least loaded meeting" is *not* optimal
once it picks the least loaded meeting. Example with a cap of 2, meeting 1 holding one confirmed
report, and subjects A (meetings 1-2) and B, C, D, E (meetings 2-3): A goes to the emptier
meeting 2 and one of B-E is left out, although A at meeting 1 places everyone. So the subjects
are taken earliest deadline first, but each is placed by an augmenting path (it may push already
placed subjects to other meetings in their windows) ending at the least loaded meeting reachable.
This is successive shortest paths for a min-cost flow with a convex cost per meeting load, so
the number placed is maximum (Kuhn: a subject with no augmenting path never gets one later) and
the loads are as even as possible: no chain of moves can take a report from a meeting to
another with a load two or more lower.

Written reports are spread the same way over buckets of ``written_spacing_days`` days counted
from ``today``; buckets have no cap, so only an empty window stops a written subject. With
windows that span the whole period, no bucket holds more than ``ceil(n / buckets)`` reports.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

ORAL = "oral"
WRITTEN = "written"
MODES = (ORAL, WRITTEN)

NO_MEETING = "no_meeting"
CAPACITY = "capacity"
FIXED_CONFLICT = "fixed_conflict"
NO_WINDOW = "no_window"
PROBLEM_CODES = (NO_MEETING, CAPACITY, FIXED_CONFLICT, NO_WINDOW)


@dataclass(frozen=True)
class Subject:
    """Someone who owes a performance report this term.

    ``fixed_meeting_id`` is read for oral subjects only, ``fixed_due`` for written ones only.
    """

    id: int
    mode: str  # ORAL | WRITTEN
    available_from: date  # cannot report before (e.g. appointed date + settling-in)
    available_until: date | None  # left the post / must report before; None = end of term
    fixed_meeting_id: int | None = None  # already confirmed by staff: keep it
    fixed_due: date | None = None  # already confirmed written due date: keep it


@dataclass(frozen=True)
class MeetingSlot:
    """A standing committee meeting that can hear oral reports."""

    id: int
    date: date
    cancelled: bool = False


@dataclass(frozen=True)
class Placement:
    """Where a subject reports: ``meeting_id`` for oral reports, ``due`` for written ones."""

    subject_id: int
    meeting_id: int | None
    due: date | None


@dataclass(frozen=True)
class Problem:
    """Why a subject could not be placed; ``code`` is one of ``PROBLEM_CODES``.

    - ``no_meeting``: oral, no usable meeting inside the subject's window;
    - ``capacity``: oral, usable meetings exist but are all full;
    - ``fixed_conflict``: the confirmed meeting is unknown or cancelled, the confirmed meeting
      or due date lies outside the subject's availability or after the deadline, or the
      confirmed meeting already holds ``max_oral_per_meeting`` confirmed reports of subjects
      with smaller ids;
    - ``no_window``: written, the window ``[max(today, available_from), limit]`` is empty.
    """

    subject_id: int
    code: str
    detail: str  # short English explanation; the web layer shows its own text by code


@dataclass(frozen=True)
class Schedule:
    """Placements and problems, each sorted by subject id; every subject is in exactly one."""

    placements: tuple[Placement, ...]
    problems: tuple[Problem, ...]

    @property
    def feasible(self) -> bool:
        """True when every subject is placed."""
        return not self.problems


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def first_report_day(appointed_on: date | None, months: int, term_start: date) -> date:
    """The first day a subject may report: ``months`` after the appointment (local rules: not
    before a year in office), never before the term; the day after the appointing meeting at
    the least, so a report never falls at the meeting that appointed the person."""
    if appointed_on is None:
        return term_start
    earliest = max(add_months(appointed_on, months), appointed_on + timedelta(days=1))
    return max(earliest, term_start)


def subject_limit(subject: Subject, deadline: date) -> date:
    """The last day the subject may report: ``min(deadline, available_until)``."""
    if subject.available_until is None:
        return deadline
    return min(deadline, subject.available_until)


def propose_schedule(
    subjects: Iterable[Subject],
    meetings: Iterable[MeetingSlot],
    *,
    max_oral_per_meeting: int,
    deadline: date,
    written_spacing_days: int = 14,
    today: date,
) -> Schedule:
    """Propose a meeting for each oral subject and a due date for each written one.

    The result depends only on the sets given, not on their order. Raises ``ValueError`` on
    duplicate subject or meeting ids, an unknown mode, a negative cap or a spacing below one day.
    """
    subject_list = sorted(subjects, key=lambda s: s.id)
    meeting_list = sorted(meetings, key=lambda m: (m.date, m.id))
    _check(subject_list, meeting_list, max_oral_per_meeting, written_spacing_days)

    placements: list[Placement] = []
    problems: list[Problem] = []
    oral = [s for s in subject_list if s.mode == ORAL]
    written = [s for s in subject_list if s.mode == WRITTEN]
    _schedule_oral(oral, meeting_list, max_oral_per_meeting, deadline, today, placements, problems)
    _schedule_written(written, deadline, written_spacing_days, today, placements, problems)

    placements.sort(key=lambda p: p.subject_id)
    problems.sort(key=lambda p: p.subject_id)
    return Schedule(placements=tuple(placements), problems=tuple(problems))


def _check(
    subjects: Sequence[Subject],
    meetings: Sequence[MeetingSlot],
    max_oral_per_meeting: int,
    written_spacing_days: int,
) -> None:
    if len({s.id for s in subjects}) != len(subjects):
        raise ValueError("duplicate subject id")
    if len({m.id for m in meetings}) != len(meetings):
        raise ValueError("duplicate meeting id")
    for subject in subjects:
        if subject.mode not in MODES:
            raise ValueError(f"subject {subject.id}: unknown mode {subject.mode!r}")
    if max_oral_per_meeting < 0:
        raise ValueError("max_oral_per_meeting must not be negative")
    if written_spacing_days < 1:
        raise ValueError("written_spacing_days must be at least 1")


def _schedule_oral(
    subjects: Sequence[Subject],
    meetings: Sequence[MeetingSlot],
    cap: int,
    deadline: date,
    today: date,
    placements: list[Placement],
    problems: list[Problem],
) -> None:
    # Meetings are sorted by (date, id); a meeting is referred to by its index (its rank).
    index_of = {m.id: i for i, m in enumerate(meetings)}
    fixed_load = [0] * len(meetings)
    flexible: list[Subject] = []

    # Confirmed placements first, by subject id, so that they count against the cap.
    for subject in subjects:
        if subject.fixed_meeting_id is None:
            flexible.append(subject)
            continue
        conflict = _fixed_meeting_conflict(subject, meetings, index_of, fixed_load, cap, deadline)
        if conflict:
            problems.append(Problem(subject.id, FIXED_CONFLICT, conflict))
            continue
        fixed_load[index_of[subject.fixed_meeting_id]] += 1
        placements.append(Placement(subject.id, subject.fixed_meeting_id, None))

    options: dict[int, list[int]] = {}
    for subject in flexible:
        start = max(today, subject.available_from)
        limit = subject_limit(subject, deadline)
        options[subject.id] = [
            i for i, m in enumerate(meetings) if not m.cancelled and start <= m.date <= limit
        ]

    # Earliest deadline first: when not everyone fits, subjects whose window closes sooner win.
    order = [
        s.id
        for s in sorted(flexible, key=lambda s: (subject_limit(s, deadline), s.id))
        if options[s.id]
    ]
    capacity = [max(0, cap - load) for load in fixed_load]
    assigned = _balanced_assignment(order, options, capacity, fixed_load)

    for subject in flexible:
        slot = assigned.get(subject.id)
        if slot is not None:
            placements.append(Placement(subject.id, meetings[slot].id, None))
            continue
        window = f"{max(today, subject.available_from)}..{subject_limit(subject, deadline)}"
        if options[subject.id]:
            detail = f"all {len(options[subject.id])} usable meetings in {window} are full"
            problems.append(Problem(subject.id, CAPACITY, detail))
        else:
            problems.append(Problem(subject.id, NO_MEETING, f"no usable meeting in {window}"))


def _fixed_meeting_conflict(
    subject: Subject,
    meetings: Sequence[MeetingSlot],
    index_of: dict[int, int],
    fixed_load: list[int],
    cap: int,
    deadline: date,
) -> str:
    """Why the subject's confirmed meeting cannot be kept; empty when it can."""
    meeting_id = subject.fixed_meeting_id
    if meeting_id not in index_of:
        return f"confirmed meeting {meeting_id} is unknown"
    index = index_of[meeting_id]
    meeting = meetings[index]
    if meeting.cancelled:
        return f"confirmed meeting {meeting_id} is cancelled"
    if meeting.date < subject.available_from:
        return f"confirmed meeting {meeting_id} is before {subject.available_from}"
    if meeting.date > subject_limit(subject, deadline):
        return f"confirmed meeting {meeting_id} is after {subject_limit(subject, deadline)}"
    if fixed_load[index] >= cap:
        return f"confirmed meeting {meeting_id} already holds {cap} confirmed reports"
    return ""


def _schedule_written(
    subjects: Sequence[Subject],
    deadline: date,
    spacing: int,
    today: date,
    placements: list[Placement],
    problems: list[Problem],
) -> None:
    # Bucket b covers today + b*spacing .. today + (b+1)*spacing - 1, clipped to the deadline.
    buckets = (deadline - today).days // spacing + 1 if deadline >= today else 0
    fixed_load = [0] * buckets
    options: dict[int, list[int]] = {}
    flexible: list[Subject] = []

    for subject in subjects:
        limit = subject_limit(subject, deadline)
        if subject.fixed_due is not None:
            due = subject.fixed_due
            if subject.available_from <= due <= limit:
                placements.append(Placement(subject.id, None, due))
                if today <= due <= deadline:
                    fixed_load[(due - today).days // spacing] += 1
            else:
                window = f"{subject.available_from}..{limit}"
                detail = f"confirmed due date {due} is outside {window}"
                problems.append(Problem(subject.id, FIXED_CONFLICT, detail))
            continue
        start = max(today, subject.available_from)
        if limit < start:
            detail = f"window {start}..{limit} is empty"
            problems.append(Problem(subject.id, NO_WINDOW, detail))
            continue
        first, last = (start - today).days // spacing, (limit - today).days // spacing
        options[subject.id] = list(range(first, last + 1))
        flexible.append(subject)

    order = [s.id for s in sorted(flexible, key=lambda s: (subject_limit(s, deadline), s.id))]
    unlimited = [len(subjects)] * buckets
    assigned = _balanced_assignment(order, options, unlimited, fixed_load)
    for subject in flexible:
        bucket = assigned[subject.id]
        bucket_end = today + timedelta(days=(bucket + 1) * spacing - 1)
        placements.append(
            Placement(subject.id, None, min(bucket_end, subject_limit(subject, deadline)))
        )


def _balanced_assignment(
    order: Sequence[int],
    options: dict[int, list[int]],
    capacity: Sequence[int],
    base_load: Sequence[int],
) -> dict[int, int]:
    """Assign subjects to slots: maximum number placed, then loads as even as possible.

    ``order`` lists the subjects by priority, ``options[s]`` the slots subject ``s`` may take,
    ``capacity[j]`` how many more subjects slot ``j`` takes and ``base_load[j]`` what it
    already holds. Returns subject -> slot for the subjects placed.

    Each subject in turn searches (breadth first) the slots it can reach, directly or by
    moving already placed subjects along a chain to other slots of theirs, and ends the chain
    at the reachable slot with room and the smallest ``(load + 1, slot index)``. That is the
    shortest augmenting path for the convex cost ``load * (slots + 1) + index`` per added unit,
    so the result is a min-cost assignment of a maximum set of subjects.
    """
    new_load = [0] * len(capacity)
    members: list[set[int]] = [set() for _ in capacity]
    assigned: dict[int, int] = {}

    for subject in order:
        # parent[slot] = (subject that would move into slot, slot it leaves or None)
        parent: dict[int, tuple[int, int | None]] = {}
        queue: deque[int] = deque()
        for slot in options[subject]:
            parent[slot] = (subject, None)
            queue.append(slot)
        while queue:
            slot = queue.popleft()
            for mover in sorted(members[slot]):
                for other in options[mover]:
                    if other not in parent:
                        parent[other] = (mover, slot)
                        queue.append(other)

        open_slots = [j for j in parent if new_load[j] < capacity[j]]
        if not open_slots:
            continue  # no chain now means no chain later either
        target = min(open_slots, key=lambda j: (base_load[j] + new_load[j] + 1, j))
        new_load[target] += 1
        slot_to: int | None = target
        while slot_to is not None:
            mover, slot_from = parent[slot_to]
            members[slot_to].add(mover)
            assigned[mover] = slot_to
            if slot_from is not None:
                members[slot_from].discard(mover)
            slot_to = slot_from
    return assigned

"""Tests of the report schedule proposal: invariants, optimality against brute force, examples."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examsite.reports.schedule import (
    CAPACITY,
    FIXED_CONFLICT,
    NO_MEETING,
    NO_WINDOW,
    ORAL,
    PROBLEM_CODES,
    WRITTEN,
    MeetingSlot,
    Placement,
    Schedule,
    Subject,
    propose_schedule,
    subject_limit,
)

FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

BASE = date(2025, 1, 1)


def day(offset: int) -> date:
    return BASE + timedelta(days=offset)


# --- strategies -------------------------------------------------------------------------------


@st.composite
def meetings_st(draw: st.DrawFn, max_size: int, horizon: int) -> list[MeetingSlot]:
    ids = draw(st.lists(st.integers(1, 50), max_size=max_size, unique=True))
    return [
        MeetingSlot(
            id=meeting_id,
            date=day(draw(st.integers(0, horizon))),
            cancelled=draw(st.integers(0, 3)) == 0,
        )
        for meeting_id in ids
    ]


@st.composite
def subjects_st(
    draw: st.DrawFn,
    meetings: list[MeetingSlot],
    max_size: int,
    horizon: int,
    modes: tuple[str, ...] = (ORAL, WRITTEN),
    fixed: bool = True,
) -> list[Subject]:
    ids = draw(st.lists(st.integers(1, 500), max_size=max_size, unique=True))
    meeting_ids = [m.id for m in meetings] + [999]  # 999: a meeting that does not exist
    subjects = []
    for subject_id in ids:
        mode = draw(st.sampled_from(modes))
        start = draw(st.integers(0, horizon))
        until = draw(st.one_of(st.none(), st.integers(0, horizon).map(day)))
        fixed_meeting = fixed_due = None
        if fixed and draw(st.integers(0, 4)) == 0:
            if mode == ORAL:
                fixed_meeting = draw(st.sampled_from(meeting_ids))
            else:
                fixed_due = day(draw(st.integers(0, horizon)))
        subjects.append(Subject(subject_id, mode, day(start), until, fixed_meeting, fixed_due))
    return subjects


@st.composite
def instances(
    draw: st.DrawFn,
    max_subjects: int = 14,
    max_meetings: int = 7,
    horizon: int = 90,
    modes: tuple[str, ...] = (ORAL, WRITTEN),
    caps: tuple[int, int] = (0, 4),
    fixed: bool = True,
) -> tuple[list[Subject], list[MeetingSlot], dict]:
    meetings = draw(meetings_st(max_meetings, horizon))
    subjects = draw(subjects_st(meetings, max_subjects, horizon, modes, fixed))
    kwargs = {
        "max_oral_per_meeting": draw(st.integers(*caps)),
        "deadline": day(draw(st.integers(0, horizon))),
        "written_spacing_days": draw(st.integers(1, 30)),
        "today": day(draw(st.integers(0, horizon // 3))),
    }
    return subjects, meetings, kwargs


# --- helpers ----------------------------------------------------------------------------------


def usable(subject: Subject, meetings: list[MeetingSlot], deadline: date, today: date) -> list:
    """Meetings a subject without a confirmed meeting may go to (written independently)."""
    last = deadline if subject.available_until is None else min(deadline, subject.available_until)
    first = max(today, subject.available_from)
    return [m for m in meetings if not m.cancelled and first <= m.date <= last]


def oral_loads(schedule: Schedule) -> Counter[int]:
    return Counter(p.meeting_id for p in schedule.placements if p.meeting_id is not None)


def check_invariants(
    subjects: list[Subject], meetings: list[MeetingSlot], kwargs: dict, schedule: Schedule
) -> None:
    by_id = {s.id: s for s in subjects}
    meeting_by_id = {m.id: m for m in meetings}
    deadline, today, cap = kwargs["deadline"], kwargs["today"], kwargs["max_oral_per_meeting"]

    # Every subject exactly once, in placements or in problems.
    placed = [p.subject_id for p in schedule.placements]
    reported = [p.subject_id for p in schedule.problems]
    assert sorted(placed + reported) == sorted(by_id)
    assert placed == sorted(placed) and reported == sorted(reported)
    assert schedule.feasible == (not schedule.problems)

    # The cap holds, confirmed reports included.
    loads = oral_loads(schedule)
    assert all(count <= cap for count in loads.values())

    for placement in schedule.placements:
        subject = by_id[placement.subject_id]
        limit = subject_limit(subject, deadline)
        if subject.mode == ORAL:
            assert placement.due is None and placement.meeting_id is not None
            meeting = meeting_by_id[placement.meeting_id]
            assert not meeting.cancelled
            assert subject.available_from <= meeting.date <= limit <= deadline
            if subject.fixed_meeting_id is not None:
                assert placement.meeting_id == subject.fixed_meeting_id
            else:
                assert meeting.date >= today
        else:
            assert placement.meeting_id is None and placement.due is not None
            assert subject.available_from <= placement.due <= limit <= deadline
            if subject.fixed_due is not None:
                assert placement.due == subject.fixed_due
            else:
                assert placement.due >= today

    for problem in schedule.problems:
        assert problem.code in PROBLEM_CODES and problem.detail
        subject = by_id[problem.subject_id]
        if subject.mode == ORAL and subject.fixed_meeting_id is not None:
            assert problem.code == FIXED_CONFLICT
            fixed_meeting = meeting_by_id.get(subject.fixed_meeting_id)
            if (
                fixed_meeting is not None
                and not fixed_meeting.cancelled
                and subject.available_from <= fixed_meeting.date <= subject_limit(subject, deadline)
            ):  # only allowed when confirmed reports alone fill the meeting
                assert loads[fixed_meeting.id] == cap
        elif subject.mode == ORAL:
            options = usable(subject, meetings, deadline, today)
            if options:
                assert problem.code == CAPACITY
                assert all(loads[m.id] == cap for m in options)
            else:
                assert problem.code == NO_MEETING
        elif subject.fixed_due is not None:
            assert problem.code == FIXED_CONFLICT
        else:
            assert problem.code == NO_WINDOW
            assert subject_limit(subject, deadline) < max(today, subject.available_from)


def brute_force_oral(
    subjects: list[Subject], meetings: list[MeetingSlot], cap: int, deadline: date, today: date
) -> int:
    """Most oral subjects any assignment can place (confirmed ones kept up to the cap)."""
    by_id = {m.id: m for m in meetings}
    fixed: Counter[int] = Counter()
    flexible = []
    for subject in subjects:
        if subject.fixed_meeting_id is None:
            flexible.append([m.id for m in usable(subject, meetings, deadline, today)])
            continue
        meeting = by_id.get(subject.fixed_meeting_id)
        last = subject_limit(subject, deadline)
        if meeting and not meeting.cancelled and subject.available_from <= meeting.date <= last:
            fixed[meeting.id] += 1
    kept = {m.id: min(cap, fixed[m.id]) for m in meetings}
    free = {m.id: cap - kept[m.id] for m in meetings}
    best = 0

    def search(i: int, placed: int) -> None:
        nonlocal best
        if placed + len(flexible) - i <= best:
            return
        if i == len(flexible):
            best = placed
            return
        for meeting_id in flexible[i]:
            if free[meeting_id]:
                free[meeting_id] -= 1
                search(i + 1, placed + 1)
                free[meeting_id] += 1
        search(i + 1, placed)

    search(0, 0)
    return sum(kept.values()) + best


def oral(subject_id: int) -> Subject:
    return Subject(subject_id, ORAL, day(0), None)


def written(subject_id: int, until: int | None) -> Subject:
    return Subject(subject_id, WRITTEN, day(0), None if until is None else day(until))


# --- properties -------------------------------------------------------------------------------


@FAST
@given(instances())
def test_invariants(instance: tuple[list[Subject], list[MeetingSlot], dict]) -> None:
    subjects, meetings, kwargs = instance
    check_invariants(subjects, meetings, kwargs, propose_schedule(subjects, meetings, **kwargs))


@st.composite
def dense_oral(
    draw: st.DrawFn, max_meetings: int = 4, max_subjects: int = 6, caps: tuple[int, int] = (1, 2)
) -> tuple[list[Subject], list[MeetingSlot], dict]:
    """Oral cases where windows are runs of meetings, so subjects compete for seats."""
    count = draw(st.integers(1, max_meetings))
    meetings = [
        MeetingSlot(i, day(10 * i), cancelled=draw(st.integers(0, 5)) == 0)
        for i in range(1, count + 1)
    ]
    ids = draw(st.lists(st.integers(1, 99), min_size=1, max_size=max_subjects, unique=True))
    subjects = []
    for subject_id in ids:
        first = draw(st.integers(0, count))
        last = draw(st.integers(first, count + 1))  # count + 1: to the end of the term
        fixed = draw(st.sampled_from([None] * 5 + [m.id for m in meetings]))
        until = None if last > count else day(10 * last + 5)
        subjects.append(Subject(subject_id, ORAL, day(10 * first - 5), until, fixed))
    kwargs = {
        "max_oral_per_meeting": draw(st.integers(*caps)),
        "deadline": day(10 * count + draw(st.sampled_from([5, 5, -5]))),
        "today": day(draw(st.sampled_from([0, 0, 15]))),
    }
    return subjects, meetings, kwargs


@FAST
@given(
    st.one_of(
        dense_oral(),
        instances(max_subjects=6, max_meetings=4, horizon=20, modes=(ORAL,), caps=(1, 2)),
    )
)
def test_matches_brute_force(instance: tuple[list[Subject], list[MeetingSlot], dict]) -> None:
    subjects, meetings, kwargs = instance
    schedule = propose_schedule(subjects, meetings, **kwargs)
    check_invariants(subjects, meetings, kwargs, schedule)
    best = brute_force_oral(
        subjects, meetings, kwargs["max_oral_per_meeting"], kwargs["deadline"], kwargs["today"]
    )
    # As many placed as any assignment manages; so feasible exactly when brute force is.
    assert len(schedule.placements) == best
    assert schedule.feasible == (best == len(subjects))


@st.composite
def planted_full(draw: st.DrawFn) -> tuple[list[Subject], list[MeetingSlot], dict]:
    """Bigger oral cases filling (nearly) every seat, built around a known full assignment."""
    count = draw(st.integers(2, 6))
    cap = draw(st.integers(2, 3))
    meetings = [MeetingSlot(i, day(10 * i)) for i in range(1, count + 1)]
    seats = [i for i in range(1, count + 1) for _ in range(cap)]
    seats = seats[: len(seats) - draw(st.integers(0, 1))]
    ids = draw(st.permutations(range(1, len(seats) + 1)))
    subjects = []
    for subject_id, seat in zip(ids, seats, strict=True):
        first = draw(st.integers(1, seat))
        last = draw(st.integers(seat, count + 1))
        fixed = seat if draw(st.integers(0, 5)) == 0 else None
        until = None if last > count else day(10 * last + 5)
        subjects.append(Subject(subject_id, ORAL, day(10 * first - 5), until, fixed))
    kwargs = {"max_oral_per_meeting": cap, "deadline": day(10 * count + 5), "today": day(0)}
    return subjects, meetings, kwargs


@FAST
@given(planted_full())
def test_planted_full_assignment_is_found(
    instance: tuple[list[Subject], list[MeetingSlot], dict],
) -> None:
    # "Earliest deadline first, each to the least loaded meeting" fails some of these.
    subjects, meetings, kwargs = instance
    schedule = propose_schedule(subjects, meetings, **kwargs)
    check_invariants(subjects, meetings, kwargs, schedule)
    assert schedule.feasible


@FAST
@given(
    st.one_of(
        dense_oral(max_meetings=6, max_subjects=16, caps=(1, 5)),
        instances(max_subjects=12, max_meetings=6, horizon=40, modes=(ORAL,), caps=(1, 5)),
    )
)
def test_oral_load_is_locally_balanced(
    instance: tuple[list[Subject], list[MeetingSlot], dict],
) -> None:
    subjects, meetings, kwargs = instance
    schedule = propose_schedule(subjects, meetings, **kwargs)
    loads = oral_loads(schedule)
    by_id = {s.id: s for s in subjects}
    for placement in schedule.placements:
        subject = by_id[placement.subject_id]
        if subject.fixed_meeting_id is not None or placement.meeting_id is None:
            continue
        # Moving this report to another meeting of its window would not even the load out.
        for meeting in usable(subject, meetings, kwargs["deadline"], kwargs["today"]):
            assert loads[meeting.id] >= loads[placement.meeting_id] - 1


@FAST
@given(
    st.integers(0, 40),
    st.integers(1, 10),
    st.integers(1, 8),
    st.integers(0, 60),
)
def test_unconstrained_oral_load_differs_by_at_most_one(
    count: int, meeting_count: int, cap: int, today_offset: int
) -> None:
    meetings = [MeetingSlot(i, day(100 + 7 * i)) for i in range(1, meeting_count + 1)]
    subjects = [oral(i) for i in range(1, count + 1)]
    schedule = propose_schedule(
        subjects, meetings, max_oral_per_meeting=cap, deadline=day(200), today=day(today_offset)
    )
    loads = [oral_loads(schedule)[m.id] for m in meetings]
    assert len(schedule.placements) == min(count, cap * meeting_count)
    assert max(loads) - min(loads) <= 1


@FAST
@given(
    st.integers(0, 40),
    st.integers(1, 30),
    st.integers(0, 200),
    st.integers(0, 30),
)
def test_written_spread_over_buckets(
    count: int, spacing: int, deadline_offset: int, today_offset: int
) -> None:
    today, deadline = day(today_offset), day(today_offset + deadline_offset)
    subjects = [written(i, until=None if i % 2 else 400) for i in range(1, count + 1)]
    schedule = propose_schedule(
        subjects,
        [],
        max_oral_per_meeting=0,
        deadline=deadline,
        written_spacing_days=spacing,
        today=today,
    )
    assert schedule.feasible
    buckets = deadline_offset // spacing + 1
    dues = [p.due for p in schedule.placements if p.due is not None]
    assert len(dues) == count
    assert all(today <= due <= deadline for due in dues)
    per_bucket = Counter((due - today).days // spacing for due in dues)
    assert all(0 <= bucket < buckets for bucket in per_bucket)
    assert max(per_bucket.values(), default=0) <= math.ceil(count / buckets)


@FAST
@given(instances(), st.data())
def test_independent_of_input_order(
    instance: tuple[list[Subject], list[MeetingSlot], dict], data: st.DataObject
) -> None:
    subjects, meetings, kwargs = instance
    shuffled_subjects = data.draw(st.permutations(subjects))
    shuffled_meetings = data.draw(st.permutations(meetings))
    assert propose_schedule(subjects, meetings, **kwargs) == propose_schedule(
        shuffled_subjects, shuffled_meetings, **kwargs
    )


# --- examples ---------------------------------------------------------------------------------

TODAY = date(2025, 3, 1)
DEADLINE = date(2025, 12, 31)
SIX_MEETINGS = [MeetingSlot(i, date(2025, 2 + i, 20)) for i in range(1, 7)]  # 20 Mar .. 20 Aug


def whole_term(subject_id: int, mode: str) -> Subject:
    return Subject(subject_id, mode, date(2025, 1, 15), None)


@pytest.mark.parametrize("oral_count", [36, 31, 20])
def test_term_of_47_subjects_is_placed_and_spread(oral_count: int) -> None:
    subjects = [whole_term(i, ORAL) for i in range(1, oral_count + 1)]
    subjects += [whole_term(100 + i, WRITTEN) for i in range(11)]
    schedule = propose_schedule(
        subjects, SIX_MEETINGS, max_oral_per_meeting=6, deadline=DEADLINE, today=TODAY
    )
    assert schedule.feasible
    assert len(schedule.placements) == oral_count + 11
    loads = [oral_loads(schedule)[m.id] for m in SIX_MEETINGS]
    assert sum(loads) == oral_count
    assert max(loads) - min(loads) <= 1
    # 11 written reports over 22 two-week buckets: never two in the same bucket.
    dues = [p.due for p in schedule.placements if p.due is not None]
    assert len(dues) == 11
    assert len({(d - TODAY).days // 14 for d in dues}) == 11
    assert all(TODAY <= d <= DEADLINE for d in dues)


def test_left_before_any_meeting_is_no_meeting() -> None:
    subjects = [whole_term(1, ORAL), Subject(2, ORAL, date(2025, 1, 15), date(2025, 3, 10))]
    schedule = propose_schedule(
        subjects, SIX_MEETINGS, max_oral_per_meeting=6, deadline=DEADLINE, today=TODAY
    )
    assert [(p.subject_id, p.code) for p in schedule.problems] == [(2, NO_MEETING)]
    assert [p.subject_id for p in schedule.placements] == [1]
    assert not schedule.feasible


def test_cancelled_fixed_meeting_is_fixed_conflict_and_uses_no_capacity() -> None:
    meetings = [
        MeetingSlot(1, date(2025, 4, 20), cancelled=True),
        MeetingSlot(2, date(2025, 5, 20)),
    ]
    subjects = [
        Subject(1, ORAL, date(2025, 1, 1), None, fixed_meeting_id=1),
        Subject(2, ORAL, date(2025, 1, 1), None, fixed_meeting_id=2),
        Subject(3, ORAL, date(2025, 1, 1), None),
    ]
    schedule = propose_schedule(
        subjects, meetings, max_oral_per_meeting=2, deadline=DEADLINE, today=TODAY
    )
    assert [(p.subject_id, p.code) for p in schedule.problems] == [(1, FIXED_CONFLICT)]
    assert schedule.placements == (Placement(2, 2, None), Placement(3, 2, None))


def test_fixed_outside_window_and_over_cap_are_conflicts() -> None:
    meetings = [MeetingSlot(1, date(2025, 4, 20)), MeetingSlot(2, date(2025, 5, 20))]
    subjects = [
        Subject(1, ORAL, date(2025, 5, 1), None, fixed_meeting_id=1),  # not yet available
        Subject(2, ORAL, date(2025, 1, 1), date(2025, 5, 1), fixed_meeting_id=2),  # gone by then
        Subject(3, ORAL, date(2025, 1, 1), None, fixed_meeting_id=1),
        Subject(4, ORAL, date(2025, 1, 1), None, fixed_meeting_id=1),  # meeting 1 already full
        Subject(5, ORAL, date(2025, 1, 1), None, fixed_meeting_id=99),  # unknown meeting
        Subject(6, WRITTEN, date(2025, 1, 1), date(2025, 6, 1), fixed_due=date(2025, 7, 1)),
        Subject(7, WRITTEN, date(2025, 1, 1), None, fixed_due=date(2025, 2, 1)),  # kept
    ]
    schedule = propose_schedule(
        subjects, meetings, max_oral_per_meeting=1, deadline=date(2025, 6, 30), today=TODAY
    )
    assert {p.subject_id: p.code for p in schedule.problems} == dict.fromkeys(
        [1, 2, 4, 5, 6], FIXED_CONFLICT
    )
    assert schedule.placements == (Placement(3, 1, None), Placement(7, None, date(2025, 2, 1)))


def test_least_loaded_greedy_trap_is_avoided() -> None:
    # Earliest deadline first + least loaded meeting would send subject 1 to meeting 2 and leave
    # one of 2-5 out; the only full assignment puts subject 1 next to the confirmed report.
    meetings = [MeetingSlot(i, date(2025, 3 + i, 10)) for i in (1, 2, 3)]
    subjects = [
        Subject(1, ORAL, date(2025, 1, 1), date(2025, 5, 31)),
        *(Subject(i, ORAL, date(2025, 5, 1), None) for i in (2, 3, 4, 5)),
        Subject(6, ORAL, date(2025, 1, 1), None, fixed_meeting_id=1),
    ]
    schedule = propose_schedule(
        subjects, meetings, max_oral_per_meeting=2, deadline=DEADLINE, today=TODAY
    )
    assert schedule.feasible
    assert Placement(1, 1, None) in schedule.placements
    assert oral_loads(schedule) == {1: 2, 2: 2, 3: 2}


def test_capacity_when_usable_meetings_are_full() -> None:
    meetings = [MeetingSlot(1, date(2025, 4, 20)), MeetingSlot(2, date(2025, 9, 20))]
    subjects = [
        Subject(1, ORAL, date(2025, 1, 1), date(2025, 5, 1)),  # only meeting 1
        Subject(2, ORAL, date(2025, 1, 1), date(2025, 6, 1)),  # only meeting 1
        Subject(3, ORAL, date(2025, 1, 1), None),
    ]
    schedule = propose_schedule(
        subjects, meetings, max_oral_per_meeting=1, deadline=DEADLINE, today=TODAY
    )
    # Subject 1's window closes first, so it gets the single seat; 3 goes to meeting 2.
    assert [(p.subject_id, p.code) for p in schedule.problems] == [(2, CAPACITY)]
    assert schedule.placements == (Placement(1, 1, None), Placement(3, 2, None))


def test_meetings_before_today_or_after_deadline_are_not_used() -> None:
    meetings = [MeetingSlot(1, date(2025, 2, 20)), MeetingSlot(2, date(2026, 1, 20))]
    schedule = propose_schedule(
        [whole_term(1, ORAL)], meetings, max_oral_per_meeting=5, deadline=DEADLINE, today=TODAY
    )
    assert [p.code for p in schedule.problems] == [NO_MEETING]


def test_written_due_dates_respect_the_window() -> None:
    subjects = [
        Subject(1, WRITTEN, date(2025, 1, 1), date(2025, 3, 5)),  # short window: by 5 March
        Subject(2, WRITTEN, date(2025, 11, 1), None),  # late start
        Subject(3, WRITTEN, date(2025, 1, 1), date(2025, 2, 1)),  # already gone
    ]
    schedule = propose_schedule(
        subjects, [], max_oral_per_meeting=6, deadline=DEADLINE, today=TODAY
    )
    assert [(p.subject_id, p.code) for p in schedule.problems] == [(3, NO_WINDOW)]
    dues = {p.subject_id: p.due for p in schedule.placements}
    assert dues[1] == date(2025, 3, 5)
    late = dues[2]
    assert late is not None and date(2025, 11, 1) <= late <= DEADLINE


def test_first_written_bucket_gives_the_full_spacing() -> None:
    schedule = propose_schedule(
        [whole_term(1, WRITTEN)], [], max_oral_per_meeting=0, deadline=DEADLINE, today=TODAY
    )
    assert schedule.placements == (Placement(1, None, TODAY + timedelta(days=13)),)


def test_empty_input() -> None:
    schedule = propose_schedule([], [], max_oral_per_meeting=3, deadline=DEADLINE, today=TODAY)
    assert schedule == Schedule((), ()) and schedule.feasible


@pytest.mark.parametrize(
    ("subjects", "meetings", "cap", "spacing"),
    [
        ([whole_term(1, ORAL), whole_term(1, WRITTEN)], [], 1, 14),
        ([], [MeetingSlot(1, TODAY), MeetingSlot(1, DEADLINE)], 1, 14),
        ([Subject(1, "video", TODAY, None)], [], 1, 14),
        ([], [], -1, 14),
        ([], [], 1, 0),
    ],
)
def test_bad_input_is_rejected(
    subjects: list[Subject], meetings: list[MeetingSlot], cap: int, spacing: int
) -> None:
    with pytest.raises(ValueError):
        propose_schedule(
            subjects,
            meetings,
            max_oral_per_meeting=cap,
            deadline=DEADLINE,
            written_spacing_days=spacing,
            today=TODAY,
        )

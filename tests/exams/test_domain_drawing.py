"""Paper drawing: exact quotas, determinism, small neighbour overlap, honest shortfalls."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examsite.exams.domain.drawing import check_spec, draw_paper, draw_papers
from examsite.exams.domain.paper_spec import (
    DrawError,
    DrawnItem,
    PaperSpec,
    PoolItem,
    Section,
    Shortfall,
)

FAST = settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
LAWS = ("宪法", "监督法", "组织法", "法官法", "检察官法")


def make_pool(n: int, seed: int = 0, qtypes: Sequence[str] = ("single",)) -> list[PoolItem]:
    rng = random.Random(seed)
    pool = []
    for i in range(n):
        qtype = qtypes[i % len(qtypes)]
        pool.append(
            PoolItem(
                revision_id=1000 + i,
                qtype=qtype,
                category=rng.choice(LAWS),
                difficulty=rng.randint(1, 5),
                n_options=2 if qtype == "true_false" else rng.choice((3, 4, 5)),
            )
        )
    return pool


def ids(paper: Sequence[DrawnItem]) -> set[int]:
    return {item.revision_id for item in paper}


def assert_satisfies(paper: list[DrawnItem], pool: Sequence[PoolItem], spec: PaperSpec) -> None:
    """Every rule of a paper: sections in order, exact counts and quotas, no repeats,
    option orders that are permutations (identity for true/false or when not shuffled)."""
    by_id = {item.revision_id: item for item in pool}
    assert len(paper) == spec.question_count
    assert len(ids(paper)) == len(paper), "a question appears twice"
    start = 0
    for section in spec.sections:
        part = paper[start : start + section.count]
        start += section.count
        items = [by_id[d.revision_id] for d in part]
        assert all(d.qtype == section.qtype == i.qtype for d, i in zip(part, items, strict=True))
        assert all(d.points == section.points for d in part)
        laws = Counter(i.category for i in items)
        for law, quota in section.law_quotas.items():
            assert laws[law] == quota
        assert sum(laws[law] for law in laws if law not in section.law_quotas) == (
            section.count - sum(section.law_quotas.values())
        )
        levels = Counter(i.difficulty for i in items)
        for level, quota in section.difficulty_quotas.items():
            assert levels[level] == quota
        for d, i in zip(part, items, strict=True):
            assert sorted(d.option_order) == list(range(i.n_options))
            if i.qtype == "true_false" or not spec.shuffle_options:
                assert d.option_order == tuple(range(i.n_options))


# --------------------------------------------------------------------------- the spec types


def test_spec_totals_and_validation() -> None:
    spec = PaperSpec(
        (Section("single", 30, 1.5), Section("multiple", 10, 2.1), Section("true_false", 7, 0.1))
    )
    assert spec.question_count == 47
    assert spec.total_points == 45 + 21 + 0.7
    with pytest.raises(ValueError, match="question type"):
        Section("essay", 1, 1)
    with pytest.raises(ValueError, match="count"):
        Section("single", -1, 1)
    with pytest.raises(ValueError, match="more than count"):
        Section("single", 5, 1, law_quotas={"宪法": 3, "监督法": 3})
    with pytest.raises(ValueError, match="more than count"):
        Section("single", 5, 1, difficulty_quotas={1: 6})
    with pytest.raises(ValueError, match="non-negative"):
        Section("single", 5, 1, law_quotas={"宪法": -1})


def test_section_keeps_its_own_copy_of_the_quotas() -> None:
    quotas = {"宪法": 2}
    section = Section("single", 5, 1, law_quotas=quotas)
    quotas["宪法"] = 9
    assert section.law_quotas == {"宪法": 2}


# --------------------------------------------------------------------------- papers


def test_every_paper_satisfies_the_spec() -> None:
    pool = make_pool(600, qtypes=("single", "multiple", "true_false"))
    spec = PaperSpec(
        (
            Section(
                "single", 20, 1.0, law_quotas={"宪法": 5, "监督法": 3}, difficulty_quotas={1: 4}
            ),
            Section("multiple", 10, 2.0, difficulty_quotas={5: 2, 4: 3}),
            Section("true_false", 10, 1.0, law_quotas={"法官法": 4}),
        )
    )
    papers = draw_papers(pool, spec, seed=7, count=40)
    assert len(papers) == 40
    for paper in papers:
        assert_satisfies(paper, pool, spec)
        assert [d.qtype for d in paper] == ["single"] * 20 + ["multiple"] * 10 + ["true_false"] * 10


def test_options_keep_their_order_when_not_shuffled() -> None:
    pool = make_pool(100, qtypes=("single", "true_false"))
    spec = PaperSpec((Section("single", 10, 1), Section("true_false", 5, 1)), shuffle_options=False)
    for paper in draw_papers(pool, spec, seed=1, count=5):
        assert_satisfies(paper, pool, spec)


def test_options_and_questions_are_shuffled() -> None:
    pool = make_pool(200)
    spec = PaperSpec((Section("single", 20, 1),))
    papers = draw_papers(pool, spec, seed=3, count=10)
    orders = [d.option_order for paper in papers for d in paper]
    assert sum(o != tuple(range(len(o))) for o in orders) > len(orders) // 2
    # Not in revision order inside the section.
    assert any([d.revision_id for d in p] != sorted(ids(p)) for p in papers)


def test_deterministic_and_independent_of_pool_order() -> None:
    pool = make_pool(300, qtypes=("single", "multiple"))
    spec = PaperSpec((Section("single", 15, 1, law_quotas={"宪法": 4}), Section("multiple", 5, 2)))
    first = draw_papers(pool, spec, seed=42, count=12)
    shuffled = list(pool)
    random.Random(5).shuffle(shuffled)
    assert draw_papers(shuffled, spec, seed=42, count=12) == first
    assert draw_papers(tuple(reversed(pool)), spec, seed=42, count=12) == first
    assert draw_papers(pool, spec, seed=43, count=12) != first


def test_draw_paper_matches_and_papers_do_not_depend_on_count() -> None:
    pool = make_pool(120)
    spec = PaperSpec((Section("single", 10, 1, difficulty_quotas={3: 2}),))
    papers = draw_papers(pool, spec, seed=9, count=8)
    for index in (0, 3, 7):
        assert draw_paper(pool, spec, seed=9, index=index, count=8) == papers[index]
    # Drawing more papers later for the same sitting extends the earlier ones unchanged.
    assert draw_papers(pool, spec, seed=9, count=20)[:8] == papers
    assert draw_papers(pool, spec, seed=9, count=0) == []
    with pytest.raises(IndexError):
        draw_paper(pool, spec, seed=9, index=8, count=8)


def test_the_same_type_in_two_sections_never_repeats_a_question() -> None:
    pool = make_pool(40)
    spec = PaperSpec(
        (
            Section("single", 10, 1, law_quotas={"宪法": 3}),
            Section("single", 10, 2, difficulty_quotas={2: 2}),
        )
    )
    for paper in draw_papers(pool, spec, seed=2, count=15):
        assert_satisfies(paper, pool, spec)


def test_duplicate_revisions_in_the_pool_are_refused() -> None:
    item = PoolItem(1, "single", "宪法", 1, 4)
    with pytest.raises(ValueError, match="twice"):
        draw_papers([item, item], PaperSpec((Section("single", 1, 1),)), seed=1, count=1)


# --------------------------------------------------------------------------- overlap


def test_neighbours_share_nothing_when_the_bank_is_big_enough() -> None:
    pool = make_pool(100)
    spec = PaperSpec((Section("single", 50, 1),))  # exactly 2k questions
    papers = draw_papers(pool, spec, seed=11, count=30)
    for a, b in itertools.pairwise(papers):
        assert not ids(a) & ids(b)


def test_neighbours_share_no_more_than_the_bank_forces() -> None:
    pool = make_pool(70)
    spec = PaperSpec((Section("single", 50, 1),))
    papers = draw_papers(pool, spec, seed=11, count=30)
    for a, b in itertools.pairwise(papers):
        assert len(ids(a) & ids(b)) == 2 * 50 - 70


def test_neighbours_disjoint_per_law_with_quotas() -> None:
    pool = [
        PoolItem(i, "single", LAWS[i % 5], 1 + i % 3, 4)
        for i in range(200)  # 40 per law, spread over difficulties 1..3
    ]
    spec = PaperSpec(
        (
            Section(
                "single", 40, 1, law_quotas={"宪法": 10, "监督法": 15}, difficulty_quotas={1: 10}
            ),
        )
    )
    papers = draw_papers(pool, spec, seed=5, count=25)
    for paper in papers:
        assert_satisfies(paper, pool, spec)
    for a, b in itertools.pairwise(papers):
        assert not ids(a) & ids(b)


def test_every_question_is_used_about_equally_often() -> None:
    pool = make_pool(30)
    spec = PaperSpec((Section("single", 7, 1),))
    uses = Counter(i for paper in draw_papers(pool, spec, seed=4, count=60) for i in ids(paper))
    assert len(uses) == 30
    assert max(uses.values()) - min(uses.values()) <= 1


def test_quota_draws_spread_over_the_bank() -> None:
    # 宪法 has many difficulty-1 questions, 监督法 few: the difficulty quota should be met
    # mostly from 宪法, keeping neighbours apart.
    pool = [PoolItem(i, "single", "宪法", 1, 4) for i in range(40)]
    pool += [PoolItem(100 + i, "single", "监督法", 1 if i < 2 else 2, 4) for i in range(40)]
    spec = PaperSpec(
        (
            Section(
                "single", 20, 1, law_quotas={"宪法": 10, "监督法": 10}, difficulty_quotas={1: 11}
            ),
        )
    )
    papers = draw_papers(pool, spec, seed=8, count=10)
    for paper in papers:
        assert_satisfies(paper, pool, spec)
    for a, b in itertools.pairwise(papers):
        assert len(ids(a) & ids(b)) == 0  # 宪法 gives 10 of d1 (of 40), 监督法 1 of 2 d1


# --------------------------------------------------------------------------- shortfalls


def test_shortfall_of_a_law() -> None:
    pool = [PoolItem(i, "true_false", "法官法", 3, 2) for i in range(3)]
    pool += [PoolItem(10 + i, "true_false", "宪法", 3, 2) for i in range(20)]
    spec = PaperSpec((Section("true_false", 10, 1, law_quotas={"法官法": 5}),))
    expected = [Shortfall("true_false", "法官法", None, 5, 3)]
    assert check_spec(pool, spec) == expected
    with pytest.raises(DrawError) as caught:
        draw_papers(pool, spec, seed=1, count=3)
    assert caught.value.shortfalls == expected
    assert isinstance(caught.value, ValueError)
    assert "法官法 needs 5, bank has 3" in str(caught.value)


def test_shortfall_of_a_difficulty_and_of_a_whole_type() -> None:
    pool = make_pool(30)
    spec = PaperSpec(
        (
            Section("single", 10, 1, difficulty_quotas={9: 1}),
            Section("multiple", 5, 2),
        )
    )
    assert check_spec(pool, spec) == [
        Shortfall("single", None, 9, 1, 0),
        Shortfall("multiple", None, None, 5, 0),
    ]


def test_shortfall_of_the_other_laws() -> None:
    pool = [PoolItem(i, "single", "宪法", 1, 4) for i in range(50)]
    pool += [PoolItem(100 + i, "single", "监督法", 1, 4) for i in range(4)]
    spec = PaperSpec((Section("single", 10, 1, law_quotas={"宪法": 2}),))
    # 8 must come from laws other than 宪法; only 4 exist: 6 of 10 can be placed.
    assert check_spec(pool, spec) == [Shortfall("single", None, None, 10, 6)]


def test_shortfall_where_law_and_difficulty_quotas_meet() -> None:
    pool = [PoolItem(i, "single", "宪法", 1 if i < 2 else 3, 4) for i in range(50)]
    pool += [PoolItem(100 + i, "single", "监督法", 3, 4) for i in range(50)]
    # Difficulty 1 is only in 宪法 (2 of them), and all 5 difficulty-1 questions are wanted.
    spec = PaperSpec((Section("single", 10, 1, law_quotas={"宪法": 5}, difficulty_quotas={1: 5}),))
    assert check_spec(pool, spec) == [Shortfall("single", None, 1, 5, 2)]
    spec = PaperSpec((Section("single", 5, 1, law_quotas={"宪法": 5}, difficulty_quotas={1: 5}),))
    assert check_spec(pool, spec) == [Shortfall("single", None, 1, 5, 2)]
    # Both marginals are fine (50 宪法, 50 difficulty 3), only their meeting is short.
    pool = [PoolItem(i, "single", "宪法", 1 if i < 48 else 3, 4) for i in range(50)]
    pool += [PoolItem(100 + i, "single", "监督法", 3, 4) for i in range(50)]
    spec = PaperSpec((Section("single", 5, 1, law_quotas={"宪法": 5}, difficulty_quotas={3: 5}),))
    assert check_spec(pool, spec) == [Shortfall("single", "宪法", 3, 5, 2)]


def test_a_zero_quota_excludes_a_law() -> None:
    pool = [PoolItem(i, "single", "宪法", 1, 4) for i in range(10)]
    pool += [PoolItem(100 + i, "single", "监督法", 1, 4) for i in range(10)]
    spec = PaperSpec((Section("single", 5, 1, law_quotas={"宪法": 0}),))
    for paper in draw_papers(pool, spec, seed=1, count=4):
        assert ids(paper) <= set(range(100, 110))
    spec = PaperSpec((Section("single", 11, 1, law_quotas={"宪法": 0}),))
    assert check_spec(pool, spec) == [Shortfall("single", None, None, 11, 10)]


def test_empty_sections_and_types_nobody_asked_for() -> None:
    pool = make_pool(10, qtypes=("single", "multiple"))
    spec = PaperSpec((Section("true_false", 0, 1), Section("single", 2, 1)))
    assert check_spec(pool, spec) == []
    for paper in draw_papers(pool, spec, seed=1, count=3):
        assert_satisfies(paper, pool, spec)


# --------------------------------------------------------------------------- properties


@st.composite
def pools_and_specs(draw: st.DrawFn) -> tuple[list[PoolItem], PaperSpec]:
    laws = ("宪法", "监督法", "法官法")
    n = draw(st.integers(0, 14))
    pool = [
        PoolItem(
            revision_id=i * 7 + 3,
            qtype=draw(st.sampled_from(("single", "true_false"))),
            category=draw(st.sampled_from(laws)),
            difficulty=draw(st.integers(1, 3)),
            n_options=4,
        )
        for i in range(n)
    ]
    sections = []
    for qtype in draw(st.lists(st.sampled_from(("single", "true_false")), max_size=2, unique=True)):
        count = draw(st.integers(0, 6))
        law_quotas: dict[str, int] = {}
        for law in draw(st.lists(st.sampled_from(laws), max_size=2, unique=True)):
            law_quotas[law] = draw(st.integers(0, count - sum(law_quotas.values())))
        difficulty_quotas: dict[int, int] = {}
        for level in draw(st.lists(st.integers(1, 3), max_size=2, unique=True)):
            difficulty_quotas[level] = draw(st.integers(0, count - sum(difficulty_quotas.values())))
        sections.append(Section(qtype, count, 1.0, law_quotas, difficulty_quotas))
    return pool, PaperSpec(tuple(sections))


def brute_force_feasible(pool: Sequence[PoolItem], section: Section) -> bool:
    items = [i for i in pool if i.qtype == section.qtype]
    for combo in itertools.combinations(items, section.count):
        laws = Counter(i.category for i in combo)
        levels = Counter(i.difficulty for i in combo)
        if all(laws[k] == v for k, v in section.law_quotas.items()) and all(
            levels[k] == v for k, v in section.difficulty_quotas.items()
        ):
            return True
    return False


@FAST
@given(pools_and_specs(), st.integers(0, 2**32))
def test_check_spec_is_exact_and_agrees_with_drawing(
    case: tuple[list[PoolItem], PaperSpec], seed: int
) -> None:
    pool, spec = case
    shortfalls = check_spec(pool, spec)
    feasible = all(brute_force_feasible(pool, s) for s in spec.sections)
    assert (shortfalls == []) == feasible
    if shortfalls:
        with pytest.raises(DrawError) as caught:
            draw_papers(pool, spec, seed=seed, count=3)
        assert caught.value.shortfalls == shortfalls
        assert all(s.needed > s.available for s in shortfalls)
    else:
        papers = draw_papers(pool, spec, seed=seed, count=4)
        for paper in papers:
            assert_satisfies(paper, pool, spec)
        shuffled = list(pool)
        random.Random(seed).shuffle(shuffled)
        assert draw_papers(shuffled, spec, seed=seed, count=4) == papers


@FAST
@given(st.integers(0, 60), st.integers(0, 2**32), st.data())
def test_two_sections_of_one_type_when_check_spec_says_ok(
    n: int, seed: int, data: st.DataObject
) -> None:
    pool = make_pool(n, seed=seed)
    first = data.draw(st.integers(0, 8))
    second = data.draw(st.integers(0, 8))
    spec = PaperSpec(
        (
            Section("single", first, 1, law_quotas={"宪法": data.draw(st.integers(0, first))}),
            Section("single", second, 1, difficulty_quotas={2: data.draw(st.integers(0, second))}),
        )
    )
    if check_spec(pool, spec) == []:
        for paper in draw_papers(pool, spec, seed=seed, count=3):
            assert_satisfies(paper, pool, spec)
    else:
        with pytest.raises(DrawError):
            draw_papers(pool, spec, seed=seed, count=1)

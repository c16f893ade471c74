"""Fuzzing: random and mutated files to every importer, random JSON to the save endpoint.

The only outcomes allowed are success or a validation error: never an unhandled exception,
never a partial write.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.gift import write_gift
from examsite.bank.formats.model import ParseResult
from examsite.bank.formats.template_csv import dump_csv
from examsite.bank.formats.template_xlsx import dump_xlsx
from examsite.bank.models import Question
from examsite.exams.domain.candidates_file import dump_candidates_xlsx
from examsite.exams.domain.candidates_import import CandidateParseResult, parse_candidates
from examsite.exams.models import Answer, Candidate
from tests.fixtures.candidate import started
from tests.fixtures.database import committing
from tests.fixtures.factories import count
from tests.fixtures.ids import make_id
from tests.fixtures.web import csrf_token
from tests.fixtures.word_papers import PAPER_OWN_LINES, docx_bytes

BANK = Path(__file__).resolve().parent.parent / "question_bank"

AIKEN = "宪法规定，中华人民共和国的一切权力属于（　）\nA. 人民\nB. 政府\nANSWER: A\n"
MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="category"><category><text>$course$/top/宪法</text></category></question>
<question type="multichoice"><questiontext><text>国家的根本制度是（　）</text></questiontext>
<single>true</single><answer fraction="100"><text>社会主义制度</text></answer>
<answer fraction="0"><text>其他</text></answer></question>
<question type="truefalse"><questiontext><text>宪法是根本法。</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
</question></quiz>
"""


def _bank_seeds() -> dict[str, bytes]:
    """One valid file of every format the bank imports."""
    parsed = parse_file("01.csv", (BANK / "01_xianfa.csv").read_bytes())
    questions = parsed.questions[:6]
    assert len(questions) == 6
    return {
        "bank.xlsx": dump_xlsx(questions),
        "bank.csv": dump_csv(questions),
        "bank.gift": write_gift(questions).encode("utf-8"),
        "bank.txt": AIKEN.encode("utf-8"),
        "bank.xml": MOODLE.encode("utf-8"),
        "bank.docx": docx_bytes(PAPER_OWN_LINES),
    }


def _candidate_seeds() -> dict[str, bytes]:
    from examsite.exams.domain.candidates_file import CandidateRow

    rows = [
        CandidateRow(i + 2, f"张{i}", make_id(i), "某局", "局长", "government", "", "")
        for i in range(3)
    ]
    header = "姓名,身份证号,工作单位,拟任职务,职务类别\n"
    lines = "".join(f"{r.name},{r.id_number},某局,局长,政府\n" for r in rows)
    return {"people.xlsx": dump_candidates_xlsx(rows), "people.csv": (header + lines).encode()}


BANK_SEEDS = _bank_seeds()
CANDIDATE_SEEDS = _candidate_seeds()

# A mutation: (kind, position as a fraction of the length, a byte string).
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]),
        st.floats(0, 1, allow_nan=False),
        st.binary(min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=4,
)


def mutate(data: bytes, mutations: list[tuple[str, float, bytes]]) -> bytes:
    for kind, where, chunk in mutations:
        at = int(where * len(data))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ chunk[0]]) + data[at + 1 :]
        elif kind == "delete":
            data = data[:at] + data[at + len(chunk) :]
        elif kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "duplicate":
            data = data[:at] + data[at : at + 64] + data[at:]
    return data


FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_the_seeds_are_valid():
    # Mutating a file that is refused anyway would test little.
    for name, data in BANK_SEEDS.items():
        result = parse_file(name, data)
        assert result.ok and result.questions, (name, [p.code for p in result.problems])
    for name, data in CANDIDATE_SEEDS.items():
        people = parse_candidates(name, data)
        assert people.ok and len(people.rows) == 3, (name, people.errors)


@FUZZ
@given(st.sampled_from(sorted(BANK_SEEDS)), MUTATIONS)
def test_mutated_bank_files_parse_or_are_refused(name: str, mutations) -> None:
    result = parse_file(name, mutate(BANK_SEEDS[name], mutations))
    assert isinstance(result, ParseResult)
    assert result.ok == (not result.errors)


@FUZZ
@given(st.sampled_from(sorted(CANDIDATE_SEEDS)), MUTATIONS)
def test_mutated_candidate_lists_parse_or_are_refused(name: str, mutations) -> None:
    result = parse_candidates(name, mutate(CANDIDATE_SEEDS[name], mutations))
    assert isinstance(result, CandidateParseResult)
    assert result.ok == (not result.errors)


# ------------------------------------------------------------------ through the web


def _upload(b, path: str, name: str, data: bytes):
    return b.client.post(
        path,
        data={"csrf_token": csrf_token(b.client, path), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_mutated_candidate_lists_through_the_page_are_all_or_nothing(
    app, world, login_as, data
) -> None:
    b = login_as("east-staff")
    name = data.draw(st.sampled_from(sorted(CANDIDATE_SEEDS)))
    raw = mutate(CANDIDATE_SEEDS[name], data.draw(MUTATIONS))
    before = count(app, Candidate)
    response = _upload(b, "/bodies/east/exams/candidates/import", name, raw)
    assert response.status_code in (200, 302), response.status_code
    added = count(app, Candidate) - before
    parsed = parse_candidates(name, raw)
    if response.status_code == 302:
        assert parsed.ok and added == len(parsed.rows)
    else:
        assert added == 0  # refused: nobody added


@settings(FUZZ, max_examples=12)
@given(data=st.data())
def test_mutated_bank_files_through_the_import_are_all_or_nothing(
    app, world, login_as, data
) -> None:
    b = login_as("east-admin")
    name = data.draw(st.sampled_from(sorted(BANK_SEEDS)))
    raw = mutate(BANK_SEEDS[name], data.draw(MUTATIONS))
    before = count(app, Question)
    response = _upload(b, "/bodies/east/bank/import", name, raw)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert count(app, Question) == before
        return
    preview = response.headers["Location"]
    assert b.get(preview).status_code == 200
    confirm = b.post(preview + "/confirm")
    assert confirm.status_code == 302
    parsed = parse_file(name, raw)
    added = count(app, Question) - before
    # All or nothing: a file with any error adds nothing; a clean one adds every question
    # that is not a duplicate.
    if parsed.errors:
        assert added == 0
    else:
        assert 0 <= added <= len(parsed.questions)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELD_VALUES = JSON | st.integers(-3, 40) | st.lists(st.integers(-2, 9), max_size=5)
PAYLOADS = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {},
        optional={
            "position": FIELD_VALUES,
            "choice": FIELD_VALUES,
            "seq": FIELD_VALUES,
            "flagged": FIELD_VALUES,
        },
    ),
)


@pytest.fixture
def candidate(app, exam_world):
    """One candidate's session for all of hypothesis' examples (a second login is refused)."""
    b = started(app, exam_world)
    return b, csrf_token(b.client, "/exam/paper")


@settings(FUZZ, max_examples=150)
@given(payload=PAYLOADS)
def test_random_json_to_the_save_endpoint_is_saved_or_refused(app, candidate, payload):
    b, token = candidate
    with committing(app):
        from examsite.extensions import db

        before = sorted(
            (a.position, a.seq, list(a.choice)) for a in db.session.scalars(select(Answer))
        )
    response = b.client.post(
        "/exam/api/answer",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code in (200, 400, 403, 409), (payload, response.status_code)
    assert response.is_json and ("ok" in response.json or "code" in response.json)
    with committing(app):
        from examsite.extensions import db

        after = sorted(
            (a.position, a.seq, list(a.choice)) for a in db.session.scalars(select(Answer))
        )
    if response.status_code != 200:
        assert after == before  # refused: nothing written
    else:
        assert isinstance(payload, dict) and type(payload["seq"]) is int
        assert type(payload["position"]) is int and payload["position"] >= 0
        assert all(type(c) is int for c in payload["choice"])


@pytest.mark.parametrize(
    "payload",
    [
        {"position": True, "choice": [0], "seq": 1},
        {"position": 0, "choice": [True], "seq": 1},
        {"position": 0, "choice": [0], "seq": True},
        {"position": 0, "choice": [0], "seq": 2**40},
        {"position": 2**70, "choice": [0], "seq": 1},
        {"position": 0, "choice": [0], "seq": 1, "flagged": 1},
    ],
)
def test_save_payload_edge_cases_are_refused(app, exam_world, payload):
    b = started(app, exam_world)
    token = csrf_token(b.client, "/exam/paper")
    response = b.client.post("/exam/api/answer", json=payload, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.json["code"] == "bad_request"
    assert count(app, Answer) == 0

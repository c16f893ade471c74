"""The bank lint: how far a bank can be answered from its form alone (issue 22, item 1)."""

from __future__ import annotations

import io
import random
import re
from dataclasses import replace
from itertools import combinations

from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.lint import (
    BankFile,
    QuestionRef,
    lint_files,
    near_duplicates,
    question_grams,
)
from examsite.bank.formats.model import ParsedQuestion

HEADER = "题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,选项G,选项H,答案,解析,法律依据,分类,难度"


def tf(stem: str, true: bool, line: int = 0) -> ParsedQuestion:
    return ParsedQuestion(
        "true_false", stem, ("正确", "错误"), (0 if true else 1,), source_line=line
    )


def single(stem: str, key: int, options=("甲甲", "乙乙乙", "丙", "丁丁丁丁"), line=0):
    return ParsedQuestion("single", stem, tuple(options), (key,), source_line=line)


def multiple(stem: str, answer: tuple[int, ...], n: int = 4, line: int = 0):
    return ParsedQuestion(
        "multiple", stem, tuple(f"选项{k}号{stem}" for k in range(n)), answer, source_line=line
    )


def figures(questions, groups=None):
    groups = groups or {}
    questions = [replace(q, exclusion_group=groups.get(q.source_line, "")) for q in questions]
    report = lint_files([BankFile("a.csv", questions)])
    return {f.code: f for f in report.total.figures}, report


STEMS = [
    "国务院实行总理负责制", "地方各级人大每届任期五年", "监察委员会由人大产生", "公民有选举权",
    "法官由人大常委会任免", "检察长由人大选举", "代表受选民监督", "宪法由全国人大修改",
    "常委会对人大负责", "乡镇人大不设常委会", "省级人大设立专门委员会", "立法法规定法律保留",
]  # fmt: skip


def test_absolute_wording_that_is_always_false_is_flagged():
    questions = [tf(f"{s}，一律适用", False) for s in STEMS[:6]] + [
        tf(s, True) for s in STEMS[6:12]
    ]
    figs, report = figures(questions)
    assert figs["tf_absolute"].count == 12 and figs["tf_absolute"].exceeded
    assert figs["tf_absolute_hits"].value_text() == "100%（6/6）"
    assert figs["tf_all_true"].share == 0.5 and not figs["tf_all_true"].exceeded
    assert report.exceeded


def test_balanced_true_false_passes():
    questions = [tf(f"{s}，一律适用", i % 2 == 0) for i, s in enumerate(STEMS[:6])]
    questions += [tf(s, i % 2 == 1) for i, s in enumerate(STEMS[6:12])]
    figs, _ = figures(questions)
    assert not any(figs[c].exceeded for c in figs if c.startswith("tf_"))


def test_few_questions_are_shown_but_not_judged():
    figs, report = figures([tf("公民一律平等", False), tf("国务院实行总理负责制", True)])
    assert figs["tf_absolute"].too_few and not figs["tf_absolute"].exceeded
    assert not report.exceeded


def test_key_position_spread():
    skewed = [single(f"{s}？", 0) for s in STEMS]  # every key is A
    figs, _ = figures(skewed)
    assert figs["single_key_A"].value_text() == "100%（12/12）"
    assert figs["single_key_A"].exceeded and figs["single_key_B"].exceeded
    # Keys cycling A-D in bank order: positions balanced, but the cycle is flagged.
    cycling = [
        single(f"{s}第{k}问？", (k * 12 + i) % 4) for k in range(4) for i, s in enumerate(STEMS)
    ]
    figs, _ = figures(cycling)
    assert not any(figs[f"single_key_{x}"].exceeded for x in "ABCD")
    assert figs["single_cycles"].value_text() == "100%（12/12）"
    assert figs["single_cycles"].exceeded
    # Key 3 is the longest option (丁丁丁丁) in each: the longest-option heuristic wins.
    longest = [single(f"{s}？", 3) for s in STEMS]
    assert figures(longest)[0]["single_longest"].share == 1.0


def test_all_but_one_and_the_last_option():
    questions = [multiple(s, (0, 1, 2)) for s in STEMS]  # D always the wrong one
    figs, _ = figures(questions)
    assert figs["multiple_all_but_one"].exceeded
    assert figs["multiple_all_but_last"].share == 1.0 and figs["multiple_all_but_last"].exceeded
    assert figs["multiple_4_3"].count == 12
    varied = [
        multiple(s, [(0, 2), (1, 3), (0, 1, 3), (0, 1, 2, 3)][i % 4]) for i, s in enumerate(STEMS)
    ]
    figs, _ = figures(varied)
    assert not figs["multiple_all_but_one"].exceeded and not figs["multiple_all"].exceeded


def test_near_duplicates_found_and_exempted_by_group():
    a = tf("县级人民代表大会代表可以向本级人民代表大会常务委员会书面提出辞职", True, line=2)
    b = tf("乡级人民代表大会代表可以向本级人民代表大会常务委员会书面提出辞职", False, line=3)
    c = tf("国务院实行总理负责制，各部实行部长负责制", True, line=4)
    figs, report = figures([a, b, c])
    assert figs["near_duplicates"].count == 1 and figs["near_duplicates"].exceeded
    pair = report.total.pairs[0]
    assert (pair.first.line, pair.second.line) == (2, 3)
    figs, _ = figures([a, b, c], groups={2: "辞职", 3: "辞职"})
    assert figs["near_duplicates"].count == 0 and not figs["near_duplicates"].exceeded


def test_pair_search_finds_what_comparing_every_pair_finds():
    rng = random.Random(7)
    words = ["人民代表大会", "常务委员会", "国务院", "监察委员会", "法院", "检察院", "选举", "任免"]
    questions = [
        tf("".join(rng.choice(words) for _ in range(rng.randint(2, 6))), True, line=i)
        for i in range(300)
    ]
    refs = [(q, QuestionRef("x", q.source_line, q.stem)) for q in questions]
    fast = {(p.first.line, p.second.line) for p in near_duplicates(refs, 0.55)}
    grams = [question_grams(q) for q in questions]
    slow = {
        (i, j)
        for i, j in combinations(range(300), 2)
        if (
            grams[i]
            and grams[j]
            and len(grams[i] & grams[j]) / len(grams[i] | grams[j]) >= 0.55
            and questions[i].stem != questions[j].stem
        )
        or False
    }
    slow |= {
        (i, j) for i, j in combinations(range(300), 2) if questions[i].stem == questions[j].stem
    }
    assert fast == slow and fast


def test_groups_are_read_from_the_template_column():
    data = (HEADER + ",互斥组\n判断,甲,,,,,,,,,对,,,,,G1\n判断,乙,,,,,,,,,错,,,,,\n").encode()
    result = parse_file("bank.csv", data, max_bytes=1 << 20)
    assert [q.exclusion_group for q in result.questions] == ["G1", ""]


def _bank_csv(rows: list[str]) -> str:
    return HEADER + "\n" + "\n".join(rows) + "\n"


GUESSABLE = [f"判断,{s}，一律适用。,,,,,,,,,错,,,宪法,1" for s in STEMS[:6]] + [
    f"判断,{s}。,,,,,,,,,对,,,宪法,1" for s in STEMS[6:12]
]
BALANCED = [
    f"判断,{s}，一律适用。,,,,,,,,,{'对' if i % 2 else '错'},,,宪法,1"
    for i, s in enumerate(STEMS[:6])
] + [f"判断,{s}。,,,,,,,,,{'错' if i % 2 else '对'},,,宪法,1" for i, s in enumerate(STEMS[6:12])]


def test_cli_passes_a_clean_bank(app, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(_bank_csv(BALANCED), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["questions", "lint", str(path)])
    assert result.exit_code == 0, result.output
    assert "合计" in result.output and "超出阈值的指标：0 项" in result.output


def test_cli_fails_a_guessable_bank(app, tmp_path):
    (tmp_path / "bad.csv").write_text(_bank_csv(GUESSABLE), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["questions", "lint", str(tmp_path)])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith("判断题：含绝对化用语（"))
    assert "100%（12/12）" in line and line.endswith("超出")
    as_json = app.test_cli_runner().invoke(args=["questions", "lint", "--json", str(tmp_path)])
    assert as_json.exit_code == 1 and '"exceeded": true' in as_json.output


def test_import_preview_warns_without_blocking(app, world, login_as):
    from tests.fixtures.web import csrf_token

    b = login_as("east-admin")
    response = b.client.post(
        "/bodies/east/bank/import",
        data={
            "csrf_token": csrf_token(b.client, "/"),
            "file": (io.BytesIO(_bank_csv(GUESSABLE).encode()), "bank.csv"),
        },
        content_type="multipart/form-data",
    )
    import_id = re.search(r"/bank/import/(\d+)$", response.headers["Location"]).group(1)
    page = b.get(f"/bodies/east/bank/import/{import_id}").get_data(as_text=True)
    assert "题目可能被猜出答案" in page and "100%（12/12）" in page
    assert "确认导入" in page and "disabled" not in page.split("确认导入")[0][-40:]
    clean = b.client.post(
        "/bodies/east/bank/import",
        data={
            "csrf_token": csrf_token(b.client, "/"),
            "file": (io.BytesIO(_bank_csv(BALANCED).encode()), "ok.csv"),
        },
        content_type="multipart/form-data",
    )
    clean_id = re.search(r"/bank/import/(\d+)$", clean.headers["Location"]).group(1)
    assert "题目可能被猜出答案" not in b.get(f"/bodies/east/bank/import/{clean_id}").get_data(
        as_text=True
    )

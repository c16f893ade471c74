"""The staff home page is a to-do list (issue 18): per body, the next things to do, in the
order a clerk does them, each a sentence with a link; done steps ticked."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from examsite.core.timeutil import utcnow

ITEM = re.compile(
    r'<li class="(?P<cls>done|todo)" data-step="(?P<step>\w+)">\s*'
    r'<a href="(?P<href>[^"]+)">(?P<text>[^<]+)</a>(?P<rest>.*?)</li>',
    re.S,
)


def _lists(page: str) -> dict[str, list[dict[str, str]]]:
    """Each body's items on the home page: {code: [{cls, step, href, text, rest}]}."""
    found: dict[str, list[dict[str, str]]] = {}
    for block in re.finditer(r'<ol class="timeline" data-todo="(\w+)">(.*?)</ol>', page, re.S):
        found[block.group(1)] = [
            {k: html.unescape(v) for k, v in m.groupdict().items()}
            for m in ITEM.finditer(block.group(2))
        ]
    return found


def _home(b) -> dict[str, list[dict[str, str]]]:
    response = b.get("/")
    assert response.status_code == 200
    return _lists(response.get_data(as_text=True))


def _pending(items: list[dict[str, str]]) -> list[dict[str, str]]:
    return [i for i in items if i["cls"] == "todo"]


def test_an_empty_county_sees_the_bank_and_the_templates_first(world, login_as):
    items = _home(login_as("east-staff"))["east"]
    first = items[0]
    assert first["step"] == "bank" and first["cls"] == "todo"
    assert "题库：各职务类别可用题目 0 道" in first["text"]
    assert first["href"] == "/bodies/east/bank/"
    assert "下一步" in first["rest"]
    assert items[1]["step"] == "templates"
    assert items[1]["text"] == "试卷方案：尚未建立试卷方案"
    assert items[1]["href"] == "/bodies/east/exams/templates/new"
    assert [i["step"] for i in items] == ["bank", "templates", "candidates"]
    assert items[2]["text"] == "拟任命人员：尚未录入"
    assert all(i["cls"] == "todo" for i in items)


def test_the_list_moves_on_as_the_county_prepares(
    app, world, login_as, make_bank, make_template, make_candidate, make_sitting
):
    make_bank("city")  # the municipality's shared bank
    b = login_as("east-staff")
    items = _home(b)["east"]
    assert items[0]["cls"] == "done" and "✓ 已完成" in items[0]["rest"]
    assert re.search(r"可用题目 [1-9]\d* 道", items[0]["text"])
    assert _pending(items)[0]["step"] == "templates"

    make_template("east", name="法院卷", post_categories=("court",))
    items = _home(b)["east"]
    court = next(i for i in items if i["step"] == "bank" and "法院类别" in i["text"])
    assert court["cls"] == "done" and "够组卷" in court["text"]
    (templates,) = [i for i in items if i["step"] == "templates"]
    assert templates["cls"] == "todo"
    assert "人大、政府、监委、检察院、其他类别没有适用的试卷方案" in templates["text"]

    make_template("east", name="通用卷")
    people = [make_candidate("east", name=f"待考{i}") for i in range(2)]
    items = _home(b)["east"]
    assert [i["cls"] for i in items if i["step"] in ("bank", "templates")] == ["done"] * len(
        [i for i in items if i["step"] in ("bank", "templates")]
    )
    (next_item,) = [i for i in items if "下一步" in i["rest"]]
    assert next_item["text"] == "拟任命人员：2 人尚未安排考试"
    assert next_item["href"] == "/bodies/east/exams/sittings/new"

    sitting = make_sitting(
        "east", candidates=people, title="第一次任前考试", starts_at=utcnow() + timedelta(hours=3)
    )
    items = _home(b)["east"]
    assert next(i for i in items if i["step"] == "candidates")["cls"] == "done"
    pending = _pending(items)
    assert [i["step"] for i in pending] == ["slips", "open"]
    assert pending[0]["text"] == "打印准考证：“第一次任前考试”2 名考生"
    assert pending[0]["href"] == f"/bodies/east/exams/sittings/{sitting.id}/slips"
    assert pending[1]["href"] == f"/bodies/east/exams/sittings/{sitting.id}"

    assert b.get(pending[0]["href"]).status_code == 200  # the slips are printed
    assert [i["step"] for i in _pending(_home(b)["east"])] == ["open"]


def test_a_tight_bank_names_what_the_template_lacks(world, login_as, make_bank, make_template):
    make_bank("city", singles=4, multiples=8, tfs=10)
    make_template("east", name="大卷", sections=[("single", 30, 2)])
    items = _home(login_as("east-staff"))["east"]
    assert items[0]["cls"] == "todo"
    assert "“大卷”还缺：单选 需要 30 道，题库只有 4 道" in items[0]["text"]


def test_closed_sittings_and_appointments_are_on_the_list(
    world, login_as, make_sitting, make_meeting, make_appointment
):
    make_sitting("east", candidates=1, title="已考完的考试", graded=[True])
    meeting = make_meeting("east")
    # The appointed made the statement before the vote; the one still to vote has not.
    make_appointment(body="east", meeting=meeting, exempt="本届已考试合格", vote="appointed")
    make_appointment(body="east", meeting=meeting)
    texts = [i["text"] for i in _pending(_home(login_as("east-admin"))["east"])]
    assert "考场记录：“已考完的考试”尚待签字确认" in texts
    assert "发布成绩：“已考完的考试”成绩尚未发布" in texts
    assert "表态发言：1 人的表态发言尚未记录" in texts
    assert "宪法宣誓：1 名已任命人员尚未宣誓" in texts


def test_a_removal_owes_no_statement_and_no_oath(world, login_as, make_meeting, make_appointment):
    meeting = make_meeting("east")
    # A removal voted through: its kind needs neither step (the default rules).
    make_appointment(body="east", meeting=meeting, kind="remove", vote="appointed", statement=False)
    texts = [i["text"] for i in _pending(_home(login_as("east-admin"))["east"])]
    assert not [t for t in texts if t.startswith(("表态发言", "宪法宣誓"))], texts
    # An appointment beside it still owes both.
    make_appointment(body="east", meeting=meeting, exempt="本届已考试合格", vote="appointed")
    make_appointment(body="east", meeting=meeting)
    texts = [i["text"] for i in _pending(_home(login_as("east-admin"))["east"])]
    assert "表态发言：1 人的表态发言尚未记录" in texts
    assert "宪法宣誓：1 名已任命人员尚未宣誓" in texts


def test_another_bodys_items_never_appear(world, login_as, make_sitting, make_candidate):
    make_sitting(
        "west", candidates=2, title="西山县保密考试", starts_at=utcnow() + timedelta(hours=2)
    )
    make_candidate("west", name="西山县考生")
    east_page = login_as("east-staff").get("/").get_data(as_text=True)
    assert "西山县保密考试" not in east_page
    assert set(_lists(east_page)) == {"east"}
    assert "拟任命人员：尚未录入" in east_page  # west's candidates are not east's

    admin = _home(login_as("admin"))
    assert list(admin) == ["city", "east", "west"]  # its own list first
    assert any("西山县保密考试" in i["text"] for i in admin["west"])
    assert not any("西山县保密考试" in i["text"] for i in admin["east"])


def test_the_list_costs_the_same_for_1_and_20_sittings(
    app, world, login_as, count_queries, make_bank, make_template, make_sitting, make_appointment
):
    make_bank("city")
    template = make_template("east")
    b = login_as("admin")

    def measure():
        assert b.get("/").status_code == 200
        with count_queries() as q:
            assert b.get("/").status_code == 200
        return q

    def sittings(n: int, start: int) -> None:
        for k in range(start, start + n):
            if k % 3 == 0:
                make_sitting("east", candidates=2, template=template, graded=[True, False])
            elif k % 3 == 1:
                make_sitting("east", candidates=2, template=template, open=True)
            else:
                soon = utcnow() + timedelta(hours=k)
                make_sitting("west", candidates=1, template=make_template("west"), starts_at=soon)
            make_appointment(body="east")

    sittings(1, 0)
    one = measure()
    sittings(19, 1)
    twenty = measure()
    assert one.count == twenty.count, (one.count, twenty.count)
    assert "另有" in b.get("/").get_data(as_text=True)  # more than a few are summed up

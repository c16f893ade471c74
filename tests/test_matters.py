"""任免事项 by kind: the steps each kind needs (the body's rules), the gates that read them
(vote, oath, report plans), removals ending a held post, post kinds, elections."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from examsite.appointments import matter_records
from examsite.appointments import records as appointment_records
from examsite.appointments.matters import DEFAULT_STEPS, MatterKind, Steps
from examsite.appointments.models import Appointment, CeremonyParticipant, MatterRule, PostKind
from examsite.bodies import services as body_services
from examsite.core.audit import AuditEvent
from examsite.core.body import LEVEL_MUNICIPAL
from examsite.exams.models import Candidate
from examsite.extensions import db
from examsite.reports.models import ReportSubject
from tests.fixtures.appointments import deliver_statement, rules_form
from tests.fixtures.database import committing, make_test_app
from tests.fixtures.exams import make_id
from tests.fixtures.factories import body_row, count

TODAY = date.today()
#: A vote of a committee of 30: 25 present, 20 for (passed).
PASSING = {"present": "25", "votes_for": "20", "votes_against": "3", "abstentions": "2"}


@pytest.fixture
def matter_world(app, world, make_meeting, make_candidate):
    """East: a meeting of a 30-member committee, and one untested person (never sat)."""
    meeting = make_meeting("east", term=16, number=3, date=TODAY)
    person = make_candidate("east", name="张免职", id_number=make_id(410), proposed_post="局长")
    with committing(app):
        appointment_records.save_committee_term(body_row("east"), 16, 30)
    return {"meeting": meeting.id, "person": person.id}


def _add_matter(b, meeting_id, **fields):
    data = {
        "kind": "appoint",
        "candidate_id": "0",
        "name": "",
        "id_number": "",
        "proposed_post": "局长",
        "post_kind": "",
        "nominating_organ": "区人民政府区长",
        **fields,
    }
    return b.post(f"/bodies/east/appointments/meetings/{meeting_id}/matters/new", data)


def _vote(b, aid):
    return b.post(
        f"/bodies/east/appointments/{aid}/vote",
        {"vote": "ballot", "vote_date": TODAY.isoformat(), **PASSING},
    )


def _matters(app, **where):
    with committing(app):
        rows = db.session.scalars(
            select(Appointment).filter_by(**where).order_by(Appointment.id)
        ).all()
        for r in rows:
            db.session.expunge(r)
        return list(rows)


def _only(app, **where) -> Appointment:
    rows = _matters(app, **where)
    assert len(rows) == 1, rows
    return rows[0]


def _follow(b, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return b.get(response.headers["Location"]).get_data(as_text=True)


# ----------------------------------------------------------------- the defaults


def test_default_steps_appointment_all_removal_none():
    assert DEFAULT_STEPS[MatterKind.APPOINT] == Steps(True, True, True, True)
    assert DEFAULT_STEPS[MatterKind.REMOVE] == Steps(False, False, False, False)
    assert set(DEFAULT_STEPS) == set(MatterKind)


def test_the_rules_page_shows_the_defaults(app, matter_world, login_as):
    page = login_as("east-admin").get("/bodies/east/appointments/rules").get_data(as_text=True)
    assert _checked(page, "appoint_test") and _checked(page, "appoint_reports")
    assert not _checked(page, "remove_test") and not _checked(page, "remove_oath")
    assert _checked(page, "elect_oath") and not _checked(page, "elect_test")


def _checked(page: str, field: str) -> bool:
    start = page.index(f'id="{field}"')
    tag = page[page.rindex("<input", 0, start) : page.index(">", start)]
    return "checked" in tag


# ----------------------------------------------------------------- a removal


def test_a_removal_is_voted_through_with_no_test_and_no_statement(app, matter_world, login_as):
    b = login_as("east-staff")
    page = _follow(
        b,
        _add_matter(b, matter_world["meeting"], kind="remove", candidate_id=matter_world["person"]),
    )
    assert "已添加任免事项" in page
    removal = _only(app, kind=MatterKind.REMOVE)
    assert removal.candidate_id == matter_world["person"]
    assert removal.nominating_organ == "区人民政府区长"
    _vote(b, removal.id)
    assert _only(app, id=removal.id).vote == "appointed"
    meeting = b.get(f"/bodies/east/appointments/meetings/{matter_world['meeting']}")
    row = meeting.get_data(as_text=True).split("张免职", 1)[1].split("</tr>", 1)[0]
    assert "免职" in row and "通过" in row and "任命" not in row


def test_an_appointment_still_needs_the_test(app, matter_world, login_as):
    b = login_as("east-staff")
    _add_matter(b, matter_world["meeting"], kind="appoint", candidate_id=matter_world["person"])
    aid = _only(app, kind=MatterKind.APPOINT).id
    with committing(app):
        deliver_statement(db.session.get(Appointment, aid))
    page = _follow(b, _vote(b, aid))
    assert "尚未通过任前法律知识考试" in page
    assert _only(app, id=aid).vote == "pending"


def test_a_removal_ends_the_open_appointment_to_the_same_post(
    app, matter_world, login_as, make_meeting, make_appointment
):
    earlier = make_meeting("east", term=16, number=1, date=TODAY - timedelta(days=300))
    person = matter_world["person"]
    held = make_appointment(
        person, body="east", meeting=earlier, post="局长", exempt="免考", vote="appointed"
    )
    other = make_appointment(
        person, body="east", meeting=earlier, post="党组书记", exempt="免考", vote="appointed"
    )
    b = login_as("east-staff")
    _add_matter(b, matter_world["meeting"], kind="remove", candidate_id=person)
    removal = _only(app, kind=MatterKind.REMOVE)
    assert _only(app, id=held.id).left_on is None  # not before the vote
    _vote(b, removal.id)
    assert _only(app, id=held.id).left_on == TODAY
    assert _only(app, id=other.id).left_on is None
    assert _only(app, id=removal.id).left_on is None


def test_undoing_a_removals_vote_gives_the_post_back(
    app, matter_world, login_as, make_meeting, make_appointment
):
    earlier = make_meeting("east", term=16, number=1, date=TODAY - timedelta(days=300))
    person = matter_world["person"]
    held = make_appointment(
        person, body="east", meeting=earlier, post="局长", exempt="免考", vote="appointed"
    )
    b = login_as("east-staff")
    _add_matter(b, matter_world["meeting"], kind="remove", candidate_id=person)
    removal = _only(app, kind=MatterKind.REMOVE)
    _vote(b, removal.id)
    assert _only(app, id=held.id).left_on == TODAY
    # Recorded by mistake: back to 待表决, and the person holds the post again.
    page = _follow(
        b,
        b.post(
            f"/bodies/east/appointments/{removal.id}/vote",
            {"vote": "pending", "vote_date": TODAY.isoformat()},
        ),
    )
    assert "已记录表决结果" in page
    assert _only(app, id=held.id).left_on is None
    # Voted again on another day: the post ends on that day.
    yesterday = TODAY - timedelta(days=1)
    b.post(
        f"/bodies/east/appointments/{removal.id}/vote",
        {"vote": "ballot", "vote_date": yesterday.isoformat(), **PASSING},
    )
    assert _only(app, id=held.id).left_on == yesterday
    b.post(
        f"/bodies/east/appointments/{removal.id}/vote",
        {"vote": "ballot", "vote_date": TODAY.isoformat(), **PASSING},
    )
    assert _only(app, id=held.id).left_on == TODAY
    with committing(app):
        undone = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "appointment.left_undone")
        ).all()
        assert [e.target_id for e in undone] == [str(held.id)]


# ----------------------------------------------------------------- the body's steps


def test_no_statement_for_decide_appoint_leaves_appoint_refusing(
    app, matter_world, login_as, make_appointment
):
    admin = login_as("east-admin")
    off = Steps(test=True, statement=False, oath=True, reports=True)
    admin.post("/bodies/east/appointments/rules", rules_form({MatterKind.DECIDE_APPOINT: off}))
    with committing(app):
        assert appointment_records.steps_for(body_row("east"), "decide_appoint") == off
        assert appointment_records.steps_for(body_row("east"), "appoint").statement
    appoint = make_appointment(body="east", meeting=matter_world["meeting"], exempt="免考")
    _add_matter(
        admin, matter_world["meeting"], kind="decide_appoint", name="李决定", id_number=make_id(411)
    )
    decided = _only(app, kind=MatterKind.DECIDE_APPOINT)
    admin.post(f"/bodies/east/appointments/{decided.id}/exempt", {"reason": "免考"})
    _vote(admin, decided.id)
    assert _only(app, id=decided.id).vote == "appointed"
    page = _follow(admin, _vote(admin, appoint.id))
    assert "尚未在会议上作任前表态发言" in page
    assert _only(app, id=appoint.id).vote == "pending"


def test_steps_back_at_the_defaults_keep_no_row(app, matter_world, login_as):
    admin = login_as("east-admin")
    admin.post(
        "/bodies/east/appointments/rules",
        rules_form({MatterKind.REMOVE: Steps(True, False, False, False)}),
    )
    assert count(app, MatterRule) == 1
    admin.post("/bodies/east/appointments/rules", rules_form())
    assert count(app, MatterRule) == 0


def test_another_bodys_rules_are_not_affected(app, matter_world, login_as):
    login_as("east-admin").post(
        "/bodies/east/appointments/rules",
        rules_form(
            {MatterKind.APPOINT: Steps(test=False, statement=False, oath=True, reports=True)}
        ),
    )
    with committing(app):
        assert (
            appointment_records.steps_for(body_row("west"), MatterKind.APPOINT)
            == (DEFAULT_STEPS[MatterKind.APPOINT])
        )
        assert not appointment_records.steps_for(body_row("east"), MatterKind.APPOINT).test
    west = login_as("west-admin").get("/bodies/west/appointments/rules").get_data(as_text=True)
    assert _checked(west, "appoint_test")


def test_a_refused_rules_post_changes_nothing(app, matter_world, login_as):
    admin = login_as("east-admin")
    # No CSRF token: refused, nothing stored.
    admin.client.post("/bodies/east/appointments/rules", data=rules_form())
    admin.client.post("/bodies/east/appointments/rules", data={"remove_test": "y"})
    assert count(app, MatterRule) == 0


# ----------------------------------------------------------------- oath and reports


def test_a_removed_person_is_not_offered_for_an_oath(app, matter_world, login_as, make_ceremony):
    b = login_as("east-staff")
    _add_matter(b, matter_world["meeting"], kind="remove", candidate_id=matter_world["person"])
    removal = _only(app, kind=MatterKind.REMOVE)
    _vote(b, removal.id)
    ceremony = make_ceremony("east", meeting=matter_world["meeting"])
    page = b.get(f"/bodies/east/appointments/ceremonies/{ceremony.id}").get_data(as_text=True)
    assert f'value="{removal.id}"' not in page
    refused = _follow(
        b,
        b.post(
            f"/bodies/east/appointments/ceremonies/{ceremony.id}/participants",
            {"appointment_ids": [str(removal.id)]},
        ),
    )
    assert "无须宪法宣誓" in refused
    assert count(app, CeremonyParticipant) == 0


def test_an_appointment_is_offered_for_the_oath_until_its_kind_stops_needing_it(
    app, matter_world, login_as, make_appointment, make_ceremony
):
    aid = make_appointment(
        body="east", meeting=matter_world["meeting"], exempt="免考", vote="appointed"
    ).id
    ceremony = make_ceremony("east", meeting=matter_world["meeting"])
    url = f"/bodies/east/appointments/ceremonies/{ceremony.id}"
    b = login_as("east-admin")
    assert f'value="{aid}"' in b.get(url).get_data(as_text=True)
    b.post(
        "/bodies/east/appointments/rules",
        rules_form(
            {MatterKind.APPOINT: Steps(test=True, statement=True, oath=False, reports=True)}
        ),
    )
    assert f'value="{aid}"' not in b.get(url).get_data(as_text=True)


def test_a_report_plan_picks_no_removal(
    app, matter_world, login_as, make_appointment, make_term, make_plan
):
    appointed = make_appointment(
        body="east", meeting=matter_world["meeting"], exempt="免考", vote="appointed"
    )
    b = login_as("east-staff")
    _add_matter(
        b,
        matter_world["meeting"],
        kind="accept_resignation",
        candidate_id=matter_world["person"],
        proposed_post="副局长",
    )
    resignation = _only(app, kind=MatterKind.ACCEPT_RESIGNATION)
    _vote(b, resignation.id)
    assert _only(app, id=resignation.id).vote == "appointed"
    plan = make_plan(make_term("east"))
    assert plan.added == 1
    with committing(app):
        subjects = db.session.scalars(select(ReportSubject.appointment_id)).all()
    assert subjects == [appointed.id]


def test_a_removal_is_not_offered_as_a_report_subject(
    app, matter_world, login_as, make_appointment, make_term
):
    appointed = make_appointment(
        body="east", meeting=matter_world["meeting"], exempt="免考", vote="appointed"
    )
    b = login_as("east-staff")
    _add_matter(b, matter_world["meeting"], kind="remove", candidate_id=matter_world["person"])
    removal = _only(app, kind=MatterKind.REMOVE)
    _vote(b, removal.id)
    term = make_term("east")
    page = b.get(f"/bodies/east/reports/terms/{term.id}").get_data(as_text=True)
    assert f'value="{appointed.id}"' in page
    assert f'value="{removal.id}"' not in page
    refused = _follow(
        b,
        b.post(
            f"/bodies/east/reports/terms/{term.id}/subjects",
            {"appointment_id": str(removal.id), "mode": "oral"},
        ),
    )
    assert "无须报告履职情况" in refused
    assert count(app, ReportSubject) == 0


# ----------------------------------------------------------------- the form


def test_a_new_person_needs_a_valid_id_number(app, matter_world, login_as):
    b = login_as("east-staff")
    before = count(app, Candidate)
    page = _add_matter(
        b, matter_world["meeting"], kind="dismiss", name="王撤职", id_number="110101199001011234"
    ).get_data(as_text=True)
    assert "身份证号不正确" in page
    assert count(app, Candidate) == before and count(app, Appointment) == 0
    _add_matter(b, matter_world["meeting"], kind="dismiss", name="王撤职", id_number=make_id(412))
    dismissal = _only(app, kind=MatterKind.DISMISS)
    with committing(app):
        assert db.session.get(Candidate, dismissal.candidate_id).name == "王撤职"


def test_the_form_refuses_a_person_of_another_body(app, matter_world, login_as, make_candidate):
    stranger = make_candidate("west", name="西山人", id_number=make_id(413))
    b = login_as("east-staff")
    page = _add_matter(b, matter_world["meeting"], kind="remove", candidate_id=stranger.id)
    assert "请选择本机关的人员" in page.get_data(as_text=True)
    assert count(app, Appointment) == 0


def test_the_kind_stays_once_voted(app, matter_world, login_as):
    b = login_as("east-staff")
    _add_matter(b, matter_world["meeting"], kind="remove", candidate_id=matter_world["person"])
    removal = _only(app, kind=MatterKind.REMOVE)
    _vote(b, removal.id)
    page = b.post(
        f"/bodies/east/appointments/{removal.id}/edit",
        {"kind": "dismiss", "proposed_post": "局长", "post_kind": "", "nominating_organ": ""},
    ).get_data(as_text=True)
    assert "已记录表决结果的，不能修改事项类型" in page
    assert _only(app, id=removal.id).kind == MatterKind.REMOVE


# ----------------------------------------------------------------- post kinds


def test_a_body_post_kind_is_offered_and_cannot_be_removed_while_in_use(
    app, matter_world, login_as
):
    admin = login_as("east-admin")
    admin.post("/bodies/east/appointments/rules/post-kinds", {"name": "区属国有企业负责人"})
    kind = _post_kind(app, "east")
    form = admin.get(f"/bodies/east/appointments/meetings/{matter_world['meeting']}/matters/new")
    page = form.get_data(as_text=True)
    assert "区属国有企业负责人" in page and "政府组成人员" in page
    west_form = login_as("west-admin").get("/bodies/west/appointments/elections/new")
    assert "区属国有企业负责人" not in west_form.get_data(as_text=True)
    _add_matter(
        admin,
        matter_world["meeting"],
        candidate_id=matter_world["person"],
        post_kind="区属国有企业负责人",
    )
    assert _only(app, kind=MatterKind.APPOINT).post_kind == "区属国有企业负责人"
    page = _follow(admin, admin.post(f"/bodies/east/appointments/rules/post-kinds/{kind}/delete"))
    assert "已用于 1 项任免事项，不能删除" in page
    assert count(app, PostKind) == 1
    # A rename carries the matters with it; an unused kind goes.
    admin.post(f"/bodies/east/appointments/rules/post-kinds/{kind}", {"name": "国有企业负责人"})
    assert _only(app, kind=MatterKind.APPOINT).post_kind == "国有企业负责人"
    admin.post("/bodies/east/appointments/rules/post-kinds", {"name": "其他"})
    unused = _post_kind(app, "east", "其他")
    admin.post(f"/bodies/east/appointments/rules/post-kinds/{unused}/delete")
    assert count(app, PostKind) == 1


def test_a_post_kind_name_is_unique_and_not_a_builtin(app, matter_world, login_as):
    admin = login_as("east-admin")
    page = _follow(
        admin, admin.post("/bodies/east/appointments/rules/post-kinds", {"name": "政府组成人员"})
    )
    assert "已有名为“政府组成人员”的职务类别" in page
    assert count(app, PostKind) == 0


def test_an_unknown_post_kind_is_refused(app, matter_world, login_as):
    b = login_as("east-staff")
    page = _add_matter(
        b, matter_world["meeting"], candidate_id=matter_world["person"], post_kind="编造的类别"
    )
    assert page.status_code == 200 and count(app, Appointment) == 0


def _post_kind(app, code, name=None) -> int:
    with committing(app):
        stmt = select(PostKind.id).where(PostKind.body_id == body_row(code).id)
        if name:
            stmt = stmt.where(PostKind.name == name)
        return db.session.scalars(stmt).one()


def test_another_bodys_matter_and_post_kind_urls_are_404(app, matter_world, login_as):
    east_admin = login_as("east-admin")
    east_admin.post("/bodies/east/appointments/rules/post-kinds", {"name": "东城类别"})
    kind = _post_kind(app, "east")
    _add_matter(east_admin, matter_world["meeting"], candidate_id=matter_world["person"])
    aid = _only(app, kind=MatterKind.APPOINT).id
    west = login_as("west-admin")
    assert west.get(f"/bodies/west/appointments/{aid}/edit").status_code == 404
    meeting = matter_world["meeting"]
    assert west.get(f"/bodies/west/appointments/meetings/{meeting}/matters/new").status_code == 404
    assert west.post(f"/bodies/west/appointments/rules/post-kinds/{kind}/delete").status_code == 404
    assert (
        west.post(f"/bodies/west/appointments/rules/post-kinds/{kind}", {"name": "x"}).status_code
        == 404
    )
    assert count(app, PostKind) == 1


# ----------------------------------------------------------------- elections


def test_an_election_is_recorded_with_its_session_and_offered_for_the_oath(
    app, matter_world, login_as, make_ceremony
):
    b = login_as("east-staff")
    page = _follow(
        b,
        b.post(
            "/bodies/east/appointments/elections/new",
            {
                "session_name": "第十七届人民代表大会第一次会议",
                "elected_on": TODAY.isoformat(),
                "candidate_id": "0",
                "name": "赵区长",
                "id_number": make_id(414),
                "proposed_post": "区长",
                "post_kind": "政府组成人员",
                "nominating_organ": "大会主席团",
            },
        ),
    )
    assert "已登记选举结果" in page
    elected = _only(app, kind=MatterKind.ELECT)
    assert elected.meeting_id is None and elected.vote == "appointed"
    assert elected.session_name == "第十七届人民代表大会第一次会议"
    listing = b.get("/bodies/east/appointments/elections").get_data(as_text=True)
    assert "赵区长" in listing and "第十七届人民代表大会第一次会议" in listing
    ceremony = make_ceremony("east", kind="session", session_name="第十七届人民代表大会第一次会议")
    page = b.get(f"/bodies/east/appointments/ceremonies/{ceremony.id}").get_data(as_text=True)
    assert f'value="{elected.id}"' in page


def test_an_election_is_not_a_meeting_matter(app, matter_world, login_as):
    b = login_as("east-staff")
    _add_matter(b, matter_world["meeting"], kind="elect", candidate_id=matter_world["person"])
    assert count(app, Appointment) == 0


# ----------------------------------------------------------------- services


def test_steps_by_kind_reads_the_body_in_one_query(app, matter_world, count_queries):
    with committing(app):
        east = body_row("east")
        appointment_records.save_steps(
            east, {MatterKind.ELECT: Steps(test=False, statement=False, oath=False, reports=True)}
        )
    with committing(app):
        east = body_row("east")
        with count_queries() as queries:
            steps = appointment_records.steps_by_kind(east)
        assert queries.count == 1
        assert not steps[MatterKind.ELECT].oath and steps[MatterKind.APPOINT].oath


def test_post_kind_choices_list_builtins_then_the_bodys(app, matter_world):
    with committing(app):
        east = body_row("east")
        matter_records.add_post_kind(east, "乙类")
        matter_records.add_post_kind(east, "甲类")
        values = [v for v, _ in matter_records.post_kind_choices(east)]
    assert values[0] == "" and values[1] == "专门委员会组成人员"
    assert values[-2:] == ["乙类", "甲类"]


# ----------------------------------------------------------------- the migration


def test_the_migration_keeps_each_bodys_old_rules(databases, tmp_path):
    """A body that had switched the test or the statement off keeps that for 任命 and
    决定任命; a body with both on follows the defaults; down again restores the old rules."""
    app = make_test_app(databases.create("matter_rules_migration"), tmp_path)
    with app.app_context():
        upgrade(revision="a7d2e4c1f9b3")
        ids = [
            body_services.create_body(code=c, name=c, level=LEVEL_MUNICIPAL, parent=None).id
            for c in ("off", "on", "none")
        ]
        db.session.execute(
            text(
                "INSERT INTO appointment_rules (body_id, require_test, "
                "require_appointed_for_oath, require_statement) VALUES "
                "(:off, false, true, true), (:on, true, true, true)"
            ),
            {"off": ids[0], "on": ids[1]},
        )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text(
                "SELECT body_id, kind, needs_test, needs_statement, needs_oath, needs_reports "
                "FROM matter_rules ORDER BY kind"
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            (ids[0], "appoint", False, True, True, True),
            (ids[0], "decide_appoint", False, True, True, True),
        ]
        assert not appointment_records.steps_for(ids[0], MatterKind.APPOINT).test
        assert appointment_records.steps_for(ids[1], MatterKind.APPOINT).test
        db.session.commit()  # SQLite: the session's transaction holds the write lock
        assert "appointment_rules" not in db.inspect(db.engine).get_table_names()
        downgrade(revision="a7d2e4c1f9b3")
        back = db.session.execute(
            text("SELECT body_id, require_test, require_statement FROM appointment_rules")
        ).all()
        assert [tuple(r) for r in back] == [(ids[0], False, True)]
        db.session.commit()
        db.engine.dispose()


# ----------------------------------------------------------------- query counts


def test_matter_pages_cost_the_same_for_any_number_of_rows(
    app, matter_world, login_as, count_queries
):
    """The rules page (post kinds), the elections list and the matter form (people)."""

    def add(start: int, n: int) -> None:
        with committing(app):
            east = body_row("east")
            for k in range(start, start + n):
                matter_records.add_post_kind(east, f"类别{k}")
                person = Candidate(body_id=east.id, name=f"当选{k}", id_number=make_id(500 + k))
                db.session.add(person)
                db.session.flush()
                matter_records.add_election(
                    east,
                    person,
                    matter_records.MatterFields(MatterKind.ELECT, "区长", f"类别{k}", ""),
                    "第十七届人民代表大会第一次会议",
                    TODAY,
                )

    admin = login_as("east-admin")
    pages = {
        "rules": "/bodies/east/appointments/rules",
        "elections": "/bodies/east/appointments/elections",
        "matter form": f"/bodies/east/appointments/meetings/{matter_world['meeting']}/matters/new",
    }

    def measure() -> dict[str, int]:
        counts = {}
        for name, url in pages.items():
            assert admin.get(url).status_code == 200  # warm the caches
            with count_queries() as q:
                assert admin.get(url).status_code == 200
            counts[name] = q.count
        return counts

    add(0, 2)
    small = measure()
    add(2, 18)
    assert measure() == small

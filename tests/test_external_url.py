"""EXTERNAL_URL: every QR code and printed link is built on the configured address, and
the pages that print them warn while it is unset."""

from __future__ import annotations

import pytest

from examsite.config import ConfigError, build_config
from tests.fixtures.exams import get_attempt

WARNING = "未配置对外访问地址（EXTERNAL_URL）"


@pytest.fixture
def qr_data(monkeypatch):
    """What each QR code drawn by the staff pages encodes."""
    seen: list[str] = []
    from examsite.core import qr

    real = qr.qr_svg

    def spy(data, box=6):
        seen.append(data)
        return real(data, box)

    for module in (
        "examsite.exams.views.sittings",
        "examsite.exams.views.results",
        "examsite.appointments.views.ceremonies",
    ):
        monkeypatch.setattr(f"{module}.qr_svg", spy)
    return seen


def test_slips_encode_the_configured_address(app, exam_world, login_as, qr_data, monkeypatch):
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "http://10.1.2.3:8000")
    page = login_as("east-staff").get(f"/bodies/east/exams/sittings/{exam_world.sitting_id}/slips")
    assert WARNING not in page.get_data(as_text=True)
    assert len(qr_data) == 3
    assert all(d.startswith("http://10.1.2.3:8000/exam/") for d in qr_data), qr_data
    assert any(exam_world.codes[0] in d for d in qr_data)


def test_slips_fall_back_to_the_request_host_and_warn(app, exam_world, login_as, qr_data):
    assert not app.config.get("EXTERNAL_URL")
    page = login_as("east-staff").get(f"/bodies/east/exams/sittings/{exam_world.sitting_id}/slips")
    text = page.get_data(as_text=True)
    assert WARNING in text and "http://localhost/" in text
    assert all(d.startswith("http://localhost/exam/") for d in qr_data), qr_data


def test_score_report_prints_the_configured_verify_address(
    app, exam_world, login_as, make_attempt, qr_data, monkeypatch
):
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "https://exam.example.gov.cn/site")
    make_attempt(exam_world, 0, state="submitted")
    attempt = get_attempt(app, exam_world.attempt_ids[0])
    text = (
        login_as("east-staff")
        .get(f"/bodies/east/exams/sittings/{exam_world.sitting_id}/attempts/{attempt.id}/report")
        .get_data(as_text=True)
    )
    expected = f"https://exam.example.gov.cn/site/exam/verify/{attempt.result_token}"
    assert expected in text
    assert qr_data == [expected]


def test_oath_check_in_and_sign_in_sheet_use_the_configured_address(
    app, world, login_as, make_ceremony, make_meeting, make_appointment, make_candidate,
    qr_data, monkeypatch,
):  # fmt: skip
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "http://10.1.2.3:8000")
    meeting = make_meeting("east")
    appointment = make_appointment(
        make_candidate("east"), meeting=meeting, exempt="本届已考", vote="appointed"
    )
    ceremony = make_ceremony("east", participants=[appointment])
    b = login_as("east-staff")
    assert b.get(f"/bodies/east/appointments/ceremonies/{ceremony.id}").status_code == 200
    sheet = b.get(f"/bodies/east/appointments/ceremonies/{ceremony.id}/sheet")
    assert WARNING not in sheet.get_data(as_text=True)
    assert len(qr_data) == 2
    assert all(d.startswith("http://10.1.2.3:8000/") for d in qr_data), qr_data


def test_admin_home_page_warns_while_unset(app, world, login_as, monkeypatch):
    assert WARNING in login_as("east-admin").get("/").get_data(as_text=True)
    assert WARNING not in login_as("east-staff").get("/").get_data(as_text=True)
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "http://10.1.2.3:8000")
    assert WARNING not in login_as("east-admin").get("/").get_data(as_text=True)


def test_external_url_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTERNAL_URL", "http://10.1.2.3:8000/")
    assert build_config(tmp_path)["EXTERNAL_URL"] == "http://10.1.2.3:8000"
    monkeypatch.setenv("EXTERNAL_URL", "10.1.2.3:8000")
    with pytest.raises(ConfigError, match="EXTERNAL_URL"):
        build_config(tmp_path)

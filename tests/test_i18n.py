"""Chinese by default, English on request, and no untranslated English strings."""

from __future__ import annotations

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "examsite" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_switch_to_english_and_back(world, browser):
    assert "工作人员登录" in browser.get("/login").get_data(as_text=True)
    browser.post("/language", {"lang": "en", "next": "/login"})
    page = browser.get("/login").get_data(as_text=True)
    assert "Staff login" in page and 'lang="en"' in page
    # The choice survives logging in (a fresh session is started at login).
    browser.login("east-staff")
    assert "Hello," in browser.get("/").get_data(as_text=True)
    browser.post("/language", {"lang": "zh_CN", "next": "/"})
    assert "您好" in browser.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(browser):
    browser.post("/language", {"lang": "xx", "next": "/login"})
    assert "工作人员登录" in browser.get("/login").get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(browser):
    response = browser.post("/language", {"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_every_marked_string_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with EN_PO.open("rb") as fh:
        english = {m.id: m.string for m in read_po(fh) if m.id}
    missing = sorted(msg for msg in wanted if not english.get(msg))
    assert missing == [], f"add English for: {missing[:20]}"
    assert len(wanted) > 100

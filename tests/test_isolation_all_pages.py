"""Every page of every feature, enumerated from the URL map: a county's staff and
administrators get 404 for a sibling county's URLs, and the municipal admin is let in.
A page added later is covered without anyone remembering to add it here."""

from __future__ import annotations

import pytest

from examsite.exams.models import Sitting
from tests.fixtures.web import PLACEHOLDER_IDS as IDS  # a sibling's URL: 404 before any id


def body_rules(app):
    # A body's public practice is open to anyone once the body opens it (not a staff page:
    # tests/test_practice.py covers it).
    public = {"practice.public"}
    rules = [
        r for r in app.url_map.iter_rules() if "code" in r.arguments and r.endpoint not in public
    ]
    assert len(rules) > 80  # the enumeration found the features
    return rules


def _url(rule, code: str) -> str:
    values = {arg: IDS.get(arg, 1) for arg in rule.arguments if arg != "code"}
    return rule.build({"code": code, **values}, append_unknown=False)[1]


@pytest.mark.parametrize("who", ["west-staff", "west-admin"])
def test_a_county_gets_404_on_every_page_of_its_sibling(app, world, login_as, who):
    b = login_as(who)
    failures = []
    for rule in body_rules(app):
        url = _url(rule, "east")
        for method in {"GET", "POST"} & set(rule.methods or ()):
            response = b.post(url, {}) if method == "POST" else b.get(url)
            if response.status_code == 403:
                # A page closed to this role for every body (e.g. the municipal rollout)
                # reveals nothing about the sibling.
                own = _url(rule, "west")
                mine = b.post(own, {}) if method == "POST" else b.get(own)
                if mine.status_code == 403:
                    continue
            if response.status_code != 404:
                failures.append(f"{method} {url} -> {response.status_code}")
    assert failures == []


def test_the_municipal_admin_reaches_the_county_pages(app, world, login_as):
    b = login_as("admin")
    for rule in body_rules(app):
        if "GET" not in (rule.methods or ()) or set(rule.arguments) - {"code"}:
            continue  # pages that need a row id are covered by each feature's tests
        url = _url(rule, "east")
        response = b.get(url, query_string={"format": "html"})
        assert response.status_code in (200, 302), f"GET {url} -> {response.status_code}"


def test_nothing_changed_after_the_attempts(app, world, login_as):
    from tests.fixtures.factories import count

    b = login_as("west-admin")
    for rule in body_rules(app):
        if "POST" in (rule.methods or ()):
            b.post(_url(rule, "east"), {"name": "x", "title": "x", "reason": "x"})
    assert count(app, Sitting) == 0

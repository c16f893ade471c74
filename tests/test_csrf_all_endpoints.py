"""Every state-changing endpoint, enumerated from the URL map, refuses a request without a
valid CSRF token — as a form post and as JSON — and changes nothing."""

from __future__ import annotations

from examsite.core.audit import AuditEvent
from tests.fixtures.factories import count
from tests.fixtures.web import PLACEHOLDER_IDS as IDS


def _post_rules(app):
    rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
    assert len(rules) > 60
    return rules


def test_no_post_is_accepted_without_a_csrf_token(app, world, login_as):
    b = login_as("admin")
    before = count(app, AuditEvent)
    failures = []
    for rule in _post_rules(app):
        values = {
            arg: (
                "east"
                if arg in ("code",)
                else IDS.get(arg, "X1")
                if arg != "check_code"
                else "ABCDEF"
            )
            for arg in rule.arguments
        }
        url = rule.build(values, append_unknown=False)[1]
        form = b.client.post(url, data={"name": "x"})
        as_json = b.client.post(url, json={"position": 0, "choice": [0], "seq": 1})
        for kind, response in (("form", form), ("json", as_json)):
            if response.status_code != 400:
                failures.append(f"{kind} POST {url} -> {response.status_code}")
    assert failures == []
    assert count(app, AuditEvent) == before

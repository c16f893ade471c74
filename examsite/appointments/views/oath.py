"""The public oath check-in: a participant's phone, from the ceremony's QR code."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request

from examsite.appointments import ceremonies
from examsite.appointments.check_in import WINDOW_OPEN
from examsite.appointments.forms import CheckInForm
from examsite.appointments.views import public
from examsite.appointments.views.common import oath_settings
from examsite.core.transaction import keep_writes


@public.route("/<check_code>", methods=["GET", "POST"])
def check_in(check_code: str) -> Any:
    """A participant's phone: the ceremony's QR code leads here; confirm with the name and
    the ID tail, within the ceremony's window; throttled per client address and ceremony."""
    settings = oath_settings()
    # The peer's address (a trusted proxy's report of it: core/proxy.py), never a header the
    # browser sets: a client cannot reset its own count.
    ip = request.remote_addr or ""
    page = ceremonies.check_in_page(check_code, ip, settings)
    if page.status == "unknown":
        keep_writes()  # the unknown code is counted against the client
        abort(404)
    form = CheckInForm()
    result = None
    if page.status == WINDOW_OPEN and form.validate_on_submit():
        assert page.ceremony is not None
        result = ceremonies.check_in_public(
            page.ceremony, form.name.data or "", form.id_tail.data or "", ip, settings
        )
    state = result.status if result else page.status
    html = render_template(
        "appointments/check_in.html",
        ceremony=page.ceremony,
        window=page.window,
        state=state,
        result=result,
        minutes=result.minutes if result else page.minutes,
        form=form,
    )
    if state == "locked":
        keep_writes()  # the failure that locked the address is counted
        return html, 429
    return html

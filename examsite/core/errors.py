"""The one kind of refusal a page shows: every feature's refused operation derives from it,
so one helper (``core.actions.act``) turns any of them into a message and a rollback."""

from __future__ import annotations


class UserError(ValueError):
    """A refused operation; its message is for the user (Chinese, already translated)."""

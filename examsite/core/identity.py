"""One Flask-Login loader for every kind of user: the id carries a prefix per kind.

Staff ids look like "s:<id>:<token>"; the exam feature registers "c" for candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from examsite.extensions import login_manager

_loaders: dict[str, Callable[[str], Any]] = {}


def register_loader(prefix: str, loader: Callable[[str], Any]) -> None:
    _loaders[prefix] = loader


@login_manager.user_loader
def _load_user(user_id: str) -> Any:
    prefix, _, rest = user_id.partition(":")
    loader = _loaders.get(prefix)
    return loader(rest) if loader else None

"""States as types: a status column holds an enum member, and every change of state goes
through the transitions its feature declares in one table (``Machine``).

A feature writes ``exams/states.py`` (or the like): its enum, and one ``Machine`` that says,
per action, from which states it is allowed, to which state it leads, and what a refusal
says. Services call ``machine.apply(obj, action)``; templates ask ``obj.can("action")``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from examsite.core.errors import UserError

S = TypeVar("S", bound=StrEnum)


class LabelledEnum(StrEnum):
    """A stored status with a Chinese label (``labels`` is set by each enum, lazily
    translated); the member is its stored string, so it compares equal to it."""

    @property
    def label(self) -> str:
        return str(type(self).labels().get(self.value, self.value))

    @classmethod
    def labels(cls) -> Mapping[str, Any]:
        return {}

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


@dataclass(frozen=True)
class Transition(Generic[S]):
    """An action allowed from ``sources``; it moves to ``target`` (None: the state stays)."""

    sources: frozenset[S]
    target: S | None
    refusal: Any  # a lazy string: what the user reads when the state does not allow it


def transition(sources: Iterable[S], target: S | None, refusal: Any) -> Transition[S]:
    return Transition(frozenset(sources), target, refusal)


class Machine(Generic[S]):
    """The transitions of one status field: the single place they are written down."""

    def __init__(
        self,
        field: str,
        transitions: Mapping[str, Transition[S]],
        error: type[UserError] = UserError,
    ) -> None:
        self.field = field
        self.transitions = dict(transitions)
        self.error = error

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(self.transitions)

    def _transition(self, action: str) -> Transition[S]:
        try:
            return self.transitions[action]
        except KeyError:
            raise KeyError(f"unknown action {action!r}") from None

    def sources(self, action: str) -> frozenset[S]:
        return self._transition(action).sources

    def target(self, action: str) -> S | None:
        return self._transition(action).target

    def can(self, obj: Any, action: str) -> bool:
        return getattr(obj, self.field) in self._transition(action).sources

    def check(self, obj: Any, action: str) -> None:
        """Refuse (``error`` with the transition's message) unless the state allows it."""
        if not self.can(obj, action):
            raise self.error(str(self._transition(action).refusal))

    def apply(self, obj: Any, action: str) -> None:
        """Check, then move to the target state."""
        self.check(obj, action)
        target = self._transition(action).target
        if target is not None:
            setattr(obj, self.field, target)


class EnumText(TypeDecorator[Any]):
    """A status column: stored as its string (a VARCHAR, with the table's CHECK), read back
    as the enum member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int = 16) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else self.enum(value)

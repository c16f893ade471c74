"""Password policy and temporary passwords (pure: no Flask, no database)."""

from __future__ import annotations

import secrets

MIN_LENGTH = 10
# No easily confused characters in passwords an administrator reads out.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def policy_problems(password: str, username: str = "") -> list[str]:
    """Codes of the rules a password breaks; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append("letters_and_digits")
    if username and username.lower() in password.lower():
        problems.append("contains_username")
    if len(set(password)) < 4:
        problems.append("too_simple")
    return problems


def temporary_password() -> str:
    """A random 12-character password that passes the policy."""
    while True:
        candidate = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))
        if not policy_problems(candidate):
            return candidate

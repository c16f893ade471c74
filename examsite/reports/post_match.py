"""Whether a post matches a report plan's keyword rule (pure: no Flask, no database).

A keyword names a whole post, not a substring: ``局长`` selects 局长 but not 副局长."""

from __future__ import annotations

import re

#: What joins several posts held at once: 党组书记、局长 / 副市长，公安局局长 / 副市长兼公安局局长.
POST_SEPARATORS = re.compile(r"[、，,；;\s]+|兼")

#: A post part preceded by this is a deputy post: 副局长 is not 局长.
DEPUTY = "副"


def post_parts(post: str) -> list[str]:
    """The posts one title holds: split on 、，,；; spaces and 兼, empty parts dropped."""
    return [p for p in POST_SEPARATORS.split(post) if p]


def matches_post(post: str, keyword: str) -> bool:
    """Whether ``post`` holds the post ``keyword`` names.

    The post is split into parts (``post_parts``); it matches when one part equals the
    keyword, or ends with it and the character right before it is not 副: ``局长`` matches
    局长, 公安局局长 and 党组书记、局长, not 副局长, 常务副局长 or 局长助理. A keyword that
    itself begins with 副 (``副局长``) matches 副局长 and 公安局副局长. An empty keyword
    matches every post."""
    keyword = keyword.strip()
    if not keyword:
        return True
    for part in post_parts(post):
        if part == keyword:
            return True
        if part.endswith(keyword) and part[-len(keyword) - 1] != DEPUTY:
            return True
    return False

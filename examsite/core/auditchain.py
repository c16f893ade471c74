"""The audit log's hash chain, as pure functions (no Flask, no database).

Each congress body's audit entries form one chain (entries with no body form chain 0):
entry n carries the hash of entry n-1 and its own hash over its fields and that link.
Changing, removing or reordering a stored entry breaks the chain at that entry; removing
the newest entries is caught by comparing with the chain head kept in its own table.

The format is a stored contract: changing FIELDS or the encoding would break every
existing chain, so it is versioned (HASH_VERSION) rather than edited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

HASH_VERSION = 1
GENESIS = "0" * 64

#: The entry fields the hash covers, in order.
FIELDS = (
    "chain",
    "chain_seq",
    "created_at",
    "user_id",
    "actor",
    "body_id",
    "action",
    "target_type",
    "target_id",
    "details",
    "ip",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        # Both databases keep microseconds; the hash must not depend on the driver's format.
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    return value


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash of one entry given its predecessor's hash."""
    payload = [HASH_VERSION, prev_hash, *(_canonical(entry.get(name)) for name in FIELDS)]
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first place where a chain does not hold."""

    chain: int
    entry_id: int | None
    chain_seq: int
    reason: str


def verify_chain(
    chain: int,
    entries: Iterable[Mapping[str, Any]],
    head_seq: int,
    head_hash: str,
) -> Break | None:
    """Walk one chain in chain_seq order; return its first broken link, or None.

    Each entry mapping carries FIELDS plus "id", "prev_hash" and "hash".
    """
    expected_seq, prev = 1, GENESIS
    for entry in entries:
        seq = entry["chain_seq"]
        if seq != expected_seq:
            if seq > expected_seq:
                reason = f"entries {expected_seq}–{seq - 1} are missing (deleted)"
            else:
                reason = f"entry number {seq} appears twice"
            return Break(chain, entry["id"], seq, reason)
        if entry["prev_hash"] != prev:
            return Break(chain, entry["id"], seq, "the link to the previous entry was changed")
        if entry_hash(prev, entry) != entry["hash"]:
            return Break(chain, entry["id"], seq, "the entry's content was changed")
        prev = entry["hash"]
        expected_seq += 1
    last_seq = expected_seq - 1
    if last_seq != head_seq:
        if last_seq < head_seq:
            reason = f"the newest entries {last_seq + 1}–{head_seq} are missing (deleted)"
        else:
            reason = f"entries after number {head_seq} were added outside the application"
        return Break(chain, None, last_seq + 1, reason)
    if prev != head_hash:
        return Break(chain, None, last_seq, "the chain head does not match the newest entry")
    return None

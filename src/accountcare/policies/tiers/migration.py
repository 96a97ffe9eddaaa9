"""Tier migration: who moved up, down, stayed, came in or dropped out between two
assignments (e.g. last year's tiers and this year's).

>>> before = {"acme": "A", "globex": "B", "initech": "C"}
>>> after = {"acme": "B", "globex": "A", "umbrella": "C"}
>>> report = migration_report(before, after, tiers=("A", "B", "C"))
>>> [m.account_id for m in report.moved_up], [m.account_id for m in report.moved_down]
(['globex'], ['acme'])
>>> [m.account_id for m in report.new_in], [m.account_id for m in report.dropped_out]
(['umbrella'], ['initech'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from accountcare.domain.tiers import TierAssignment, TierMigration, TierMove
from accountcare.errors import ConfigurationError, InvalidRecord

__all__ = ["migration_report"]


def _label(account_id: str, value: str | TierAssignment, order: Mapping[str, int]) -> str:
    tier = value.tier if isinstance(value, TierAssignment) else value
    if tier not in order:
        raise InvalidRecord(
            f"account {account_id!r}", "tier", f"{tier!r} is not one of {tuple(order)}"
        )
    return tier


def migration_report(
    before: Mapping[str, str | TierAssignment],
    after: Mapping[str, str | TierAssignment],
    tiers: Sequence[str],
) -> TierMigration:
    """Compare two assignments (id -> label or
    [`TierAssignment`][accountcare.domain.tiers.TierAssignment]) under ``tiers`` (best
    first, e.g. ``policy.tiers``). Every group is sorted by account id."""
    labels = tuple(tiers)
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise ConfigurationError(
            f"migration_report: needs two or more distinct tiers, got {labels}"
        )
    order = {t: i for i, t in enumerate(labels)}
    old = {k: _label(k, v, order) for k, v in before.items()}
    new = {k: _label(k, v, order) for k, v in after.items()}
    up, down, same, came, went = [], [], [], [], []
    for account_id in sorted(old.keys() | new.keys()):
        a, b = old.get(account_id), new.get(account_id)
        move = TierMove(account_id, a, b)
        if a is None:
            came.append(move)
        elif b is None:
            went.append(move)
        elif order[b] < order[a]:
            up.append(move)
        elif order[b] > order[a]:
            down.append(move)
        else:
            same.append(move)
    return TierMigration(labels, up, down, same, came, went)

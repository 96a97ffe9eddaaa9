"""Due dates from the interaction history: who is next due for a visit, a call, a leader.

Visit frequency follows the tier (A accounts most often, with supervisors or senior
leaders joining some visits; C accounts least), and developing a new account takes at
least 5 visits. The rhythm itself is the [`Cadence`][accountcare.domain.cadence.Cadence]
value; this module reads the history against it. Only interactions before ``as_of``
count, and an interaction's day is the calendar day of its recorded instant.

>>> from datetime import UTC, date, datetime
>>> from accountcare.domain import Account, Interaction, InteractionKind
>>> seen = Interaction("i-1", "acme", datetime(2026, 11, 1, 10, tzinfo=UTC),
...                    InteractionKind.VISIT, by="rep-li")
>>> due = due_dates([Account("acme", "Acme")], {"acme": "A"}, [seen],
...                 as_of=date(2026, 11, 2))["acme"]
>>> due.next_visit_due, due.next_call_due
(datetime.date(2026, 11, 15), datetime.date(2026, 11, 2))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import attrs

from accountcare.domain._trusted import trusted
from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Interaction, InteractionKind
from accountcare.domain.cadence import DEFAULT_CADENCE, Cadence, DueDates
from accountcare.domain.tiers import TierAssignment
from accountcare.errors import ConfigurationError

__all__ = ["DEVELOPING_STAGES", "Tiers", "due_dates", "is_developing", "tier_labels"]

# Accounts still being won (a prospect, then a target, then in negotiation) get
# development visits; so does any account marked as a kind of new customer.
DEVELOPING_STAGES = frozenset(
    {LifecycleStage.PROSPECT, LifecycleStage.TARGET, LifecycleStage.NEGOTIATING}
)

Tiers = Mapping[str, str] | Mapping[str, TierAssignment] | Iterable[TierAssignment]


def tier_labels(tiers: Tiers) -> dict[str, str]:
    """Account id -> tier label, from a mapping of labels, a policy's result (a mapping
    of assignments, such as ``AbcPolicy().assign(values)``) or tier assignments.

    >>> from accountcare.domain import TierAssignment, TierReason
    >>> tier_labels([TierAssignment("acme", "A", "abc", TierReason(value=1.0))])
    {'acme': 'A'}
    >>> from accountcare.policies import AbcPolicy
    >>> tier_labels(AbcPolicy().assign({"acme": 90, "globex": 8, "initech": 2}))
    {'acme': 'A', 'globex': 'B', 'initech': 'C'}
    """
    if isinstance(tiers, Mapping):
        return {
            str(k): t.tier if isinstance(t, TierAssignment) else str(t) for k, t in tiers.items()
        }
    labels: dict[str, str] = {}
    for assignment in tiers:
        if not isinstance(assignment, TierAssignment):
            raise ConfigurationError(
                f"tiers must be a mapping or TierAssignments, got {type(assignment).__name__}"
            )
        if assignment.account_id in labels:
            raise ConfigurationError(f"account {assignment.account_id!r} is assigned two tiers")
        labels[assignment.account_id] = assignment.tier
    return labels


def is_developing(account: Account) -> bool:
    """True for an account being won: an early stage, or a new-customer kind."""
    return account.stage in DEVELOPING_STAGES or account.new_customer_kind is not None


@attrs.define
class _History:
    last_visit: date | None = None
    last_call: date | None = None
    last_leader: date | None = None
    visits: list[date] = attrs.Factory(list)


def _histories(interactions: Iterable[Interaction], as_of: date) -> dict[str, _History]:
    found: defaultdict[str, _History] = defaultdict(_History)
    visit, call = InteractionKind.VISIT, InteractionKind.CALL
    for record in interactions:
        kind = record.kind
        if kind is not visit and kind is not call:
            continue
        day = record.occurred_at.date()
        if day >= as_of:
            continue
        history = found[record.account_id]
        if kind is call:
            if history.last_call is None or day > history.last_call:
                history.last_call = day
            continue
        history.visits.append(day)
        if history.last_visit is None or day > history.last_visit:
            history.last_visit = day
        if record.leader_joined and (history.last_leader is None or day > history.last_leader):
            history.last_leader = day
    return found


def _after(last: date | None, every: int, as_of: date) -> date:
    return as_of if last is None else last + timedelta(days=every)


def due_dates(
    accounts: Iterable[Account],
    tiers: Tiers,
    interactions: Iterable[Interaction] = (),
    *,
    as_of: date,
    cadence: Cadence = DEFAULT_CADENCE,
) -> dict[str, DueDates]:
    """Each account's next visit, call and leader visit as of ``as_of``, by account id.

    Next visit due = last visit + the tier's visit interval (never visited: due at
    ``as_of``). A developing account (see
    [`is_developing`][accountcare.policies.visits.cadence.is_developing]) that has had fewer
    than ``cadence.development_visits`` visits in the last ``development_window_days``
    is visited at least every ``cadence.development_every_days`` until it has had them.
    Leader visits are due ``leader_visit_every_days`` after the last visit a leader
    joined, for tiers that have them. Accounts whose tier the cadence does not cover
    get no visit or call due unless they are being developed.
    """
    labels = tier_labels(tiers)
    histories = _histories(interactions, as_of)
    return {
        account.id: _due(account, labels.get(account.id), histories.get(account.id), as_of, cadence)
        for account in accounts
    }


_NEVER = _History()  # read only: an account without visits or calls


def _due(
    account: Account, tier: str | None, history: _History | None, as_of: date, cadence: Cadence
) -> DueDates:
    history = history or _NEVER
    rhythm = cadence.for_tier(tier)
    every = rhythm.visit_every_days if rhythm else None
    spacing = rhythm.min_visit_spacing_days if rhythm else None
    developing = is_developing(account)
    needed = _development_visits_needed(history, as_of, cadence) if developing else 0
    if needed:  # the development rhythm, unless the tier's is closer
        develop_every = cadence.development_every_days
        every = develop_every if every is None else min(every, develop_every)
        develop_spacing = max(1, develop_every // 2)
        spacing = develop_spacing if spacing is None else min(spacing, develop_spacing)
    leader_every = rhythm.leader_visit_every_days if rhythm else None
    return _due_dates(
        account.id,
        as_of,
        tier,
        history.last_visit,
        history.last_call,
        history.last_leader,
        None if every is None else _after(history.last_visit, every, as_of),
        None if rhythm is None else _after(history.last_call, rhythm.call_every_days, as_of),
        None if leader_every is None else _after(history.last_leader, leader_every, as_of),
        every,
        spacing or 1,
        developing,
        needed,
    )


def _development_visits_needed(history: _History, as_of: date, cadence: Cadence) -> int:
    """Development visits still missing in the window that ends at ``as_of``."""
    window_opens = as_of - timedelta(days=cadence.development_window_days)
    done = sum(1 for day in history.visits if day >= window_opens)
    return max(0, cadence.development_visits - done)


# Built from validated accounts and days computed from them; a test pins it equal to
# the validating constructor.
_due_dates = trusted(DueDates)

"""The account team: the iron triangle per key account, and overloaded people.

Practitioners give each key account an account manager, a solution manager and a
delivery manager who answer the customer as one.

>>> from accountcare.domain.relationships import TeamAssignment
>>> report = review_teams([TeamAssignment("acme", "account_manager", "li"),
...                        TeamAssignment("acme", "solution_manager", "kim")], ["acme"])
>>> [r.value for r in report.teams[0].missing]
['delivery_manager']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from accountcare.domain.relationships import (
    IRON_TRIANGLE,
    AccountTeam,
    Overload,
    TeamAssignment,
    TeamRole,
    role_named,
)
from accountcare.errors import ConfigurationError

__all__ = ["DEFAULT_KEY_ACCOUNT_LIMIT", "TeamReport", "review_teams"]

# A person can answer for only so many key accounts as one of the triangle (a rule of
# thumb; set it to your own).
DEFAULT_KEY_ACCOUNT_LIMIT = 8
"""How many key accounts one account manager can look after before the team is overloaded."""


@attrs.frozen
class TeamReport:
    """Teams of the key accounts (by account id) and the overloaded people (by person)."""

    teams: tuple[AccountTeam, ...]
    overloaded: tuple[Overload, ...]


def review_teams(
    assignments: Iterable[TeamAssignment],
    key_accounts: Iterable[str],
    *,
    required: Sequence[TeamRole | str] = IRON_TRIANGLE,
    limit: int = DEFAULT_KEY_ACCOUNT_LIMIT,
) -> TeamReport:
    """Which roles are filled, by whom, and what is missing on each key account; who is
    on more than ``limit`` key accounts. Assignments to other accounts are ignored."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigurationError(f"limit must be a positive int, got {limit!r}")
    needed = tuple(dict.fromkeys(role_named(r) for r in required))
    keys = sorted(set(key_accounts))
    wanted = set(keys)
    held: dict[str, dict[TeamRole, set[str]]] = {a: {} for a in keys}
    accounts_of: dict[str, set[str]] = {}
    for assignment in assignments:
        if assignment.account_id not in wanted:
            continue
        held[assignment.account_id].setdefault(assignment.role, set()).add(assignment.person)
        accounts_of.setdefault(assignment.person, set()).add(assignment.account_id)
    teams = []
    for account_id in keys:
        roles = held[account_id]
        filled = tuple((role, tuple(sorted(roles[role]))) for role in TeamRole if role in roles)
        missing = tuple(role for role in needed if role not in roles)
        teams.append(AccountTeam(account_id, filled, missing))
    overloaded = tuple(
        Overload(person, tuple(sorted(accounts)), limit)
        for person, accounts in sorted(accounts_of.items())
        if len(accounts) > limit
    )
    return TeamReport(tuple(teams), overloaded)

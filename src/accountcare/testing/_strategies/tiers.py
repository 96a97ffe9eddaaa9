"""Strategies for tiers: populations for tier policies (account id -> value) and the
values a tiering produces (assignments with their reasons, cut-offs, migrations).

>>> from hypothesis import given
>>> @given(tier_values(kind="int"))
... def test(population):
...     assert all(isinstance(value, int) for value in population.values())
>>> test()
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from accountcare.domain.tiers import TierAssignment, TierCutoffs, TierMigration, TierReason
from accountcare.testing._strategies.fields import (
    _field_strategies,
    _names,
    account_ids,
    money,
    texts,
)


@st.composite
def tier_values(
    draw: st.DrawFn, kind: str = "any", max_size: int = 12, min_size: int = 0
) -> dict[str, Any]:
    """A population for tier policies: account id -> value, with ties, zeros and refunds.

    ``kind`` is ``"int"``, ``"float"``, ``"decimal"`` or ``"any"`` (mixed in one book).
    Half the books draw every value from a pool of at most four, so that many accounts
    tie, across tier boundaries too: the case where a policy that ranks by position
    instead of by value goes wrong.
    """
    small = st.integers(-5, 60)  # a narrow range makes ties and zeros common
    ints = st.one_of(small, st.integers(-(10**6), 10**9))
    floats = st.one_of(small.map(float), st.floats(-1e3, 1e9, allow_nan=False))
    decimals = st.one_of(small.map(Decimal), money(10**6))
    number = {"int": ints, "float": floats, "decimal": decimals}.get(
        kind, st.one_of(ints, floats, decimals)
    )
    ids = draw(st.lists(account_ids(), min_size=min_size, max_size=max_size, unique=True))
    if draw(st.booleans()):
        number = st.sampled_from(draw(st.lists(number, min_size=1, max_size=4)))
    return {account_id: draw(number) for account_id in ids}


@st.composite
def _reasons(draw: st.DrawFn) -> TierReason:
    finite = st.floats(-1e12, 1e12, allow_nan=False)
    return TierReason(
        value=draw(finite),
        rule=draw(texts(max_size=20)),
        share_before=draw(st.none() | st.floats(0, 1)),
        rank=draw(st.none() | st.integers(1, 10**6)),
        population=draw(st.none() | st.integers(0, 10**6)),
        cutoff=draw(st.none() | st.floats(0, 1)),
    )


def tier_assignments(tiers: tuple[str, ...] = ("A", "B", "C")) -> st.SearchStrategy[TierAssignment]:
    return st.builds(
        TierAssignment,
        account_id=account_ids(),
        tier=st.sampled_from(tiers),
        policy=st.sampled_from(("abc", "rank_bands", "profitability", "value_labels")),
        reason=_reasons(),
    )


@st.composite
def _cutoffs(draw: st.DrawFn) -> TierCutoffs:
    tiers = draw(st.lists(_names(), min_size=2, max_size=4, unique=True))
    floors = draw(st.lists(st.none() | money(), min_size=len(tiers) - 1, max_size=len(tiers) - 1))
    limits = draw(st.lists(st.floats(0.01, 1), min_size=len(tiers) - 1, max_size=len(tiers) - 1))
    return TierCutoffs(
        policy=draw(account_ids()),
        tiers=tuple(tiers),
        floors=tuple(floors),
        limits=tuple(limits),
        population=draw(st.integers(0, 10**6)),
        total=draw(st.floats(0, 1e12)),
    )


@st.composite
def _migrations(draw: st.DrawFn) -> TierMigration:
    fields = _field_strategies(TierMigration)
    fields["tiers"] = st.lists(_names(), min_size=2, max_size=4, unique=True).map(tuple)
    return draw(st.builds(TierMigration, **fields))

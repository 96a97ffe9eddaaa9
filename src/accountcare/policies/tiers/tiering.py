"""What every tier policy offers, and the shared face of the population policies.

A tier policy maps account ids to numbers and returns one
[`TierAssignment`][accountcare.domain.tiers.TierAssignment] per account, each with its
reason. A *population* policy (ABC, rank bands, 20/60/20, value labels) also splits
``assign`` into ``fit`` (population -> small
[`TierCutoffs`][accountcare.domain.tiers.TierCutoffs]) and ``classify`` (one value ->
assignment), so a large book can be tiered partition by partition: ``fit`` once (or
[`PopulationPolicy.fit_counts`][accountcare.policies.tiers.tiering.PopulationPolicy.fit_counts]
on merged value counts), then ``classify`` each account anywhere.

>>> from accountcare.policies.tiers.abc import AbcPolicy
>>> policy = AbcPolicy()
>>> cutoffs = policy.fit({"acme": 800, "globex": 150, "initech": 50})
>>> policy.classify(cutoffs, "globex", 150).tier
'B'
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Protocol, runtime_checkable

from accountcare.domain.tiers import TierAssignment, TierCutoffs
from accountcare.policies.tiers._population import (
    Rule,
    Tiering,
    check_labels,
    classify_value,
    fit_counts,
    rank_population,
)
from accountcare.policies.tiers.values import Number

__all__ = ["Number", "PopulationPolicy", "TierPolicy", "Tiering", "check_labels"]


@runtime_checkable
class TierPolicy(Protocol):
    """Anything that tiers a population: ``tiers`` best first, a ``name``, ``assign``."""

    @property
    def name(self) -> str: ...

    @property
    def tiers(self) -> tuple[str, ...]: ...

    def assign(self, values: Mapping[str, Number]) -> Mapping[str, TierAssignment]: ...


class PopulationPolicy(abc.ABC):
    """Base of the policies defined by a rule over a ranked population.

    A subclass (a frozen attrs class with ``slots=False``) declares its parameters and
    ``_define()``, the rule they make, checked when the policy is made; everything else
    follows from that one rule, so ``assign`` and ``classify`` after ``fit`` can never
    disagree on a tier.
    """

    #: True when tiers depend only on shares, so scaling every value keeps every tier.
    scale_invariant: bool = True

    def __attrs_post_init__(self) -> None:
        _ = self._rule  # check the parameters now, not at first use

    @abc.abstractmethod
    def _define(self) -> Rule:
        """The rule the policy's parameters make (ConfigurationError when they are bad)."""

    @cached_property
    def _rule(self) -> Rule:
        return self._define()

    @property
    def name(self) -> str:
        return self._rule.name

    @property
    def tiers(self) -> tuple[str, ...]:
        """Tier labels, best first."""
        return self._rule.tiers

    def assign(self, values: Mapping[str, Number]) -> Tiering:
        """Tier every account of ``values`` (id -> int, float or Decimal)."""
        return rank_population(self._rule, values)

    def fit(self, values: Mapping[str, Number]) -> TierCutoffs:
        """The cut-offs this population yields (small, serialisable)."""
        return rank_population(self._rule, values).cutoffs

    def fit_counts(self, counts: Mapping[Any, int]) -> TierCutoffs:
        """The cut-offs from value counts (value -> accounts holding it), which merge
        across partitions by addition; equal to ``fit`` on the same population."""
        return fit_counts(self._rule, counts)

    def classify(self, cutoffs: TierCutoffs, account_id: str, value: Number) -> TierAssignment:
        """One account against fitted cut-offs. Its reason carries the value, the cut-off
        met and the population; ``share_before`` and ``rank`` need the whole population
        and are left empty (``assign`` fills them in)."""
        return classify_value(self._rule, cutoffs, account_id, value)

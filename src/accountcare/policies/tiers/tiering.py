"""What every tier policy offers, and the shared face of the population policies.

A tier policy maps account ids to numbers and returns one :class:`TierAssignment` per
account, each with its reason. A *population* policy (ABC, rank bands, 20/60/20, value
labels) also splits ``assign`` into ``fit`` (population -> small :class:`TierCutoffs`)
and ``classify`` (one value -> assignment), so a large book can be tiered partition by
partition: ``fit`` once (or :meth:`PopulationPolicy.fit_counts` on merged value counts),
then ``classify`` each account anywhere.

>>> from accountcare.policies.tiers.abc import AbcPolicy
>>> policy = AbcPolicy()
>>> cutoffs = policy.fit({"acme": 800, "globex": 150, "initech": 50})
>>> policy.classify(cutoffs, "globex", 150).tier
'B'
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from accountcare.domain.tiers import TierAssignment, TierCutoffs
from accountcare.policies.tiers._population import (
    Number,
    Rule,
    Tiering,
    classify_value,
    fit_counts,
    rank_population,
)

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
    """Mixin for policies defined by a :class:`Rule` over a ranked population.

    Subclasses provide ``_rule()``; everything else follows from it, so ``assign`` and
    ``classify`` after ``fit`` can never disagree on a tier.
    """

    #: True when tiers depend only on shares, so scaling every value keeps every tier.
    scale_invariant: bool = True

    @abc.abstractmethod
    def _rule(self) -> Rule:
        """The rule that defines the policy (built once and cached by each subclass)."""

    @property
    def name(self) -> str:
        return self._rule().name

    @property
    def tiers(self) -> tuple[str, ...]:
        """Tier labels, best first."""
        return self._rule().tiers

    def assign(self, values: Mapping[str, Number]) -> Tiering:
        """Tier every account of ``values`` (id -> int, float or Decimal)."""
        return rank_population(self._rule(), values)

    def fit(self, values: Mapping[str, Number]) -> TierCutoffs:
        """The cut-offs this population yields (small, serialisable)."""
        return rank_population(self._rule(), values).cutoffs

    def fit_counts(self, counts: Mapping[Any, int]) -> TierCutoffs:
        """The cut-offs from value counts (value -> accounts holding it), which merge
        across partitions by addition; equal to ``fit`` on the same population."""
        return fit_counts(self._rule(), counts)

    def classify(self, cutoffs: TierCutoffs, account_id: str, value: Number) -> TierAssignment:
        """One account against fitted cut-offs. Its reason carries the value, the cut-off
        met and the population; ``share_before`` and ``rank`` need the whole population
        and are left empty (``assign`` fills them in)."""
        return classify_value(self._rule(), cutoffs, account_id, value)


def check_labels(policy: str, labels: tuple[str, ...], count: int) -> tuple[str, ...]:
    """``labels`` if they are ``count`` distinct non-empty strings, else ConfigurationError."""
    from accountcare.errors import ConfigurationError

    labels = tuple(labels)
    ok = len(labels) == count and len(set(labels)) == count
    if not ok or not all(isinstance(t, str) and t.strip() for t in labels):
        raise ConfigurationError(f"{policy}: needs {count} distinct tier labels, got {labels}")
    return labels

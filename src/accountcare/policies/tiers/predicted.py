"""Tiers on predicted value: who the big customers will be, not who they were.

A purchase model and a spend model together predict each account's customer lifetime
value (CLV), the discounted value of the purchases it is expected to make. Tiering those
values instead of last year's sales puts an account that is still growing above one that
has stopped buying. The tiers come from a population policy (ABC by default: A makes the
first 80% of the predicted value) run over the CLV values, so they keep every law of that
policy: ties share a tier, more value never means a lower tier, ``fit`` then ``classify``
agrees with ``assign``, and a share-based policy is scale invariant.

>>> policy = PredictedValueTiers()
>>> tiers = policy.assign({"acme": 812.5, "globex": 150.0, "initech": 37.5})
>>> [tiers[k].tier for k in ("acme", "globex", "initech")]
['A', 'B', 'C']
>>> tiers["globex"].reason.rule
'predicted lifetime value: the accounts ranked above it hold less than 95% of the value'
>>> tiers["globex"].policy
'predicted_abc'
"""

from __future__ import annotations

import attrs

from accountcare.errors import ConfigurationError
from accountcare.policies.tiers._population import Rule
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.tiering import PopulationPolicy

__all__ = ["PREDICTED_PREFIX", "PredictedValueTiers"]

PREDICTED_PREFIX = "predicted_"
"""What the name of a tiering on predicted value starts with (``predicted_abc``)."""


def _population_policy(
    instance: object, attribute: attrs.Attribute[PopulationPolicy], value: object
) -> None:
    if not isinstance(value, PopulationPolicy) or isinstance(value, PredictedValueTiers):
        raise ConfigurationError(
            "PredictedValueTiers: base must be a population policy (AbcPolicy, "
            f"RankBandPolicy, ProfitabilityPolicy, ValueLabelPolicy), got {value!r}"
        )


@attrs.frozen(slots=False)
class PredictedValueTiers(PopulationPolicy):
    """The tiers of ``base`` (default [`AbcPolicy`][accountcare.policies.tiers.abc.AbcPolicy])
    over predicted customer lifetime values (account id -> CLV).

    The tiers, cut-offs and laws are the base policy's; the name gains the prefix
    ``predicted_`` (so stored tiers on predicted value never mix with tiers on sales)
    and each reason says it ranks predicted lifetime value.

    >>> from accountcare.policies.tiers.rank_bands import RankBandPolicy
    >>> bands = PredictedValueTiers(RankBandPolicy())
    >>> bands.name, bands.tiers
    ('predicted_rank_bands', ('A', 'B', 'C'))
    >>> cutoffs = bands.fit({f"c{i}": float(i) for i in range(40)})
    >>> bands.classify(cutoffs, "c39", 39.0).tier
    'A'
    """

    base: PopulationPolicy = attrs.field(factory=AbcPolicy, validator=_population_policy)

    def __attrs_post_init__(self) -> None:
        # Share-based bases are scale invariant, absolute thresholds are not.
        object.__setattr__(self, "scale_invariant", self.base.scale_invariant)
        super().__attrs_post_init__()

    def _define(self) -> Rule:
        """The base policy's rule, renamed, with reasons that name predicted value."""
        rule = self.base._rule
        return attrs.evolve(
            rule,
            name=PREDICTED_PREFIX + rule.name,
            texts=tuple(f"predicted lifetime value: {text}" for text in rule.texts),
        )

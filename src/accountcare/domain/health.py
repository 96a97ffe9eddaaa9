"""Relationship health: a 0-100 score per account, its components and the reasons.

Each component is a number in [0, 1] (1 is healthy); the score is the weighted mean of
the components times 100, so raising any component never lowers the score.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from accountcare.domain import _validate as v
from accountcare.errors import ConfigurationError

__all__ = ["COMPONENTS", "HealthComponents", "HealthScore", "HealthWeights"]

COMPONENTS = ("coverage", "recency", "adherence", "complaints", "outcomes", "tier")


def _unit(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    v.finite_number(instance, attribute, value)
    if not 0 <= value <= 1:
        raise v.fail(instance, attribute, f"must be between 0 and 1, got {value}")


@attrs.frozen
class HealthComponents:
    """The six components, each in [0, 1]: layer coverage against the tier's requirements,
    recency of touch per layer against the cadence, visit-plan adherence, open complaints
    and their age (1: none), outcome of recent interactions, and the tier's own weight."""

    coverage: float = attrs.field(validator=_unit)
    recency: float = attrs.field(validator=_unit)
    adherence: float = attrs.field(validator=_unit)
    complaints: float = attrs.field(validator=_unit)
    outcomes: float = attrs.field(validator=_unit)
    tier: float = attrs.field(validator=_unit)


def _weight(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"health weight {attribute.name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ConfigurationError(
            f"health weight {attribute.name} must be finite and not negative, got {value}"
        )


@attrs.frozen
class HealthWeights:
    """How much each component counts. Defaults: relationships first (coverage and recency
    0.25 each), then complaints 0.2, visit plan adherence 0.15, outcomes 0.1, tier 0.05.

    >>> HealthWeights(coverage=0, recency=0, adherence=0, complaints=0, outcomes=0, tier=0)
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: health weights must not all be zero
    """

    coverage: float = attrs.field(default=0.25, validator=_weight)
    recency: float = attrs.field(default=0.25, validator=_weight)
    adherence: float = attrs.field(default=0.15, validator=_weight)
    complaints: float = attrs.field(default=0.2, validator=_weight)
    outcomes: float = attrs.field(default=0.1, validator=_weight)
    tier: float = attrs.field(default=0.05, validator=_weight)

    def __attrs_post_init__(self) -> None:
        if self.total <= 0:
            raise ConfigurationError("health weights must not all be zero")

    @property
    def total(self) -> float:
        return float(sum(getattr(self, name) for name in COMPONENTS))


@attrs.frozen
class HealthScore:
    """An account's health: the score (0-100, one decimal), the components and weights
    that made it, and one reason per component in words."""

    account_id: str = attrs.field(validator=v.an_id)
    score: float = attrs.field(validator=[v.finite_number, v.between(0, 100)])
    components: HealthComponents = attrs.field(validator=v.typed(HealthComponents))
    weights: HealthWeights = attrs.field(validator=v.typed(HealthWeights))
    reasons: tuple[str, ...] = attrs.field(converter=v.as_tuple, validator=v.each(v.a_text))

    def _repr_html_(self) -> str:
        """The score as a table in Jupyter: each component, its weight (as its share of
        the score, a percentage) and its reason."""
        from accountcare.domain._html import html_table

        reasons = dict(enumerate(self.reasons))
        total = self.weights.total
        rows = [
            (
                name,
                getattr(self.components, name),
                getattr(self.weights, name) / total,
                reasons.get(i),
            )
            for i, name in enumerate(COMPONENTS)
        ]
        caption = f"Health of {self.account_id}: {self.score:.1f} / 100"
        return html_table(
            ("component", "value", "weight", "reason"), rows, caption=caption, shares={"weight"}
        )

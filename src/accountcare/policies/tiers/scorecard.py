"""Weighted scorecard rating, as practitioners rate a customer: each account is scored
0-100 on four criteria, purchase history, contribution (margin), cooperation years and
future potential. The weighted mean of the scores is the
account's score; the rating is the first band whose floor it reaches. Weights are the
user's; they must be non-negative with a positive sum, and are normalised.

>>> card = Scorecard()
>>> r = card.rate("acme", purchase_history=90, contribution=80, cooperation_years=60,
...               potential=70)
>>> r.score, r.rating
(77.0, 'B')
>>> card.assign({"acme": 85.0, "globex": 40})["acme"].tier
'A'
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs

from accountcare.domain.accounts import Account, CompanySize
from accountcare.domain.metrics import AccountMetrics
from accountcare.domain.tiers import ScorecardRating, TierAssignment, TierReason
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.tiers.values import Number, check_number

__all__ = [
    "POTENTIAL_BY_SIZE",
    "SCORECARD_BANDS",
    "SCORECARD_CRITERIA",
    "SCORECARD_WEIGHTS",
    "Scorecard",
    "criterion_scores",
    "potential_from_clv",
]

# The four criteria practitioners rate a customer on, and equal-ish default weights
# (history and contribution weigh most: the volume of business with us, not size).
SCORECARD_CRITERIA: tuple[str, ...] = (
    "purchase_history",
    "contribution",
    "cooperation_years",
    "potential",
)
SCORECARD_WEIGHTS: tuple[float, ...] = (0.3, 0.3, 0.2, 0.2)
"""Weights of purchase history, contribution, cooperation years and potential."""
# Rating bands on the 0-100 score: 80 and above A, 60 and above B, the rest C.
SCORECARD_BANDS: tuple[tuple[str, float], ...] = (("A", 80.0), ("B", 60.0), ("C", 0.0))
"""Scorecard ratings: A from 80 points, B from 60, else C."""


def _weights(
    policy: Scorecard, attribute: attrs.Attribute[tuple[float, ...]], value: object
) -> None:
    if not isinstance(value, tuple) or len(value) != len(SCORECARD_CRITERIA):
        raise ConfigurationError(
            f"Scorecard: needs {len(SCORECARD_CRITERIA)} weights, got {value!r}"
        )
    for w in value:
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise ConfigurationError(f"Scorecard: weights must be finite and >= 0, got {w!r}")
    if sum(value) <= 0:
        raise ConfigurationError("Scorecard: the weights must not all be zero")


def _bands(policy: Scorecard, attribute: attrs.Attribute[Any], value: Any) -> None:
    floors = [f for _, f in value] if isinstance(value, tuple) else []
    labels = [t for t, _ in value] if isinstance(value, tuple) else []
    ok = (
        len(floors) >= 2
        and floors == sorted(floors, reverse=True)
        and len(set(floors)) == len(floors)
    )
    if not ok or floors[-1] != 0 or len(set(labels)) != len(labels):
        raise ConfigurationError(
            f"Scorecard: bands need distinct labels and floors decreasing to 0, got {value!r}"
        )


def _as_bands(values: Any) -> tuple[tuple[str, float], ...]:
    return tuple((str(t), float(f)) for t, f in values)


def _score(account_id: str, field: str, value: object) -> float:
    """``value`` as a float if it is a number from 0 to 100, else InvalidRecord."""
    score = float(check_number(account_id, value))
    if not 0 <= score <= 100:
        problem = f"must be a score from 0 to 100, got {score}"
        raise InvalidRecord(f"account {account_id!r}", field, problem)
    return score


@attrs.frozen
class Scorecard:
    """Weighted scorecard; ``weights`` follow `SCORECARD_CRITERIA`."""

    weights: tuple[float, ...] = attrs.field(
        default=SCORECARD_WEIGHTS, converter=tuple, validator=_weights
    )
    bands: tuple[tuple[str, float], ...] = attrs.field(
        default=SCORECARD_BANDS,
        converter=_as_bands,
        validator=_bands,
    )
    name: str = "scorecard"
    scale_invariant = False

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.bands)

    def rate(self, account_id: str, **scores: Number) -> ScorecardRating:
        """Rate one account from its four criterion scores (each 0-100)."""
        unknown = set(scores) - set(SCORECARD_CRITERIA)
        missing = set(SCORECARD_CRITERIA) - set(scores)
        if unknown or missing:
            field = sorted(unknown or missing)[0]
            raise InvalidRecord(
                f"account {account_id!r}",
                field,
                "is not one of the four criteria" if unknown else "is missing",
            )
        pairs = tuple((c, _score(account_id, c, scores[c])) for c in SCORECARD_CRITERIA)
        weighted = sum(w * score for w, (_, score) in zip(self.weights, pairs, strict=True))
        final = round(min(100.0, max(0.0, weighted / sum(self.weights))), 6)
        return ScorecardRating(account_id, pairs, final, self._band(final)[0])

    def _band(self, score: float) -> tuple[str, float]:
        for label, floor in self.bands:
            if score >= floor:
                return label, floor
        return self.bands[-1]

    def assign(self, values: Mapping[str, Number]) -> dict[str, TierAssignment]:
        """Rate accounts from scores already weighted (0-100), e.g.
        [`rate`][accountcare.policies.tiers.scorecard.Scorecard.rate]'s score."""
        out = {}
        for account_id in sorted(values):
            score = _score(account_id, "value", values[account_id])
            label, floor = self._band(score)
            reason = TierReason(
                value=score, rule=f"weighted score of at least {floor:g}", cutoff=floor
            )
            out[account_id] = TierAssignment(account_id, label, self.name, reason)
        return out


#: Potential (0-100) by company size; a strategic account has full potential, an account
#: of unknown size half.
POTENTIAL_BY_SIZE: Mapping[CompanySize, float] = MappingProxyType(
    {
        CompanySize.MICRO: 20.0,
        CompanySize.SMALL: 40.0,
        CompanySize.MEDIUM: 60.0,
        CompanySize.LARGE: 80.0,
        CompanySize.ENTERPRISE: 100.0,
    }
)


def _percentiles(values: Mapping[str, Decimal]) -> dict[str, float]:
    """Mid-rank percentile (0-100) of each positive value among all values; 0 for the rest."""
    ordered = sorted(values.values())
    n = len(ordered)
    out = {}
    for account_id, value in values.items():
        if value <= 0:
            out[account_id] = 0.0
            continue
        below = bisect_left(ordered, value)
        equal = bisect_right(ordered, value) - below
        out[account_id] = 100.0 if n == 1 else round(100 * (below + (equal - 1) / 2) / (n - 1), 6)
    return out


def potential_from_clv(clv: Mapping[str, Number]) -> dict[str, float]:
    """Potential scores (0-100) from predicted customer lifetime values: the mid-rank
    percentile of each account's CLV among all of them, the way purchase history scores
    revenue (no predicted value scores 0). Pass the result as ``potential`` to
    [`criterion_scores`][accountcare.policies.tiers.scorecard.criterion_scores].

    >>> potential_from_clv({"acme": 900.0, "globex": 120.0, "initech": 0.0})
    {'acme': 100.0, 'globex': 50.0, 'initech': 0.0}
    """
    # Decimal(x) is exact for a float too, so the ranks are the values' own.
    return _percentiles({a: Decimal(check_number(a, value)) for a, value in clv.items()})


def criterion_scores(
    metrics: Mapping[str, AccountMetrics],
    accounts: Iterable[Account] = (),
    *,
    potential: Mapping[str, Number] | None = None,
) -> dict[str, dict[str, float]]:
    """The four scorecard criteria (0-100) of each account, from its metrics.

    Purchase history is the percentile of the account's revenue, contribution the
    percentile of its margin (nothing bought, or a loss, scores 0); cooperation years
    score 10 a year up to 10 years; potential comes from `POTENTIAL_BY_SIZE`
    (strategic accounts 100, unknown size 50). With ``potential`` (account id -> a
    score from 0 to 100, such as
    [`potential_from_clv`][accountcare.policies.tiers.scorecard.potential_from_clv]
    gives), an account's potential is its score there; accounts it does not name keep
    the potential of their size.

    >>> from datetime import date
    >>> from accountcare.domain.periods import Period
    >>> year = Period(date(2026, 1, 1), date(2027, 1, 1))
    >>> figures = {a: AccountMetrics(a, year, date(2027, 1, 1), revenue=Decimal(r))
    ...            for a, r in (("acme", 900), ("globex", 100))}
    >>> criterion_scores(figures)["acme"]
    {'purchase_history': 100.0, 'contribution': 0.0, 'cooperation_years': 0.0, 'potential': 50.0}
    >>> criterion_scores(figures, potential={"acme": 85.0})["acme"]["potential"]
    85.0
    """
    by_id = {a.id: a for a in accounts}
    history = _percentiles({a: m.revenue for a, m in metrics.items()})
    contribution = _percentiles({a: m.margin for a, m in metrics.items()})
    out = {}
    for account_id, figures in metrics.items():
        account = by_id.get(account_id)
        if potential is not None and account_id in potential:
            potential_score = _score(account_id, "potential", potential[account_id])
        elif account is not None and account.strategic:
            potential_score = 100.0
        elif account is not None and account.size is not None:
            potential_score = POTENTIAL_BY_SIZE[account.size]
        else:
            potential_score = 50.0
        out[account_id] = {
            "purchase_history": history[account_id],
            "contribution": contribution[account_id],
            "cooperation_years": min(10.0, figures.cooperation_years) * 10,
            "potential": potential_score,
        }
    return out

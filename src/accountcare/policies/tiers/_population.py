"""Shared machinery of the population policies: clean the values, rank them, find the
tier boundaries exactly, and hand out assignments lazily.

Every population policy ranks accounts by value (descending, ties by account id), groups
equal values, and cuts the ranking into tiers at group boundaries only, so a tie group
never straddles a cut-off. A cut-off is met by the share of the population held by the
accounts ranked above the group ("share before"): the share of value (ABC) or of
accounts (rank bands, 20/60/20).

Exactness: comparisons are made in exact rational arithmetic. Ints and Decimals are
scaled to integers by their common denominator; floats are summed as floats and any
comparison that falls within the proven rounding error of a cut-off is redone exactly
(a float is the dyadic rational it stores). Cut-offs are read as the decimal numbers they
print as (0.8 is 4/5). So multiplying every value by the same positive factor never
changes a tier when the products are exact (any factor for ints and Decimals with enough
precision, a power of two for floats).
"""

from __future__ import annotations

import math
import operator
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import partial
from itertools import accumulate, chain, islice, pairwise, repeat
from typing import Any, Literal

from accountcare.domain._html import html_table
from accountcare.domain.tiers import TierAssignment, TierCutoffs, TierReason
from accountcare.errors import ConfigurationError, InvalidRecord

__all__ = [
    "Number",
    "Rule",
    "Tiering",
    "check_number",
    "classify_value",
    "exact_limits",
    "fit_counts",
    "rank_population",
]

Number = int | float | Decimal
Basis = Literal["value", "count"]
_U = 2.0**-53  # unit round-off of a float


def _bad(account_id: object, field: str, problem: str) -> InvalidRecord:
    return InvalidRecord(f"account {account_id!r}", field, problem)


def check_number(account_id: object, value: object) -> Number:
    """The value if it is a finite int, float or Decimal (not a bool), else InvalidRecord."""
    if not isinstance(account_id, str) or not account_id.strip():
        raise _bad(account_id, "account_id", "must be a non-empty string")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        kind = "a bool" if isinstance(value, bool) else type(value).__name__
        raise _bad(account_id, "value", f"must be an int, float or Decimal, got {kind}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _bad(account_id, "value", f"must be finite, got {value}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise _bad(account_id, "value", f"must be finite, got {value}")
    return value


def exact_limits(name: str, limits: Sequence[float]) -> tuple[Fraction, ...]:
    """Cut-off shares as exact fractions, checked: increasing, each in (0, 1]."""
    fractions = []
    for limit in limits:
        if isinstance(limit, bool) or not isinstance(limit, int | float | Decimal):
            raise ConfigurationError(f"{name}: cut-offs must be numbers, got {limit!r}")
        if not 0 < limit <= 1:
            raise ConfigurationError(f"{name}: each cut-off must be in (0, 1], got {limit}")
        fractions.append(
            Fraction(repr(float(limit))) if isinstance(limit, float) else Fraction(limit)
        )
    if any(b <= a for a, b in pairwise(fractions)):
        raise ConfigurationError(f"{name}: cut-offs must increase, got {tuple(limits)}")
    return tuple(fractions)


class Rule:
    """How a population policy cuts a ranking (built once per policy)."""

    __slots__ = ("basis", "clamp", "limits", "minimums", "name", "shares", "texts", "tiers")

    def __init__(
        self,
        name: str,
        tiers: tuple[str, ...],
        *,
        basis: Basis,
        shares: tuple[Fraction, ...] | None,
        minimums: tuple[tuple[Number, bool], ...],
        clamp: bool,
        limits: tuple[float, ...],
        texts: tuple[str, ...],
    ) -> None:
        self.name, self.tiers, self.basis, self.shares = name, tiers, basis, shares
        self.minimums, self.clamp, self.limits, self.texts = minimums, clamp, limits, texts


def _clean(values: Mapping[str, Any], clamp: bool) -> tuple[list[str], list[Any], bool]:
    """Ids, values (negatives as zero when ``clamp``) and whether they are all floats."""
    ids = list(values)
    vals = list(values.values())
    if set(map(type, ids)) - {str} or "" in values or any(map(str.isspace, ids)):
        for key in ids:
            check_number(key, 0)
    kinds = set(map(type, vals))
    floats = kinds <= {float}
    if floats:
        total = sum(vals)
        if not math.isfinite(total):
            for key, value in zip(ids, vals, strict=True):
                check_number(key, value)
            floats = False  # finite values whose float sum overflows: go exact
    else:
        for key, value in zip(ids, vals, strict=True):
            check_number(key, value)
    if clamp and vals and min(vals) < 0:
        zero = 0.0 if floats else 0
        vals = [x if x > 0 else zero for x in vals]
    return ids, vals, floats


def _scaled(numbers: Sequence[Number]) -> list[int]:
    """Exact integers proportional to ``numbers`` (one common denominator)."""
    ratios = [x.as_integer_ratio() for x in numbers]
    denominator = math.lcm(*{d for _, d in ratios}) if ratios else 1
    return [n * (denominator // d) for n, d in ratios]


def _exact_total(numbers: Sequence[Number], counts: Sequence[int] | None = None) -> float:
    """The exact sum of ``numbers`` (times ``counts``), rounded once to a float."""
    total = sum(
        (Fraction(x) * (counts[i] if counts else 1) for i, x in enumerate(numbers)), Fraction(0)
    )
    try:
        return float(total)
    except OverflowError:  # the total is informational; the tiers were decided exactly
        return sys.float_info.max


def rank_population(rule: Rule, values: Mapping[str, Any]) -> Tiering:
    """Rank ``values`` and cut the ranking into ``rule``'s tiers."""
    ids, vals, floats = _clean(values, rule.clamp)
    n = len(ids)
    # Python compares ints, floats and Decimals exactly, so these sorts are exact; equal
    # values are then put in id order (a stable sort keeps input order among them).
    # ``next`` on an iterator over the values is the key of each id in turn: no lookups.
    ranked = sorted(ids, key=partial(next, iter(vals)), reverse=True)
    ordered = sorted(vals, reverse=True)
    sorted_keys: list[Any] = ordered if floats else _scaled(ordered)
    starts: Sequence[int] = range(n + 1)
    if any(map(operator.eq, sorted_keys, islice(sorted_keys, 1, None))):
        ties = list(map(operator.eq, sorted_keys, islice(sorted_keys, 1, None)))
        starts = [0, *(i + 1 for i, tie in enumerate(ties) if not tie), n]
        for a, b in pairwise(starts):
            if b - a > 1:
                ranked[a:b] = sorted(ranked[a:b])
    before = list(accumulate(sorted_keys, initial=0.0 if floats else 0))
    if isinstance(starts, range):
        group_values, group_before = ordered, before
    else:
        group_values = [ordered[i] for i in starts[:-1]]
        group_before = [before[i] for i in starts]

    def exact() -> list[int]:
        prefix = list(accumulate(_scaled(ordered), initial=0))
        return [prefix[i] for i in starts]

    bounds = _boundaries(rule, group_values, starts, group_before, floats, exact)
    floors = tuple(Decimal(group_values[k - 1]) if k > 0 else None for k in bounds)
    total = math.fsum(ordered) if floats else _exact_total(ordered)
    cutoffs = TierCutoffs(rule.name, rule.tiers, floors, rule.limits, n, total)
    positions = [starts[k] for k in bounds]
    return Tiering(rule, ranked, ordered, starts, before, positions, cutoffs)


def fit_counts(rule: Rule, counts: Mapping[Any, int]) -> TierCutoffs:
    """Cut-offs from value counts (value -> number of accounts holding it).

    Counts from several partitions merge by adding them (``collections.Counter``), so a
    distributed engine fits from one small summary per partition. Exact arithmetic.
    """
    merged: dict[Any, int] = {}
    for value, count in counts.items():
        number = check_number("(value count)", value)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise _bad("(value count)", "count", f"must be a non-negative int, got {count!r}")
        if rule.clamp and number < 0:
            number = 0
        if count:
            merged[number] = merged.get(number, 0) + count
    group_values = sorted(merged, reverse=True)
    sizes = [merged[v] for v in group_values]
    starts = list(accumulate(sizes, initial=0))
    weights = [w * c for w, c in zip(_scaled(group_values), sizes, strict=True)]
    group_before = list(accumulate(weights, initial=0))
    bounds = _boundaries(rule, group_values, starts, group_before, False, lambda: group_before)
    floors = tuple(Decimal(group_values[k - 1]) if k > 0 else None for k in bounds)
    total = _exact_total(group_values, sizes)
    return TierCutoffs(rule.name, rule.tiers, floors, rule.limits, starts[-1], total)


def _boundaries(
    rule: Rule,
    group_values: Sequence[Any],
    starts: Sequence[int],
    before: Sequence[Any],
    floats: bool,
    exact: Callable[[], list[int]],
) -> list[int]:
    """For each tier but the last, the first group (index) that falls below it."""
    groups = len(starts) - 1
    span = range(groups + 1)
    bounds: list[int] = []
    for i in range(len(rule.tiers) - 1):
        k = groups
        if rule.shares is not None:
            k = _share_boundary(rule.basis, rule.shares[i], starts, before, floats, exact)
        bound, inclusive = rule.minimums[i]
        below = operator.lt if inclusive else operator.le

        def fails(g: int, bound: Any = bound, below: Callable[..., bool] = below) -> bool:
            return g >= groups or bool(below(group_values[g], bound))

        k = min(k, bisect_left(span, True, key=fails))
        bounds.append(max(k, bounds[-1]) if bounds else k)
    return bounds


def _share_boundary(
    basis: Basis,
    share: Fraction,
    starts: Sequence[int],
    before: Sequence[Any],
    floats: bool,
    exact: Callable[[], list[int]],
) -> int:
    """The first group whose share before meets ``share``, decided exactly."""
    num, den = share.numerator, share.denominator
    groups = len(starts) - 1
    span = range(groups + 1)
    n = starts[-1]
    if basis == "count":
        return bisect_left(span, True, key=lambda g: starts[g] * den >= num * n)
    total = before[-1]
    if not floats:
        return bisect_left(span, True, key=lambda g: before[g] * den >= num * total)
    target = float(share) * total
    k = bisect_left(span, True, key=lambda g: before[g] >= target)
    # Recursive float summation of n non-negative terms errs by at most n*u*total; a
    # comparison closer than that to the cut-off is redone in exact arithmetic.
    margin = total * (2 * n + 8) * _U
    near = (k > 0 and before[k - 1] >= target - margin) or (
        k <= groups and before[k] < target + margin
    )
    if not near:
        return k
    sums = exact()
    return bisect_left(span, True, key=lambda g: sums[g] * den >= num * sums[-1])


def _build(cls: type[Any], fields: dict[str, Any]) -> Any:
    """An attrs value from figures the policy itself produced (already valid)."""
    value = object.__new__(cls)
    for name, item in fields.items():
        object.__setattr__(value, name, item)
    return value


class Tiering(Mapping[str, TierAssignment]):
    """The assignments of one population, built on demand from compact arrays.

    A read-only mapping of account id to :class:`TierAssignment`, iterated best first
    (by rank, ties by id). ``labels()`` gives plain tiers without building assignments;
    ``cutoffs`` is what :meth:`fit` returns for the same population.
    """

    __slots__ = (
        "_before",
        "_bounds",
        "_index",
        "_ordered",
        "_ranked",
        "_rule",
        "_starts",
        "cutoffs",
    )

    def __init__(
        self,
        rule: Rule,
        ranked: list[str],
        ordered: list[Any],
        starts: Sequence[int],
        before: list[Any],
        bounds: list[int],
        cutoffs: TierCutoffs,
    ) -> None:
        self._rule, self._ranked, self._ordered = rule, ranked, ordered
        self._starts, self._before, self._bounds = starts, before, bounds
        self._index: dict[str, int] | None = None  # built on the first lookup
        self.cutoffs = cutoffs

    @property
    def _positions(self) -> dict[str, int]:
        if self._index is None:
            self._index = dict(zip(self._ranked, range(len(self._ranked)), strict=True))
        return self._index

    def __len__(self) -> int:
        return len(self._ranked)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ranked)

    def __contains__(self, key: object) -> bool:
        return key in self._positions

    def __repr__(self) -> str:
        return f"<Tiering {self._rule.name}: {self.counts()}>"

    def _repr_html_(self) -> str:
        """The ranking as a table in Jupyter, best first; only the rows shown are built."""
        counts = ", ".join(f"{tier} {n:,}" for tier, n in self.counts().items())

        def rows() -> Iterator[tuple[object, ...]]:
            for key in self:
                got = self[key]
                why = got.reason
                yield why.rank, key, got.tier, why.value, why.share_before, why.rule

        return html_table(
            ("rank", "account", "tier", "value", "share before", "rule"),
            rows(),
            caption=f"{self._rule.name} tiers of {len(self):,} accounts: {counts}",
            total=len(self),
        )

    def tier_of(self, account_id: str) -> str:
        """The tier label of ``account_id`` (KeyError when it was not tiered)."""
        return self._rule.tiers[bisect_right(self._bounds, self._positions[account_id])]

    def labels(self) -> dict[str, str]:
        """Account id to tier label, best first, without building assignments."""
        counts = self.counts()
        tiers = chain.from_iterable(repeat(t, counts[t]) for t in self._rule.tiers)
        return dict(zip(self._ranked, tiers, strict=True))

    def counts(self) -> dict[str, int]:
        """How many accounts each tier holds, best tier first."""
        edges = [0, *self._bounds, len(self._ranked)]
        return {t: edges[i + 1] - edges[i] for i, t in enumerate(self._rule.tiers)}

    def __getitem__(self, account_id: str) -> TierAssignment:
        position = self._positions[account_id]
        starts = self._starts
        group = (
            position if isinstance(starts, range) else starts[bisect_right(starts, position) - 1]
        )
        rule = self._rule
        tier = bisect_right(self._bounds, position)
        n = len(self._ranked)
        if rule.basis == "count":
            share = group / n
        else:
            total = self._before[-1]
            share = float(self._before[group] / total) if total else 0.0
        reason = _build(
            TierReason,
            {
                "value": float(self._ordered[position]),
                "rule": rule.texts[tier],
                "share_before": share,
                "rank": group + 1,
                "population": n,
                "cutoff": rule.limits[tier] if tier < len(rule.limits) else None,
            },
        )
        fields = {"account_id": account_id, "tier": rule.tiers[tier], "policy": rule.name}
        return _build(TierAssignment, {**fields, "reason": reason})  # type: ignore[no-any-return]


def classify_value(
    rule: Rule, cutoffs: TierCutoffs, account_id: str, value: object
) -> TierAssignment:
    """One value against fitted cut-offs: the first tier whose floor it reaches."""
    if cutoffs.policy != rule.name or cutoffs.tiers != rule.tiers:
        raise ConfigurationError(
            f"cut-offs fitted by {cutoffs.policy!r} {cutoffs.tiers} cannot classify for "
            f"{rule.name!r} {rule.tiers}"
        )
    number = check_number(account_id, value)
    if rule.clamp and number < 0:
        number = 0
    tier = len(rule.tiers) - 1
    for i, floor in enumerate(cutoffs.floors):
        if floor is not None and number >= floor:
            tier = i
            break
    reason = TierReason(
        value=float(number),
        rule=rule.texts[tier],
        population=cutoffs.population,
        cutoff=rule.limits[tier] if tier < len(rule.limits) else None,
    )
    return TierAssignment(account_id, rule.tiers[tier], rule.name, reason)

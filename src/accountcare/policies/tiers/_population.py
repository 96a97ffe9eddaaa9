"""Shared machinery of the population policies: the rule a policy declares, and how a
population is ranked, cut into tiers exactly and handed out lazily.

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

import attrs
import numpy as np

from accountcare.domain._html import html_table
from accountcare.domain._trusted import trusted
from accountcare.domain.tiers import TierAssignment, TierCutoffs, TierReason
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.tiers.values import N, Number, check_number, count_negative_as_nothing

Basis = Literal["value", "count"]
#: The least value a tier better than the last needs: the bound, and whether it is enough.
Minimum = tuple[Number, bool]
POSITIVE: Minimum = (0, False)  # nothing bought is never a better tier
NOT_NEGATIVE: Minimum = (0, True)  # no loss
_U = 2.0**-53  # unit round-off of a float
_reason = trusted(TierReason)  # assignments are built from figures the policy computed
_assignment = trusted(TierAssignment)


def exact_limits(name: str, limits: Sequence[float]) -> tuple[Fraction, ...]:
    """Cut-off shares as exact fractions, checked: one or more, increasing, each in (0, 1]."""
    fractions = []
    for limit in limits:
        if isinstance(limit, bool) or not isinstance(limit, int | float | Decimal):
            raise ConfigurationError(f"{name}: cut-offs must be numbers, got {limit!r}")
        if not 0 < limit <= 1:
            raise ConfigurationError(f"{name}: each cut-off must be in (0, 1], got {limit}")
        fractions.append(
            Fraction(repr(float(limit))) if isinstance(limit, float) else Fraction(limit)
        )
    if not fractions:
        raise ConfigurationError(f"{name}: needs at least one cut-off")
    if any(b <= a for a, b in pairwise(fractions)):
        raise ConfigurationError(f"{name}: cut-offs must increase, got {tuple(limits)}")
    return tuple(fractions)


def check_labels(policy: str, labels: Sequence[str], count: int) -> tuple[str, ...]:
    """``labels`` if they are ``count`` distinct non-empty strings, else ConfigurationError."""
    labels = tuple(labels)
    ok = len(labels) == count and len(set(labels)) == count
    if not ok or not all(isinstance(t, str) and t.strip() for t in labels):
        raise ConfigurationError(f"{policy}: needs {count} distinct tier labels, got {labels}")
    return labels


@attrs.frozen
class Rule:
    """How a population policy cuts a ranking (built once per policy).

    ``shares`` are the cut-offs by share before (None: thresholds only), of the value or
    of the accounts by ``basis``; ``minimums`` the least value each tier but the last
    needs; ``limits`` the cut-offs as the policy states them; ``texts`` each tier's rule
    in words. Negative values count as nothing unless ``negatives_count``.
    """

    name: str
    tiers: tuple[str, ...]
    basis: Basis
    shares: tuple[Fraction, ...] | None
    minimums: tuple[Minimum, ...]
    limits: tuple[float, ...]
    texts: tuple[str, ...]
    negatives_count: bool = False

    def counted(self, value: N) -> N:
        """``value`` (a number or a float array) as this rule ranks it."""
        return value if self.negatives_count else count_negative_as_nothing(value)

    def check_fitted(self, cutoffs: TierCutoffs) -> None:
        """ConfigurationError unless ``cutoffs`` were fitted by this rule's policy."""
        if cutoffs.policy != self.name or cutoffs.tiers != self.tiers:
            raise ConfigurationError(
                f"cut-offs fitted by {cutoffs.policy!r} {cutoffs.tiers} cannot classify for "
                f"{self.name!r} {self.tiers}"
            )

    def cutoff(self, tier: int) -> float | None:
        """The cut-off an account of tier index ``tier`` met (None for the last tier)."""
        return self.limits[tier] if tier < len(self.limits) else None


def share_rule(
    policy: object,
    name: str,
    cutoffs: Sequence[float],
    labels: Sequence[str],
    basis: Basis,
    met: tuple[str, ...],
    missed: str,
    *,
    needs: tuple[Minimum, ...] = (POSITIVE,),
    negatives_count: bool = False,
) -> Rule:
    """The rule of ``policy``, which cuts its ranking at the shares ``cutoffs`` into the
    tiers ``labels`` (checked, with ConfigurationErrors naming the policy's class).

    ``met`` words each tier but the last and ``missed`` the last, with ``{}`` for the
    share in per cent; ``needs`` is the least value of each tier but the last. In ``met``
    and ``needs`` the first item serves the best tier and the last one every tier after.
    """
    kind = type(policy).__name__
    shares = exact_limits(kind, cutoffs)
    tiers = check_labels(kind, labels, len(shares) + 1)
    pct = [f"{float(s) * 100:g}%" for s in shares]
    nth = range(len(shares))
    texts = (*(met[min(i, len(met) - 1)].format(pct[i]) for i in nth), missed.format(pct[-1]))
    minimums = tuple(needs[min(i, len(needs) - 1)] for i in nth)
    limits = tuple(float(c) for c in cutoffs)
    return Rule(name, tiers, basis, shares, minimums, limits, texts, negatives_count)


def _clean(values: Mapping[str, Any], rule: Rule) -> tuple[list[str], list[Any], bool]:
    """Ids, values (as ``rule`` counts them) and whether they are all floats."""
    ids = list(values)
    vals = list(values.values())
    if set(map(type, ids)) - {str} or "" in values or any(map(str.isspace, ids)):
        for key in ids:
            check_number(key, 0)
    floats = set(map(type, vals)) <= {float}
    if floats and not math.isfinite(sum(vals)):
        floats = False  # finite values whose float sum overflows go exact; NaNs are named
    if not floats:
        for key, value in zip(ids, vals, strict=True):
            check_number(key, value)
    if not rule.negatives_count and vals and min(vals) < 0:
        counted = count_negative_as_nothing
        vals = counted(np.array(vals)).tolist() if floats else list(map(counted, vals))
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


def _group_starts(keys: list[Any]) -> Sequence[int]:
    """Where each group of equal values starts in ``keys`` (sorted), and ``len(keys)``."""
    ties = list(map(operator.eq, keys, islice(keys, 1, None)))
    if not any(ties):
        return range(len(keys) + 1)
    return [0, *(i + 1 for i, tie in enumerate(ties) if not tie), len(keys)]


def as_mapping(values: Any) -> Mapping[str, Any]:
    """``values`` as a mapping of account id to value: a mapping as it is, a pandas
    Series by its index (the account ids), a one-column pandas frame by its column.
    A Series without an index of ids (polars, pyarrow) or anything else is a
    [`ConfigurationError`][accountcare.errors.ConfigurationError] saying what to pass.

    >>> as_mapping({"acme": 800})
    {'acme': 800}
    >>> as_mapping([800, 150])
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: values must map account ids to numbers (a dict, or a pandas Series indexed by account id), got a list; for a column without ids use vector_tiers(policy, values, ids=...)
    """  # noqa: E501
    if isinstance(values, Mapping):
        return values
    module = type(values).__module__.partition(".")[0]
    if module == "pandas" and hasattr(values, "index"):
        frame_columns = getattr(values, "columns", None)
        if frame_columns is not None:  # a frame: its one column
            if len(frame_columns) != 1:
                raise ConfigurationError(
                    f"values must be one column, got a DataFrame with columns "
                    f"{list(frame_columns)}: pass one of them"
                )
            values = values.iloc[:, 0]
        return dict(zip(values.index.tolist(), values.tolist(), strict=True))
    raise ConfigurationError(
        "values must map account ids to numbers (a dict, or a pandas Series indexed by "
        f"account id), got a {type(values).__name__}; for a column without ids use "
        "vector_tiers(policy, values, ids=...)"
    )


def rank_population(rule: Rule, values: Mapping[str, Any]) -> Tiering:
    """Rank ``values`` and cut the ranking into ``rule``'s tiers."""
    ids, vals, floats = _clean(as_mapping(values), rule)
    # Python compares ints, floats and Decimals exactly, so these sorts are exact; equal
    # values are then put in id order (a stable sort keeps input order among them).
    # ``next`` on an iterator over the values is the key of each id in turn: no lookups.
    ranked = sorted(ids, key=partial(next, iter(vals)), reverse=True)
    ordered = sorted(vals, reverse=True)
    keys: list[Any] = ordered if floats else _scaled(ordered)
    starts = _group_starts(keys)
    before = list(accumulate(keys, initial=0.0 if floats else 0))
    group_values, group_before = ordered, before
    if not isinstance(starts, range):
        for a, b in pairwise(starts):
            if b - a > 1:
                ranked[a:b] = sorted(ranked[a:b])
        group_values = [ordered[i] for i in starts[:-1]]
        group_before = [before[i] for i in starts]

    def exact() -> list[int]:
        prefix = list(accumulate(_scaled(ordered), initial=0))
        return [prefix[i] for i in starts]

    total = math.fsum(ordered) if floats else _exact_total(ordered)
    cutoffs, bounds = cut(rule, group_values, starts, group_before, floats, exact, total)
    return Tiering(rule, ranked, ordered, starts, before, [starts[k] for k in bounds], cutoffs)


def fit_counts(rule: Rule, counts: Mapping[Any, int]) -> TierCutoffs:
    """Cut-offs from value counts (value -> number of accounts holding it).

    Counts from several partitions merge by adding them (``collections.Counter``), so a
    distributed engine fits from one small summary per partition. Exact arithmetic.
    """
    merged: dict[Any, int] = {}
    for value, count in counts.items():
        number = rule.counted(check_number("(value count)", value))
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            problem = f"must be a non-negative int, got {count!r}"
            raise InvalidRecord("account '(value count)'", "count", problem)
        if count:
            merged[number] = merged.get(number, 0) + count
    group_values = sorted(merged, reverse=True)
    sizes = [merged[v] for v in group_values]
    starts = list(accumulate(sizes, initial=0))
    before = list(accumulate(map(operator.mul, _scaled(group_values), sizes), initial=0))
    total = _exact_total(group_values, sizes)
    return cut(rule, group_values, starts, before, False, lambda: before, total)[0]


def cut(
    rule: Rule,
    group_values: Sequence[Any],
    starts: Sequence[int],
    before: Sequence[Any],
    floats: bool,
    exact: Callable[[], list[int]],
    total: float,
) -> tuple[TierCutoffs, list[int]]:
    """The cut-offs of a ranked population, and for each tier but the last the first
    group (index) that falls below it.

    Group ``g`` holds the accounts of value ``group_values[g]`` (best first), ranked from
    ``starts[g]`` on (``starts[-1]`` is the population); ``before[g]`` is the value held
    above it: floats when ``floats`` (then ``exact()`` gives exact integer sums
    proportional to them, for comparisons too close to call), else exact numbers.
    """
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
    floors = tuple(Decimal(group_values[k - 1]) if k > 0 else None for k in bounds)
    population = int(starts[-1])
    return TierCutoffs(rule.name, rule.tiers, floors, rule.limits, population, total), bounds


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


class Tiering(Mapping[str, TierAssignment]):
    """The assignments of one population, built on demand from compact arrays.

    A read-only mapping of account id to
    [`TierAssignment`][accountcare.domain.tiers.TierAssignment], iterated best first (by
    rank, ties by id). ``labels()`` gives plain tiers without building assignments;
    ``cutoffs`` is what
    [`PopulationPolicy.fit`][accountcare.policies.tiers.tiering.PopulationPolicy.fit]
    returns for the same population.
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
        """The ranking as a table in Jupyter, best first; only the rows shown are built.

        Shares before read as percentages; the accounts are their ids (a tiering knows
        no names).
        """
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
            shares={"share before"},
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
        value = float(self._ordered[position])
        why = _reason(value, rule.texts[tier], share, group + 1, n, rule.cutoff(tier))
        return _assignment(account_id, rule.tiers[tier], rule.name, why)


def classify_value(
    rule: Rule, cutoffs: TierCutoffs, account_id: str, value: object
) -> TierAssignment:
    """One value against fitted cut-offs: the first tier whose floor it reaches."""
    rule.check_fitted(cutoffs)
    number = rule.counted(check_number(account_id, value))
    tier = len(rule.tiers) - 1
    for i, floor in enumerate(cutoffs.floors):
        if floor is not None and number >= floor:
            tier = i
            break
    why = _reason(
        float(number), rule.texts[tier], None, None, cutoffs.population, rule.cutoff(tier)
    )
    return _assignment(account_id, rule.tiers[tier], rule.name, why)

"""Law checks for tier policies: run them against the library's policies or your own.

Each check runs Hypothesis over many small populations (ties, zeros, refunds, ints,
floats and Decimals) and raises [`LawViolation`][accountcare.testing.laws.LawViolation]
describing the first, shrunk, counterexample in plain words.
[`check_tier_policy`][accountcare.testing.laws.check_tier_policy] runs every law that
applies.

>>> from accountcare.policies.tiers.abc import AbcPolicy
>>> check_tier_policy(AbcPolicy(), max_examples=20)

The laws every tier policy keeps: total (every account gets exactly one of the policy's
tiers); deterministic; independent of input order; monotone (more value never means a
lower tier, also when one account's value rises); tie-consistent (equal values, equal
tiers); scale invariant for share-based policies (every value times the same factor:
any whole factor for ints and Decimals, a power of two for floats, where products are
exact); fit-then-classify agrees with assign (tier, value, cut-off, population, rule),
and fitting from value counts merged over partitions equals fitting the whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.errors import AccountcareError
from accountcare.testing.strategies import tier_values

#: A population to tier: account id -> value.
Values = dict[str, Any]
#: Where the populations a check tries come from.
Strategy = st.SearchStrategy[Values]
# A law over one drawn population: it raises LawViolation when ``policy`` breaks it.
_Law = Callable[[Any, Values, st.DataObject], None]


class LawViolation(AccountcareError, AssertionError):
    """A tier policy broke a law; the message gives the counterexample."""


def _verify(policy: Any, values: Strategy | None, max_examples: int, law: _Law) -> None:
    """Run ``law`` for ``policy`` on populations drawn from ``values`` (default:
    [`tier_values`][accountcare.testing.strategies.tier_values])."""
    strategy = values if values is not None else tier_values()
    runner = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(given(strategy, st.data())(lambda population, data: law(policy, population, data)))
    runner()


def _tiers_of(policy: Any, values: Mapping[str, Any]) -> dict[str, str]:
    return {k: a.tier for k, a in policy.assign(values).items()}


def _name(policy: Any) -> str:
    return f"policy {getattr(policy, 'name', type(policy).__name__)!r}"


def _diff(expected: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in expected if expected[k] != got.get(k))


def _compared(assignment: Any) -> tuple[Any, ...]:
    """What ``classify`` must give as ``assign`` does (the rank needs the population)."""
    why = assignment.reason
    return (
        assignment.account_id,
        assignment.tier,
        assignment.policy,
        why.value,
        why.cutoff,
        why.population,
        why.rule,
    )


def _total(policy: Any, population: Values, data: st.DataObject) -> None:
    result = policy.assign(population)
    if set(result) != set(population) or len(result) != len(population):
        missing = sorted(set(population) - set(result))
        extra = sorted(set(result) - set(population))
        raise LawViolation(
            f"{_name(policy)} is not total: with values {population}, accounts {missing} got "
            f"no tier and {extra} were not in the input"
        )
    for key, assignment in result.items():
        if assignment.tier not in policy.tiers or assignment.account_id != key:
            raise LawViolation(
                f"{_name(policy)}: with values {population}, account {key!r} got "
                f"{assignment.tier!r}, which is not one of its tiers {policy.tiers}"
            )


def check_total(policy: Any, values: Strategy | None = None, max_examples: int = 100) -> None:
    """Every account gets exactly one tier, one of ``policy.tiers``, and nothing else:
    no account of the population is left out, and none is added."""
    _verify(policy, values, max_examples, _total)


def _deterministic(policy: Any, population: Values, data: st.DataObject) -> None:
    first, second = dict(policy.assign(population)), dict(policy.assign(population))
    if first != second:
        raise LawViolation(
            f"{_name(policy)} is not deterministic: with values {population}, accounts "
            f"{_diff(first, second)} were assigned differently on a second run"
        )


def check_deterministic(
    policy: Any, values: Strategy | None = None, max_examples: int = 100
) -> None:
    """The same input twice gives the same assignments, reasons included: nothing
    depends on the clock, on chance or on state kept between calls."""
    _verify(policy, values, max_examples, _deterministic)


def _order_independent(policy: Any, population: Values, data: st.DataObject) -> None:
    expected = dict(policy.assign(population))
    for label, reordered in (
        ("reversed", dict(reversed(list(population.items())))),
        ("sorted by id", dict(sorted(population.items()))),
    ):
        got = dict(policy.assign(reordered))
        if got != expected:
            raise LawViolation(
                f"{_name(policy)} depends on input order: with values {population} given "
                f"{label}, accounts {_diff(expected, got)} were assigned differently"
            )


def check_order_independent(
    policy: Any, values: Strategy | None = None, max_examples: int = 100
) -> None:
    """Reordering the input (reversed, sorted by id) changes no assignment: ties are
    broken by a stable key, never by the order in which the accounts came."""
    _verify(policy, values, max_examples, _order_independent)


def _monotone(strategy: Strategy, policy: Any, population: Values, data: st.DataObject) -> None:
    tiers = _tiers_of(policy, population)
    rank = list(policy.tiers).index
    ranked = sorted(population, key=lambda k: (population[k], k))
    for low, high in pairwise(ranked):
        if population[high] > population[low] and rank(tiers[high]) > rank(tiers[low]):
            raise LawViolation(
                f"{_name(policy)} is not monotone: with values {population}, account "
                f"{high!r} (value {population[high]}) got tier {tiers[high]!r} below "
                f"account {low!r} (value {population[low]}) in tier {tiers[low]!r}"
            )
    if not population:
        return
    key = data.draw(st.sampled_from(sorted(population)))
    pool = sorted(set(population.values()) | set(data.draw(strategy).values()))
    higher = [v for v in pool if v > population[key]]
    if higher:
        raised = {**population, key: data.draw(st.sampled_from(higher))}
        after = _tiers_of(policy, raised)[key]
        if rank(after) > rank(tiers[key]):
            raise LawViolation(
                f"{_name(policy)} is not monotone: with values {population}, raising "
                f"account {key!r} from {population[key]} to {raised[key]} moved it from "
                f"tier {tiers[key]!r} down to {after!r}"
            )


def check_monotone(policy: Any, values: Strategy | None = None, max_examples: int = 100) -> None:
    """More value never means a lower tier: within a population, and when one account's
    value rises (to another value the strategy draws) while the others stay."""
    strategy = values if values is not None else tier_values()
    _verify(policy, strategy, max_examples, lambda *drawn: _monotone(strategy, *drawn))


def _tie_consistent(policy: Any, population: Values, data: st.DataObject) -> None:
    tiers = _tiers_of(policy, population)
    seen: dict[Any, str] = {}
    for key in sorted(population):
        value = population[key]
        for other, other_value in seen.items():
            if other_value == value and tiers[other] != tiers[key]:
                raise LawViolation(
                    f"{_name(policy)} splits a tie: with values {population}, accounts "
                    f"{other!r} and {key!r} both have {value} but got tiers "
                    f"{tiers[other]!r} and {tiers[key]!r}"
                )
        seen[key] = value


def check_tie_consistent(
    policy: Any, values: Strategy | None = None, max_examples: int = 100
) -> None:
    """Accounts with equal values always share a tier: a group of equal values is
    decided as one, never split by account id or by position."""
    _verify(policy, values, max_examples, _tie_consistent)


def _scale_invariant(policy: Any, population: Values, data: st.DataObject) -> None:
    if any(isinstance(v, float) for v in population.values()):
        factor = 2 ** data.draw(st.integers(0, 8), label="power of two")
    else:
        factor = data.draw(st.integers(1, 1000), label="whole factor")
    scaled = {
        k: v * (Decimal(factor) if isinstance(v, Decimal) else factor)
        for k, v in population.items()
    }
    before, after = _tiers_of(policy, population), _tiers_of(policy, scaled)
    if before != after:
        raise LawViolation(
            f"{_name(policy)} is not scale invariant: with values {population}, "
            f"multiplying every value by {factor} moved accounts {_diff(before, after)}"
        )


def check_scale_invariant(
    policy: Any, values: Strategy | None = None, max_examples: int = 100
) -> None:
    """Every value times the same positive factor changes no tier. The factor keeps
    products exact: a whole number for ints and Decimals, a power of two (up to 2**8)
    when the population holds floats."""
    _verify(policy, values, max_examples, _scale_invariant)


def _fit_classify(policy: Any, population: Values, data: st.DataObject) -> None:
    cutoffs = policy.fit(population)
    assigned = policy.assign(population)
    for key, value in population.items():
        got, want = policy.classify(cutoffs, key, value), assigned[key]
        if _compared(got) != _compared(want):
            raise LawViolation(
                f"{_name(policy)}: fit then classify disagrees with assign: with values "
                f"{population}, account {key!r} got {got} but assign gave {want}"
            )
    if hasattr(policy, "fit_counts"):
        keys = sorted(population)
        cut = data.draw(st.integers(0, len(keys)), label="partition split")
        merged = Counter(population[k] for k in keys[:cut])
        merged += Counter(population[k] for k in keys[cut:])
        if (fitted := policy.fit_counts(merged)) != cutoffs:
            raise LawViolation(
                f"{_name(policy)}: fitting value counts merged from two partitions gave "
                f"{fitted}, not {cutoffs}, for values {population}"
            )


def check_fit_classify(
    policy: Any, values: Strategy | None = None, max_examples: int = 100
) -> None:
    """``classify`` after ``fit`` gives what ``assign`` gives (tier, value, cut-off,
    population, rule); ``fit_counts`` on value counts merged from two partitions gives
    the same cut-offs as ``fit``."""
    _verify(policy, values, max_examples, _fit_classify)


def check_tier_policy(policy: Any, values: Strategy | None = None, max_examples: int = 100) -> None:
    """Run every law that applies to ``policy``: the first broken one raises
    [`LawViolation`][accountcare.testing.laws.LawViolation]. Scale invariance is checked
    when ``policy.scale_invariant`` is true; fit/classify agreement when the policy has
    ``fit`` and ``classify``."""
    checks: list[Callable[..., None]] = [
        check_total,
        check_deterministic,
        check_order_independent,
        check_tie_consistent,
        check_monotone,
    ]
    if getattr(policy, "scale_invariant", False):
        checks.append(check_scale_invariant)
    if hasattr(policy, "fit") and hasattr(policy, "classify"):
        checks.append(check_fit_classify)
    for check in checks:
        check(policy, values, max_examples)

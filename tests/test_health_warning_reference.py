"""The bulk health and early-warning policies against plain reference implementations.

The policies fold whole books in one pass, skip re-validating the values they build and
cache repeated words; the references below compute every figure the obvious way, one
account at a time, through the validating constructors (they are the code the policies
replaced). Both must give the very same values, figures, words and order.
"""

from __future__ import annotations

import ast
import doctest
import gc
import graphlib
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare import policies
from accountcare.domain import (
    Complaint,
    ComplaintSeverity,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    Order,
    Outcome,
)
from accountcare.domain import health as health_values
from accountcare.domain import warnings as warning_values
from accountcare.domain._trusted import trusted
from accountcare.domain.cadence import DEFAULT_CADENCE
from accountcare.domain.contacts import RelationshipLayer
from accountcare.domain.health import COMPONENTS, HealthComponents, HealthScore, HealthWeights
from accountcare.domain.periods import Period
from accountcare.domain.warnings import Alert, AlertRule
from accountcare.errors import InvalidRecord
from accountcare.policies.health import assessment as health
from accountcare.policies.health import early_warning, metrics
from accountcare.policies.health.assessment import (
    OUTCOME_VALUE,
    SEVERITY_COST,
    TIER_VALUE,
    assess_health,
    health_scores,
)
from accountcare.policies.health.early_warning import EarlyWarningPolicy, early_warnings
from accountcare.policies.health.metrics import median_interval
from accountcare.policies.relationships import layers as relationships
from accountcare.policies.relationships.layers import DEFAULT_REQUIREMENTS, relationship_map

ACCOUNTS = ("a", "b", "c", "d")
START = date(2024, 11, 1)
PREV = Period(date(2025, 1, 1), date(2026, 1, 1))
CUR = Period(date(2026, 1, 1), date(2027, 1, 1))


# ---------------------------------------------------------------- early warning reference


def _reference_warnings(
    orders: Iterable[Order],
    complaints: Iterable[Complaint],
    previous: Period,
    current: Period,
    as_of: date,
    policy: EarlyWarningPolicy,
) -> tuple[Alert, ...]:
    by_account: dict[str, list[Order]] = {}
    for o in orders:
        if o.ordered_on < as_of:
            by_account.setdefault(o.account_id, []).append(o)
    alerts: list[Alert] = []
    before = {
        a: sum((o.amount for o in os if previous.contains(o.ordered_on)), Decimal(0))
        for a, os in by_account.items()
    }
    now = {
        a: sum((o.amount for o in os if current.contains(o.ordered_on)), Decimal(0))
        for a, os in by_account.items()
    }
    buyers = sorted((a for a, r in before.items() if r > 0), key=lambda a: (-before[a], a))
    if policy.top_count is not None:
        top = buyers[: policy.top_count]
    else:
        top = buyers[: int((policy.top_share * len(buyers)).to_integral_value(ROUND_CEILING))]
    for a in top:
        b, n = before[a], now[a]
        if n * previous.days <= b * current.days * (1 - policy.drop):
            change = (n * previous.days / (b * current.days) - 1).quantize(Decimal("0.0001"))
            alerts.append(
                Alert(
                    a,
                    AlertRule.DECLINING_TOP_ACCOUNT,
                    {
                        "previous_revenue": b,
                        "current_revenue": n,
                        "change": change,
                        "threshold": -policy.drop,
                    },
                    f"top account {a} bought {n} in {current} against {b} in {previous} "
                    f"({change:+.2%} per day; alert at a drop of {policy.drop:.0%} or more)",
                )
            )
    for a, os in by_account.items():
        days_all = sorted({o.ordered_on for o in os})
        days_before = [d for d in days_all if previous.contains(d)]
        days_now = [d for d in days_all if current.contains(d)]
        values = [o.amount for o in os if current.contains(o.ordered_on)]
        if len(days_before) >= max(policy.min_orders, 2):
            usual = median_interval(days_before)
            assert usual is not None
            if len(days_now) * usual <= current.days * (1 - policy.frequency_drop):
                expected = (current.days / usual).quantize(Decimal("0.01"))
                alerts.append(
                    Alert(
                        a,
                        AlertRule.FALLING_FREQUENCY,
                        {
                            "usual_interval_days": usual,
                            "expected_purchase_days": expected,
                            "purchase_days": Decimal(len(days_now)),
                        },
                        f"{a} bought on {len(days_now)} days in {current}; its usual interval "
                        f"of {usual} days predicts {expected}",
                    )
                )
        gaps = [Decimal((y - x).days) for x, y in pairwise(days_now)]
        for rule, xs, what, enough in (
            (AlertRule.VOLATILE_VALUE, values, "order value", len(values)),
            (AlertRule.VOLATILE_INTERVAL, gaps, "interval", len(days_now)),
        ):
            total = sum(xs, Decimal(0))
            if enough < policy.min_orders or total <= 0:
                continue
            spread = len(xs) * sum((x * x for x in xs), Decimal(0)) - total * total
            if spread > policy.volatility * policy.volatility * total * total:
                cv = (spread.sqrt() / total).quantize(Decimal("0.0001"))
                alerts.append(
                    Alert(
                        a,
                        rule,
                        {
                            "coefficient_of_variation": cv,
                            "threshold": policy.volatility,
                            "count": Decimal(len(xs)),
                        },
                        f"{a}'s {what} varies with a coefficient of variation of {cv} "
                        f"(above {policy.volatility})",
                    )
                )
        if len(days_all) >= max(policy.min_orders, 2):
            usual_all = median_interval(days_all)
            assert usual_all is not None
            since = (as_of - days_all[-1]).days
            if since >= policy.lapse_factor * usual_all:
                alerts.append(
                    Alert(
                        a,
                        AlertRule.LAPSED,
                        {
                            "days_since_last_order": Decimal(since),
                            "usual_interval_days": usual_all,
                            "lapse_factor": policy.lapse_factor,
                        },
                        f"{a} has not ordered for {since} days, {policy.lapse_factor} "
                        f"times its usual interval of {usual_all} days is reached",
                    )
                )
    was: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for k in complaints:
        day = k.opened_at.astimezone(UTC).date()
        if previous.contains(day):
            was[k.account_id] += 1
        elif current.contains(day):
            count[k.account_id] += 1
    for a, c in count.items():
        w = was[a]
        if c >= policy.min_complaints and c > w and c >= w * (1 + policy.complaint_rise):
            alerts.append(
                Alert(
                    a,
                    AlertRule.RISING_COMPLAINTS,
                    {"previous_complaints": Decimal(w), "current_complaints": Decimal(c)},
                    f"{a} opened {c} complaints in {current} against {w} before",
                )
            )
    return tuple(sorted(alerts, key=lambda x: (x.account_id, x.rule.value)))


AMOUNTS = st.one_of(
    st.integers(-5_000, 2_000_000).map(lambda cents: Decimal(cents) / 100),
    st.sampled_from([Decimal(0), Decimal("1E+3"), Decimal("12.345"), Decimal("0.001")]),
)


@st.composite
def books(draw: st.DrawFn) -> list[Order]:
    """Orders of a few accounts over three years, with several orders on one day,
    refunds, zero amounts, amounts of any exponent, in any input order."""
    days = draw(st.lists(st.integers(0, 830), max_size=60))
    orders = [
        Order(
            id=f"o{n}",
            account_id=draw(st.sampled_from(ACCOUNTS)),
            ordered_on=START + timedelta(days=day),
            amount=draw(AMOUNTS),
        )
        for n, day in enumerate(days)
    ]
    return draw(st.permutations(orders))


@st.composite
def complaints_of(draw: st.DrawFn, accounts: tuple[str, ...] = ACCOUNTS) -> list[Complaint]:
    result = []
    for n in range(draw(st.integers(0, 12))):
        opened = datetime.combine(
            START + timedelta(days=draw(st.integers(0, 830))), time(23, 30), tzinfo=UTC
        )
        open_days = draw(st.none() | st.integers(0, 200))
        closed = None if open_days is None else opened + timedelta(days=open_days)
        result.append(
            Complaint(
                id=f"k{n}",
                account_id=draw(st.sampled_from(accounts)),
                opened_at=opened,
                severity=draw(st.sampled_from(ComplaintSeverity)),
                closed_at=closed,
            )
        )
    return result


POLICIES = st.builds(
    EarlyWarningPolicy,
    top_count=st.none() | st.integers(1, 3),
    top_share=st.sampled_from([Decimal("0.2"), Decimal("0.5"), Decimal("0.99")]),
    drop=st.sampled_from([Decimal("0.3"), Decimal("0.05"), Decimal("0.9")]),
    frequency_drop=st.sampled_from([Decimal("0.5"), Decimal("0.1"), Decimal("0.9")]),
    volatility=st.sampled_from([Decimal("1.0"), Decimal("0.2"), Decimal("0.5")]),
    lapse_factor=st.sampled_from([Decimal(3), Decimal("1.5"), Decimal("0.5")]),
    min_orders=st.integers(1, 4),
)


@settings(max_examples=300, deadline=None)
@given(
    orders=books(),
    complaints=complaints_of(),
    policy=POLICIES,
    as_of_days=st.none() | st.integers(0, 500),
)
def test_early_warnings_equal_the_reference(
    orders: list[Order],
    complaints: list[Complaint],
    policy: EarlyWarningPolicy,
    as_of_days: int | None,
) -> None:
    as_of = CUR.end if as_of_days is None else CUR.start + timedelta(days=as_of_days)
    got = early_warnings(orders, complaints, previous=PREV, current=CUR, as_of=as_of, policy=policy)
    expected = _reference_warnings(orders, complaints, PREV, CUR, as_of, policy)
    assert got == expected
    assert repr(got) == repr(expected)  # the same figures, exponents and words


@settings(deadline=None)
@given(orders=books(), gap=st.integers(0, 60), length=st.integers(30, 400))
def test_early_warnings_equal_the_reference_with_a_gap_between_periods(
    orders: list[Order], gap: int, length: int
) -> None:
    previous = Period(START, START + timedelta(days=length))
    current = Period(previous.end + timedelta(days=gap), date(2027, 3, 1))
    got = early_warnings(orders, previous=previous, current=current)
    expected = _reference_warnings(orders, [], previous, current, current.end, EarlyWarningPolicy())
    assert repr(got) == repr(expected)


def test_one_purchase_day_has_no_interval_even_when_one_order_is_enough() -> None:
    policy = EarlyWarningPolicy(min_orders=1)
    orders = [
        Order(id="1", account_id="a", ordered_on=date(2025, 3, 1), amount=Decimal(100)),
        Order(id="2", account_id="a", ordered_on=date(2025, 3, 1), amount=Decimal(50)),
    ]
    alerts = early_warnings(orders, previous=PREV, current=CUR, policy=policy)
    assert [a.rule for a in alerts] == [AlertRule.DECLINING_TOP_ACCOUNT]


def test_trusted_alerts_equal_validated_ones() -> None:
    figures = (("days", Decimal(9)), ("usual", Decimal("4.5")))
    made = trusted(Alert)("acme", AlertRule.LAPSED, figures, "lapsed")
    assert made == Alert("acme", AlertRule.LAPSED, dict(figures), "lapsed")
    assert hash(made) == hash(Alert("acme", AlertRule.LAPSED, figures, "lapsed"))


# ---------------------------------------------------------------- health reference


def _reference_health(
    account_id: str,
    contacts: list[Contact],
    interactions: list[Interaction],
    complaints: list[Complaint],
    *,
    as_of: date,
    tier: str | None,
    planned: int,
    done: int,
    weights: HealthWeights,
) -> HealthScore:
    touches = [i for i in interactions if i.account_id == account_id]
    rmap = relationship_map(account_id, contacts, touches, as_of=as_of, tier=tier)
    if rmap.requirements_total:
        coverage = rmap.requirements_met / rmap.requirements_total
        coverage_words = f"coverage: {rmap.requirements_met} of {rmap.requirements_total} met"
    else:
        covered = sum(1 for c in rmap.coverage if c.count)
        coverage, coverage_words = covered / 3, f"coverage: {covered} of 3 layers have contacts"
    rhythm = DEFAULT_CADENCE.for_tier(tier)
    every_of = (
        {"key": 91, "broad": 91, "organisational": 182}
        if rhythm is None
        else {
            "key": rhythm.call_every_days,
            "broad": rhythm.visit_every_days,
            "organisational": rhythm.leader_visit_every_days or 3 * rhythm.visit_every_days,
        }
    )
    parts, words = [], []
    for layer in rmap.coverage:
        every = every_of[layer.layer.value]
        if layer.last_touched is None:
            parts.append(0.0)
            words.append(f"{layer.layer.value} never touched (every {every} d)")
        else:
            age = (as_of - layer.last_touched).days
            parts.append(1.0 if age <= every else max(0.0, 1 - (age - every) / (2 * every)))
            words.append(f"{layer.layer.value} {age} d ago (every {every} d)")
    instant = datetime.combine(as_of, time.max, tzinfo=UTC)
    cost, count, oldest = 0.0, 0, 0
    for k in complaints:
        if k.account_id == account_id and k.is_open_at(instant):
            age = max(0, (as_of - k.opened_at.astimezone(UTC).date()).days)
            cost += SEVERITY_COST[k.severity] * (1 + min(age, 90) / 90)
            count += 1
            oldest = max(oldest, age)
    values = [
        OUTCOME_VALUE[t.outcome]
        for t in touches
        if 0 <= (as_of - t.occurred_at.astimezone(UTC).date()).days < 90
    ]
    mean = sum(values) / len(values) if values else 0.5
    rank = TIER_VALUE.get(tier, 0.5) if tier is not None else 0.5
    components = HealthComponents(
        coverage,
        sum(parts) / len(parts),
        1.0 if not planned else min(1.0, done / planned),
        max(0.0, 1 - cost) if count else 1.0,
        mean,
        rank,
    )
    total = sum(getattr(weights, n) * getattr(components, n) for n in COMPONENTS)
    score = min(100.0, max(0.0, round(100 * total / weights.total, 1)))
    reasons = (
        coverage_words,
        "recency: " + ", ".join(words),
        f"adherence: {done} of {planned} planned visits done",
        f"complaints: {count} open, oldest {oldest} days" if count else "complaints: none open",
        f"outcomes: mean {mean:.2f} over {len(values)} interactions"
        if values
        else "outcomes: no interactions in 90 days",
        f"tier: {tier or 'untiered'} counts {rank}",
    )
    return HealthScore(account_id, score, components, weights, reasons)


@st.composite
def relationships_book(
    draw: st.DrawFn,
) -> tuple[list[Contact], list[Interaction], list[Complaint]]:
    """Contacts of a few accounts (some ids repeated within an account, any layer),
    interactions with them, with no contact or with unknown ones, some after as_of."""
    contacts = []
    for n in range(draw(st.integers(0, 14))):
        role = draw(st.sampled_from(ContactRole))
        layer = draw(st.none() | st.sampled_from(RelationshipLayer))
        contacts.append(
            Contact(
                id=f"c{draw(st.integers(0, 9))}" if draw(st.booleans()) else f"c{n}",
                account_id=draw(st.sampled_from(ACCOUNTS)),
                name="someone",
                role=role,
                **({"layer": layer} if layer is not None else {}),
            )
        )
    touches = []
    for n in range(draw(st.integers(0, 20))):
        touches.append(
            Interaction(
                id=f"i{n}",
                account_id=draw(st.sampled_from(ACCOUNTS)),
                occurred_at=datetime(2026, 6, 1, 12, tzinfo=UTC)
                + timedelta(hours=draw(st.integers(-24 * 400, 24 * 30))),
                kind=draw(st.sampled_from(InteractionKind)),
                by=draw(st.sampled_from(("li", "kim"))),
                contact_id=draw(st.none() | st.sampled_from([f"c{k}" for k in range(16)])),
                outcome=draw(st.sampled_from(Outcome)),
            )
        )
    return contacts, touches, draw(complaints_of())


WEIGHTS = st.sampled_from(
    [
        HealthWeights(),
        HealthWeights(coverage=1, recency=0, adherence=2, complaints=0.3, outcomes=0.7, tier=0),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    book=relationships_book(),
    tiers=st.dictionaries(
        st.sampled_from(ACCOUNTS), st.sampled_from(["A", "B", "C", "Z", None]), max_size=4
    ),
    visits=st.dictionaries(
        st.sampled_from(ACCOUNTS), st.tuples(st.integers(0, 6), st.integers(0, 6))
    ),
    as_of=st.sampled_from([date(2026, 6, 1), date(2025, 9, 1), date(2026, 7, 15)]),
    weights=WEIGHTS,
)
def test_health_scores_equal_the_reference(
    book: tuple[list[Contact], list[Interaction], list[Complaint]],
    tiers: dict[str, str | None],
    visits: dict[str, tuple[int, int]],
    as_of: date,
    weights: HealthWeights,
) -> None:
    contacts, touches, complaints = book
    got = health_scores(
        contacts, touches, complaints, as_of=as_of, tiers=tiers, visits=visits, weights=weights
    )
    expected = {
        a: _reference_health(
            a,
            [c for c in contacts if c.account_id == a],
            touches,
            complaints,
            as_of=as_of,
            tier=tiers[a],
            planned=visits.get(a, (0, 0))[0],
            done=visits.get(a, (0, 0))[1],
            weights=weights,
        )
        for a in sorted(tiers)
    }
    assert list(got) == list(expected)
    assert repr(got) == repr(expected)
    for a, score in got.items():
        alone = assess_health(
            a,
            [c for c in contacts if c.account_id == a],
            touches,
            complaints,
            as_of=as_of,
            tier=tiers[a],
            visits_planned=visits.get(a, (0, 0))[0],
            visits_done=visits.get(a, (0, 0))[1],
            weights=weights,
        )
        assert repr(alone) == repr(score)


def test_trusted_scores_equal_validated_ones_and_bad_ids_are_still_caught() -> None:
    scores = health_scores([], [], as_of=date(2026, 6, 1), tiers={"acme": "A", "zeta": None})
    for account_id, score in scores.items():
        rebuilt = HealthScore(
            account_id,
            score.score,
            HealthComponents(*(getattr(score.components, n) for n in COMPONENTS)),
            score.weights,
            score.reasons,
        )
        assert score == rebuilt
        assert hash(score) == hash(rebuilt)
    parts = (1.0, 0.25, 0.5, 0.0, 0.6, 1)
    components = trusted(HealthComponents)(*parts)
    assert components == HealthComponents(*parts)
    reasons = ("coverage", "recency")
    made = trusted(HealthScore)("acme", 42.5, components, HealthWeights(), reasons)
    assert made == HealthScore("acme", 42.5, HealthComponents(*parts), HealthWeights(), reasons)
    with pytest.raises(InvalidRecord, match="account_id"):
        health_scores([], [], as_of=date(2026, 6, 1), tiers={" ": "A"})


def test_requirements_met_matches_the_relationship_map() -> None:
    people = [
        Contact(id="c1", account_id="acme", name="Wang", role=ContactRole.DECISION_MAKER),
        Contact(id="c2", account_id="acme", name="Li", role=ContactRole.USER),
    ]
    rmap = relationship_map("acme", people, [], as_of=date(2026, 6, 1), tier="B")
    counts = {c.layer: c.count for c in rmap.coverage}
    met = relationships.requirements_met(DEFAULT_REQUIREMENTS["B"], counts, True, False)
    assert (met, rmap.requirements_total) == (rmap.requirements_met, 3) == (2, 3)


# ---------------------------------------------------------------- the shell around them


def _touched(*args: object) -> None:
    raise AssertionError("a policy touched the garbage collector")


@settings(max_examples=20, deadline=None)
@given(orders=books(), book=relationships_book())
def test_policies_never_touch_the_collector(
    orders: list[Order], book: tuple[list[Contact], list[Interaction], list[Complaint]]
) -> None:
    # An embeddable library leaves process-wide state to its host.
    contacts, touches, complaints = book
    with pytest.MonkeyPatch.context() as patch:
        for name in ("disable", "enable", "freeze", "unfreeze", "collect", "set_threshold"):
            patch.setattr(gc, name, _touched)
        early_warnings(orders, complaints, previous=PREV, current=CUR)
        health_scores(contacts, touches, complaints, as_of=CUR.start, tiers=dict.fromkeys(ACCOUNTS))


def test_no_policy_module_imports_the_collector() -> None:
    for path in Path(policies.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not imported & {"gc", "_gc", "accountcare._gc"}, path


@pytest.mark.parametrize("package", ["health", "visits", "relationships"])
def test_the_modules_of_a_subject_depend_one_way(package: str) -> None:
    # type-only imports count too: a cycle hidden behind TYPE_CHECKING is still one
    prefix = f"accountcare.policies.{package}."
    graph = {}
    for path in (Path(policies.__file__).parent / package).glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[prefix + path.stem] = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(prefix)
        }
    assert len(graph) > 3
    list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError


@pytest.mark.parametrize(
    "module",
    [early_warning, health, metrics, relationships, health_values, warning_values],
)
def test_docstring_examples_run(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module)
    assert tried
    assert not failures


def test_health_of_mapping_input_is_read_once() -> None:
    # Iterables (generators) are accepted and read once, like lists.
    people = (c for c in [Contact(id="c1", account_id="a", name="W", role=ContactRole.USER)])
    scores: Mapping[str, HealthScore] = health_scores(
        people, iter([]), iter([]), as_of=date(2026, 6, 1), tiers={"a": "C"}
    )
    assert scores["a"].reasons[0] == "coverage: 0 of 1 met"


@pytest.mark.parametrize("seed", range(6))
def test_the_nth_largest_revenue_is_exact_whatever_the_sample_sees(seed: int) -> None:
    # Large enough for the sampled floor; ties, runs and orders that fool a strided sample.
    rng = random.Random(seed)
    size = rng.choice([8193, 12_000, 30_000])
    values = [Decimal(rng.randrange(1, rng.choice([3, 50, 10**6]))) / 100 for _ in range(size)]
    if seed % 3 == 1:
        values.sort()
    elif seed % 3 == 2:
        values = [Decimal(1) if k % (size // 1024) else Decimal(10**6) for k in range(size)]
    expected = sorted(values, reverse=True)
    for n in (1, 2, size // 5, size // 2, size - 1, size):
        assert early_warning._nth_largest(values, n) == expected[n - 1]

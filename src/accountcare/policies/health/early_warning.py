"""Early warning: find decline before the customer is gone.

Practitioners keep the book healthy by asking, every review: did last year's biggest
customer order much less this year? Which accounts buy less often, or swing widely?
Are complaints rising? Each question is one rule of
[`EarlyWarningPolicy`][accountcare.policies.health.early_warning.EarlyWarningPolicy];
every threshold is a parameter, and every comparison is exact (Decimal and integer
arithmetic, no float rounding at a boundary).

>>> from datetime import date
>>> from decimal import Decimal
>>> from accountcare.domain import Order
>>> from accountcare.domain.periods import Period
>>> prev, cur = Period(date(2025, 1, 1), date(2026, 1, 1)), Period(date(2026, 1, 1), date(2027, 1, 1))
>>> orders = [Order(id="a1", account_id="acme", ordered_on=date(2025, 3, 1), amount=Decimal(1000)),
...           Order(id="a2", account_id="acme", ordered_on=date(2026, 3, 1), amount=Decimal(700))]
>>> [a.rule.value for a in early_warnings(orders, previous=prev, current=cur)]
['declining_top_account']
"""  # noqa: E501

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, timedelta
from decimal import ROUND_CEILING, Decimal
from itertools import compress, repeat
from operator import attrgetter, eq, ge, gt
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from accountcare._imports import require
from accountcare.domain.activity import Complaint, Order
from accountcare.domain.periods import Period, check_consecutive
from accountcare.domain.warnings import Alert, AlertRule
from accountcare.errors import ConfigurationError
from accountcare.policies.health._order_history import ONE, ZERO, OrderRules

if TYPE_CHECKING:
    from accountcare.policies.models.summaries import PurchaseSummaries

__all__ = [
    "DEFAULT_EARLY_WARNING",
    "DEFAULT_MODEL_WARNING",
    "PURCHASE_MODELS",
    "EarlyWarningPolicy",
    "ModelWarningPolicy",
    "RepeatPurchaseModel",
    "declining_top_accounts",
    "early_warnings",
    "model_alerts",
    "purchase_model",
]


def _fraction(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not ZERO < value < ONE:
        raise ConfigurationError(f"{attribute.name} must be a Decimal between 0 and 1, got {value}")


def _positive_decimal(
    instance: object, attribute: attrs.Attribute[Decimal], value: Decimal
) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise ConfigurationError(f"{attribute.name} must be a positive Decimal, got {value}")


def _count(instance: object, attribute: attrs.Attribute[int], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigurationError(f"{attribute.name} must be a positive int, got {value!r}")


@attrs.frozen
class EarlyWarningPolicy:
    """The thresholds of the early-warning rules.

    - ``top_count`` / ``top_share``: last period's top accounts are the first
      ``top_count`` buyers by revenue when given, else the first ``ceil(top_share * n)``
      of the ``n`` buyers (default 20%: "20% of customers bring 80% of profit"); ranked by
      revenue, ties by account id.
    - ``drop``: a top account fires when its current revenue per day is at most
      ``(1 - drop)`` of its previous revenue per day (default 30%; the boundary fires).
    - ``frequency_drop``: fires when the purchase days in the current period are at most
      ``(1 - frequency_drop)`` of the days the account's usual interval (median gap in the
      previous period) predicts (default 50%; the boundary fires).
    - ``volatility``: coefficient of variation (population) of order values, or of the
      gaps between purchase days, in the current period strictly above it fires
      (default 1.0).
    - ``lapse_factor``: fires when the days since the last order reach
      ``lapse_factor * usual interval`` (default 3; the boundary fires).
    - ``complaint_rise``, ``min_complaints``: fires when current complaints are at least
      ``min_complaints``, more than before, and at least ``(1 + complaint_rise)`` times
      the previous count (defaults 50%, 2).
    - ``min_orders``: purchase days needed before an interval or a variation means
      anything (default 3).
    """

    top_count: int | None = attrs.field(default=None, validator=_count)
    top_share: Decimal = attrs.field(default=Decimal("0.20"), validator=_fraction)
    drop: Decimal = attrs.field(default=Decimal("0.30"), validator=_fraction)
    frequency_drop: Decimal = attrs.field(default=Decimal("0.50"), validator=_fraction)
    volatility: Decimal = attrs.field(default=Decimal("1.0"), validator=_positive_decimal)
    lapse_factor: Decimal = attrs.field(default=Decimal(3), validator=_positive_decimal)
    complaint_rise: Decimal = attrs.field(default=Decimal("0.5"), validator=_positive_decimal)
    min_complaints: int = attrs.field(default=2, validator=_count)
    min_orders: int = attrs.field(default=3, validator=_count)


DEFAULT_EARLY_WARNING = EarlyWarningPolicy()
"""The early-warning thresholds practitioners start from (a 30% drop of a top account,
intervals far beyond the usual, rising complaints)."""


def _top(revenue: dict[str, Decimal], policy: EarlyWarningPolicy) -> list[str]:
    """Last period's top buyers, ranked by revenue with ties by account id, in no order
    (only the set matters: alerts are sorted at the end).

    Finds the revenue of the last account in, then takes every account above it and, in
    id order, as many of those tied with it as there is room for. (The comparisons run
    through C-level ``map``: a Python-level loop costs more than the Decimal compares.)
    """
    positive = list(map(gt, revenue.values(), repeat(ZERO)))
    buyers = list(compress(revenue, positive))
    if policy.top_count is not None:
        n = policy.top_count
    else:
        n = int((policy.top_share * len(buyers)).to_integral_value(ROUND_CEILING))
    if n >= len(buyers):
        return buyers
    if not n:
        return []
    amounts = list(compress(revenue.values(), positive))
    last_in = _nth_largest(amounts, n)
    top = list(compress(buyers, map(gt, amounts, repeat(last_in))))
    tied = sorted(compress(buyers, map(eq, amounts, repeat(last_in))))
    return top + tied[: n - len(top)]


def _nth_largest(values: list[Decimal], n: int) -> Decimal:
    """The ``n``-th largest of ``values`` (1 <= n <= len), exactly.

    A sorted sample of every k-th value gives a floor a little below it; only the values
    at or above the floor are sorted (a fifth of a large book rather than all of it).
    When the sample misjudges (fewer than ``n`` values above the floor), everything is
    sorted: the answer never depends on the sample, only the time does.
    """
    if len(values) > 8192:
        step = len(values) // 1024
        sample = sorted(values[::step], reverse=True)
        rank = min(len(sample) - 1, n * len(sample) // len(values) + 64)
        above = list(compress(values, map(ge, values, repeat(sample[rank]))))
        if len(above) >= n:
            above.sort(reverse=True)
            return above[n - 1]
    return sorted(values, reverse=True)[n - 1]


def declining_top_accounts(
    orders: Iterable[Order],
    *,
    previous: Period,
    current: Period,
    policy: EarlyWarningPolicy = DEFAULT_EARLY_WARNING,
) -> tuple[Alert, ...]:
    """Only the declining-top-accounts rule, sorted by account id."""
    alerts = early_warnings(orders, previous=previous, current=current, policy=policy)
    return tuple(a for a in alerts if a.rule is AlertRule.DECLINING_TOP_ACCOUNT)


def early_warnings(
    orders: Iterable[Order],
    complaints: Iterable[Complaint] = (),
    *,
    previous: Period,
    current: Period,
    as_of: date | None = None,
    policy: EarlyWarningPolicy = DEFAULT_EARLY_WARNING,
) -> tuple[Alert, ...]:
    """Every alert of every rule, sorted by account id then rule.

    Orders are compared over the two periods (which must not overlap, previous first);
    ``as_of`` (default: the current period's end) is the day lapses are measured to;
    orders on or after it are ignored. Complaints count by their opening day (UTC).
    An interval (usual interval, lapse, interval variation) needs purchases on at least
    two distinct days, whatever ``min_orders`` says.
    """
    check_consecutive(previous, current)
    as_of = current.end if as_of is None else as_of
    if as_of < current.start:
        raise ConfigurationError(f"as_of {as_of} is before the current period {current}")
    groups: defaultdict[str, list[Order]] = defaultdict(list)
    for order in orders:
        groups[order.account_id].append(order)
    alerts: list[Alert] = []
    rules = OrderRules(previous, current, as_of, policy)
    for account_id, bucket in groups.items():
        rules.account(account_id, bucket, alerts)
    del groups
    revenue, revenue_now = rules.revenue, rules.revenue_now
    # Revenue per day, compared by cross-multiplication so nothing is rounded.
    keep = ONE - policy.drop
    previous_days, current_days = Decimal(previous.days), Decimal(current.days)
    for account_id in _top(revenue, policy):
        before, now = revenue[account_id], revenue_now[account_id]
        if now * previous_days <= before * current_days * keep:
            alerts.append(rules.words.declining(account_id, before, now))
    alerts.extend(_complaint_rules(complaints, previous, current, policy))
    alerts.sort(key=_ALERT_ORDER)
    return tuple(alerts)


_ALERT_ORDER = attrgetter("account_id", "rule._value_")  # the value, without the property


def _complaint_rules(
    complaints: Iterable[Complaint], previous: Period, current: Period, policy: EarlyWarningPolicy
) -> list[Alert]:
    before: Counter[str] = Counter()
    now: Counter[str] = Counter()
    for complaint in complaints:
        day = complaint.opened_at.astimezone(UTC).date()
        if previous.contains(day):
            before[complaint.account_id] += 1
        elif current.contains(day):
            now[complaint.account_id] += 1
    alerts = []
    for account_id, count in now.items():
        was = before.get(account_id, 0)
        if (
            count >= policy.min_complaints
            and count > was
            and count >= was * (1 + policy.complaint_rise)
        ):
            alerts.append(
                Alert(
                    account_id,
                    AlertRule.RISING_COMPLAINTS,
                    {"previous_complaints": Decimal(was), "current_complaints": Decimal(count)},
                    f"{account_id} opened {count} complaints in {current} against {was} before",
                )
            )
    return alerts


# -- the purchase-model rules ------------------------------------------------------------

#: The repeat-purchase models the model rules (and forecasts) can use, by name.
PURCHASE_MODELS: Mapping[str, str] = MappingProxyType({"bgnbd": "BG/NBD", "pareto": "Pareto/NBD"})
"""The repeat-purchase models the model alerts can use, by name, with the name a person
reads."""


class RepeatPurchaseModel(Protocol):
    """What the model rules ask of a repeat-purchase model (BG/NBD, Pareto/NBD).

    >>> model = purchase_model("bgnbd")
    >>> all(hasattr(model, m) for m in ("fit", "p_alive", "expected_purchases", "predict"))
    True
    """

    def fit(self, data: PurchaseSummaries) -> Any: ...

    def p_alive(self, params: Any, data: PurchaseSummaries) -> Any: ...

    def expected_purchases(self, params: Any, data: PurchaseSummaries, horizon: float) -> Any: ...

    def predict(self, params: Any, data: PurchaseSummaries, horizon: float) -> Any: ...


def purchase_model(name: str) -> RepeatPurchaseModel:
    """The repeat-purchase model called ``name`` (a key of [`PURCHASE_MODELS`][accountcare.policies.health.early_warning.PURCHASE_MODELS]).

    Fitting needs scipy: without it this is a
    [`MissingExtra`][accountcare.errors.MissingExtra] naming
    ``pip install 'accountcare[models]'``.

    >>> type(purchase_model("bgnbd")).__name__
    'BgNbd'
    >>> purchase_model("cox")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: unknown purchase model 'cox'; use one of bgnbd, pareto
    """  # noqa: E501
    if name not in PURCHASE_MODELS:
        raise ConfigurationError(
            f"unknown purchase model {name!r}; use one of {', '.join(PURCHASE_MODELS)}"
        )
    require("scipy", "models")
    if name == "pareto":
        from accountcare.policies.models.pareto import ParetoNbd

        return ParetoNbd()
    from accountcare.policies.models.bgnbd import BgNbd

    return BgNbd()


def _probability(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ConfigurationError(
            f"{attribute.name} must be a number between 0 and 1, got {value!r}"
        )


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e9:
        raise ConfigurationError(f"{attribute.name} must be a positive number, got {value!r}")


def _model_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in PURCHASE_MODELS:
        raise ConfigurationError(
            f"{attribute.name} must be one of {', '.join(PURCHASE_MODELS)}, got {value!r}"
        )


def _at_least_zero(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"{attribute.name} must be an int >= 0, got {value!r}")


@attrs.frozen
class ModelWarningPolicy:
    """The thresholds of the purchase-model rules.

    A repeat-purchase model (``model``: ``"bgnbd"`` or ``"pareto"``) is fitted to every
    account's purchase days before ``as_of``: how many times it came back (frequency),
    when it last bought and how long it has been a customer (recency and T, in weeks).

    - ``p_alive``: ``low_p_alive`` fires when the probability that the account is still
      buying is strictly below it (default 0.3).
    - ``purchases_drop``: ``falling_expected_purchases`` fires when the purchases the
      model expects over the next ``horizon_days`` are at most ``(1 - purchases_drop)``
      of what the model fitted to the previous period expected over the same horizon
      (default 50%; the boundary fires). The previous calibration ends ``period_days``
      before ``as_of`` (default 91, a quarter) unless the caller names its end.
    - ``min_expected``: the drop rule judges only accounts the previous fit expected at
      least this many purchases of (default 1: a fall from almost nothing is noise).
    - ``min_frequency``: repeat purchase days an account needs before either rule judges
      it (default 1: one purchase is no habit to lose).
    - ``min_accounts``: the accounts a calibration needs before a model is fitted to it
      (default 20); fewer is a ConfigurationError saying so.

    >>> ModelWarningPolicy(p_alive=0.2).purchases_drop
    0.5
    >>> ModelWarningPolicy(model="cox")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: model must be one of bgnbd, pareto, got 'cox'
    """

    model: str = attrs.field(default="bgnbd", validator=_model_name)
    p_alive: float = attrs.field(default=0.3, validator=_probability)
    purchases_drop: float = attrs.field(default=0.5, validator=_probability)
    horizon_days: float = attrs.field(default=364.0, validator=_positive)
    period_days: int = attrs.field(default=91, validator=_count)
    min_expected: float = attrs.field(default=1.0, validator=_positive)
    min_frequency: int = attrs.field(default=1, validator=_at_least_zero)
    min_accounts: int = attrs.field(default=20, validator=_count)
    unit_days: float = attrs.field(default=7.0, validator=_positive)


DEFAULT_MODEL_WARNING = ModelWarningPolicy()
"""The purchase-model thresholds to start from: P(alive) below 0.3, expected purchases
over the next 52 weeks halved since the previous quarter."""


def _figure(x: float) -> Decimal:
    return Decimal(repr(round(float(x), 6)))


@attrs.frozen
class _Fit:
    """One calibration: its summaries and what the parameters fitted to them predict."""

    data: PurchaseSummaries
    p_alive: Any
    expected: Any
    end: date


def _fit(
    model: RepeatPurchaseModel, orders: list[Order], as_of: date, policy: ModelWarningPolicy
) -> _Fit:
    from accountcare.policies.models.summaries import summarise

    end = as_of - timedelta(days=1)  # the calibration includes its last day
    # The rules count purchase days, never amounts: every currency counts one for one.
    data = summarise(
        (o for o in orders if o.ordered_on < as_of),
        calibration_end=end,
        unit_days=policy.unit_days,
        rates={o.currency: Decimal(1) for o in orders},
    )
    if len(data) < policy.min_accounts:
        raise ConfigurationError(
            f"the purchase model needs at least {policy.min_accounts} accounts that bought "
            f"before {as_of}, got {len(data)}"
        )
    params = model.fit(data)
    horizon = policy.horizon_days / policy.unit_days
    return _Fit(
        data,
        model.p_alive(params, data),
        model.expected_purchases(params, data, horizon),
        end,
    )


def model_alerts(
    orders: Iterable[Order],
    *,
    as_of: date,
    previous_as_of: date | None = None,
    policy: ModelWarningPolicy = DEFAULT_MODEL_WARNING,
) -> tuple[Alert, ...]:
    """The purchase-model rules, ``low_p_alive`` and ``falling_expected_purchases``,
    sorted by account id then rule.

    The model is fitted to the orders before ``as_of`` and, for the drop rule, again to
    those before ``previous_as_of`` (default: ``policy.period_days`` before ``as_of``);
    each alert names the figures behind it. Needs scipy
    (``pip install 'accountcare[models]'``); a calibration with too few accounts, or
    data the model cannot be fitted to, is a ConfigurationError saying why.

    Forty accounts buying at their own pace through 2025; every third one stops early:

    >>> from decimal import Decimal
    >>> from accountcare.domain import Order
    >>> def days(i):
    ...     gap, stop = 10 + (i * 7) % 40, (2 + i % 5 if i % 3 == 0 else 99)
    ...     return [date(2025, 1, 1) + timedelta(days=i + gap * k) for k in range(stop)
    ...             if i + gap * k < 365]
    >>> orders = [Order(id=f"{i}-{k}", account_id=f"c{i:02d}", ordered_on=d, amount=Decimal(9))
    ...           for i in range(40) for k, d in enumerate(days(i))]
    >>> alerts = model_alerts(orders, as_of=date(2026, 1, 1))
    >>> {a.account_id for a in alerts} <= {f"c{i:02d}" for i in range(0, 40, 3)}
    True
    >>> for alert in alerts[1:3]:
    ...     print(alert.message)
    expected purchases of c03 in the next 52 weeks fell by 87% under BG/NBD: 0.29 fitted to 2025-12-31, against 2.17 fitted to 2025-10-01
    P(alive) 0.04 of c03 is below 0.3 under BG/NBD: frequency 4, recency 17.7 and T 51.6 weeks (bought on 5 days, the last 33.9 weeks ago)
    """  # noqa: E501
    previous_as_of = (
        as_of - timedelta(days=policy.period_days) if previous_as_of is None else previous_as_of
    )
    if previous_as_of >= as_of:
        raise ConfigurationError(f"previous_as_of {previous_as_of} must come before as_of {as_of}")
    from accountcare.policies.models.summaries import unit_name

    model = purchase_model(policy.model)
    kept = [o for o in orders if o.ordered_on < as_of]
    now = _fit(model, kept, as_of, policy)
    before = _fit(model, kept, previous_as_of, policy)
    name, unit = PURCHASE_MODELS[policy.model], unit_name(policy.unit_days)
    horizon = policy.horizon_days / policy.unit_days
    alerts: list[Alert] = []
    data = now.data
    for i, account_id in enumerate(data.ids):
        frequency = int(data.frequency[i])
        if frequency < policy.min_frequency:
            continue
        p = float(now.p_alive[i])
        if p < policy.p_alive:
            recency, age = float(data.recency[i]), float(data.T[i])
            alerts.append(
                Alert(
                    account_id,
                    AlertRule.LOW_P_ALIVE,
                    {
                        "p_alive": _figure(p),
                        "threshold": _figure(policy.p_alive),
                        "frequency": Decimal(frequency),
                        "recency": _figure(recency),
                        "T": _figure(age),
                    },
                    f"P(alive) {p:.2f} of {account_id} is below {policy.p_alive:g} under {name}: "
                    f"frequency "
                    f"{frequency}, recency {recency:.1f} and T {age:.1f} {unit} (bought on "
                    f"{frequency + 1} days, the last {age - recency:.1f} {unit} ago)",
                )
            )
    keep = 1 - policy.purchases_drop
    previous_rows = {a: i for i, a in enumerate(before.data.ids)}
    for i, account_id in enumerate(data.ids):
        j = previous_rows.get(account_id)
        if j is None or int(before.data.frequency[j]) < policy.min_frequency:
            continue
        was, expected = float(before.expected[j]), float(now.expected[i])
        if was >= policy.min_expected and expected <= keep * was:
            alerts.append(
                Alert(
                    account_id,
                    AlertRule.FALLING_EXPECTED_PURCHASES,
                    {
                        "expected_before": _figure(was),
                        "expected_now": _figure(expected),
                        "horizon": _figure(horizon),
                        "drop": _figure(1 - expected / was),
                    },
                    f"expected purchases of {account_id} in the next {horizon:g} {unit} fell by "
                    f"{1 - expected / was:.0%} under {name}: {expected:.2f} fitted to "
                    f"{now.end}, against {was:.2f} fitted to {before.end}",
                )
            )
    alerts.sort(key=_ALERT_ORDER)
    return tuple(alerts)

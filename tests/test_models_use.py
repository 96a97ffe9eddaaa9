"""The purchase models at work: early-warning rules, tiers on predicted value, scorecard
potential from CLV, and the forecast use case and command.

Real data: the CDNOW sample (tests/data/cdnow_sample.txt.gz, 2,357 customers of the
CDNOW online store; see tests/data/README.md), whose calibration window ends on
30 September 1997, and the demo book the ``demo`` command writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.sqlite import SqliteStore
from accountcare.domain import Account, Order
from accountcare.domain.periods import Period
from accountcare.domain.warnings import AlertRule
from accountcare.errors import ConfigurationError, MissingExtra
from accountcare.policies.health.early_warning import (
    DEFAULT_MODEL_WARNING,
    ModelWarningPolicy,
    model_alerts,
    purchase_model,
)
from accountcare.policies.models import BgNbd, GammaGamma, PurchaseSummaries, clv, summarise
from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.predicted import PredictedValueTiers
from accountcare.policies.tiers.profitability import ProfitabilityPolicy
from accountcare.policies.tiers.rank_bands import RankBandPolicy
from accountcare.policies.tiers.scorecard import criterion_scores, potential_from_clv
from accountcare.policies.tiers.value_labels import ValueLabelPolicy
from accountcare.ports.store import Batch
from accountcare.services.forecast import forecast_book, forecast_orders
from accountcare.testing.laws import check_tier_policy
from test_cli import accountcare, json_rows
from test_models_summaries import cdnow_orders as sample_orders

DATA = Path(__file__).parent / "data"
CDNOW_AS_OF = date(1997, 10, 1)  # the calibration window ends with 30 September 1997
CDNOW_PREVIOUS = date(1997, 7, 1)  # three months before
DEMO_AS_OF = date(2026, 11, 2)


@cache
def cdnow_orders() -> tuple[Order, ...]:
    """The CDNOW sample's orders, their accounts named ``cd0001`` to ``cd2357``."""
    return tuple(attrs.evolve(o, account_id=f"cd{int(o.account_id):04d}") for o in sample_orders())


def cdnow_accounts() -> list[Account]:
    ids = sorted({o.account_id for o in cdnow_orders()})
    return [Account(id=a, name=f"CDNOW customer {a[2:]}") for a in ids]


def calibration(as_of: date) -> PurchaseSummaries:
    return summarise(
        (o for o in cdnow_orders() if o.ordered_on < as_of),
        calibration_end=as_of - timedelta(days=1),
    )


@pytest.fixture(scope="module")
def cdnow_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.sqlite3"
    with SqliteStore(path) as store:
        store.write(Batch(accounts=cdnow_accounts(), orders=list(cdnow_orders())))
    return path


# -- the early-warning rules -------------------------------------------------------------


@cache
def cdnow_alerts() -> tuple[Any, ...]:
    return model_alerts(cdnow_orders(), as_of=CDNOW_AS_OF, previous_as_of=CDNOW_PREVIOUS)


def test_low_p_alive_fires_for_exactly_the_repeat_buyers_the_model_gives_under_0_3() -> None:
    data = calibration(CDNOW_AS_OF)
    model = BgNbd()
    p_alive = model.p_alive(model.fit(data), data)
    expected = {
        a for a, x, p in zip(data.ids, data.frequency, p_alive, strict=True) if x >= 1 and p < 0.3
    }
    fired = [a for a in cdnow_alerts() if a.rule is AlertRule.LOW_P_ALIVE]
    assert {a.account_id for a in fired} == expected
    assert 50 < len(expected) < len(data)  # the CDNOW cohort has many who stopped
    alert = fired[0]
    row = data.of(alert.account_id)
    assert float(alert.figure("p_alive")) < 0.3
    assert alert.figure("frequency") == row.frequency
    assert float(alert.figure("recency")) == pytest.approx(row.recency, abs=1e-6)
    assert float(alert.figure("T")) == pytest.approx(row.T, abs=1e-6)
    named = ("P(alive)", alert.account_id, "below 0.3", "BG/NBD", f"frequency {row.frequency}")
    for words in (*named, "recency", "T "):
        assert words in alert.message


def test_falling_expected_purchases_compares_two_fits_over_the_same_horizon() -> None:
    model = BgNbd()
    now, before = calibration(CDNOW_AS_OF), calibration(CDNOW_PREVIOUS)
    e_now = dict(zip(now.ids, model.expected_purchases(model.fit(now), now, 52), strict=True))
    e_before = model.expected_purchases(model.fit(before), before, 52)
    expected = {
        a
        for a, x, was in zip(before.ids, before.frequency, e_before, strict=True)
        if x >= 1 and was >= 1.0 and e_now[a] <= 0.5 * was
    }
    fired = [a for a in cdnow_alerts() if a.rule is AlertRule.FALLING_EXPECTED_PURCHASES]
    assert {a.account_id for a in fired} == expected
    assert expected
    for alert in fired:
        assert alert.figure("expected_now") <= alert.figure("expected_before") / 2
        assert f"of {alert.account_id} in the next 52 weeks fell by" in alert.message
        assert "1997-09-30" in alert.message


def test_model_alerts_are_sorted_and_the_default_previous_period_is_a_quarter() -> None:
    alerts = cdnow_alerts()
    assert list(alerts) == sorted(alerts, key=lambda a: (a.account_id, a.rule.value))
    default = model_alerts(cdnow_orders(), as_of=CDNOW_AS_OF)
    assert DEFAULT_MODEL_WARNING.period_days == 91
    assert {a.account_id for a in default if a.rule is AlertRule.LOW_P_ALIVE} == {
        a.account_id for a in alerts if a.rule is AlertRule.LOW_P_ALIVE
    }


def _stopping_book() -> list[Order]:
    """Forty accounts buying at their own pace through 2025; every third stops early."""

    def days(i: int) -> list[date]:
        gap, stop = 10 + (i * 7) % 40, (2 + i % 5 if i % 3 == 0 else 99)
        return [
            date(2025, 1, 1) + timedelta(days=i + gap * k) for k in range(stop) if i + gap * k < 365
        ]

    return [
        Order(id=f"{i}-{k}", account_id=f"c{i:02d}", ordered_on=d, amount=Decimal(9))
        for i in range(40)
        for k, d in enumerate(days(i))
    ]


STOPPING = _stopping_book()


@settings(max_examples=12, deadline=None)
@given(
    low=st.floats(0.05, 0.95),
    high=st.floats(0.05, 0.95),
    drop_low=st.floats(0.05, 0.95),
    drop_high=st.floats(0.05, 0.95),
)
def test_stricter_thresholds_never_fire_more(
    low: float, high: float, drop_low: float, drop_high: float
) -> None:
    """A higher P(alive) threshold fires on a superset; a larger drop on a subset."""
    low, high = sorted((low, high))
    drop_low, drop_high = sorted((drop_low, drop_high))

    def fired(p: float, drop: float, rule: AlertRule) -> set[str]:
        policy = ModelWarningPolicy(p_alive=p, purchases_drop=drop)
        found = model_alerts(STOPPING, as_of=date(2026, 1, 1), policy=policy)
        return {a.account_id for a in found if a.rule is rule}

    assert fired(low, 0.5, AlertRule.LOW_P_ALIVE) <= fired(high, 0.5, AlertRule.LOW_P_ALIVE)
    falling = AlertRule.FALLING_EXPECTED_PURCHASES
    assert fired(0.3, drop_high, falling) <= fired(0.3, drop_low, falling)


def test_the_accounts_that_stopped_are_the_ones_flagged() -> None:
    alerts = model_alerts(STOPPING, as_of=date(2026, 1, 1))
    flagged = {a.account_id for a in alerts if a.rule is AlertRule.LOW_P_ALIVE}
    stopped = {f"c{i:02d}" for i in range(0, 40, 3)}
    assert flagged <= stopped
    assert len(flagged) >= len(stopped) - 2  # c39 stopped late in the year


def test_the_rules_run_on_pareto_nbd_too() -> None:
    policy = ModelWarningPolicy(model="pareto")
    alerts = model_alerts(STOPPING, as_of=date(2026, 1, 1), policy=policy)
    flagged = {a.account_id for a in alerts if a.rule is AlertRule.LOW_P_ALIVE}
    assert flagged
    assert flagged <= {f"c{i:02d}" for i in range(0, 40, 3)}
    assert all("under Pareto/NBD" in a.message for a in alerts)


def test_the_rules_count_purchase_days_whatever_the_currency() -> None:
    mixed = [attrs.evolve(o, currency="CNY") if o.account_id < "c20" else o for o in STOPPING]
    assert model_alerts(mixed, as_of=date(2026, 1, 1)) == model_alerts(
        STOPPING, as_of=date(2026, 1, 1)
    )


def test_model_alerts_need_enough_accounts() -> None:
    few = [o for o in STOPPING if o.account_id < "c05"]
    with pytest.raises(ConfigurationError, match="at least 20 accounts that bought before"):
        model_alerts(few, as_of=date(2026, 1, 1))
    with pytest.raises(ConfigurationError, match="must come before as_of"):
        model_alerts(STOPPING, as_of=date(2026, 1, 1), previous_as_of=date(2026, 1, 1))


def test_without_scipy_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy now raises ImportError
    with pytest.raises(MissingExtra, match=r"pip install 'accountcare\[models\]'"):
        model_alerts(STOPPING, as_of=date(2026, 1, 1))
    with pytest.raises(MissingExtra, match=r"accountcare\[models\]"):
        purchase_model("pareto")


# -- tiers on predicted value -------------------------------------------------------------


@pytest.mark.parametrize(
    "base",
    [AbcPolicy(), RankBandPolicy(), ProfitabilityPolicy(), ValueLabelPolicy()],
    ids=lambda p: p.name,
)
def test_predicted_value_tiers_keep_every_law_of_a_tier_policy(base: Any) -> None:
    policy = PredictedValueTiers(base)
    assert policy.scale_invariant == base.scale_invariant
    check_tier_policy(policy, max_examples=40)


def test_predicted_value_tiers_on_cdnow_clv_are_the_base_tiers_of_the_clv() -> None:
    result = forecast_orders(cdnow_orders(), as_of=CDNOW_AS_OF, horizon_days=52 * 7)
    values = result.clv_values()
    policy = PredictedValueTiers()
    tiers = policy.assign(values)
    base = AbcPolicy().assign(values)
    assert {a: t.tier for a, t in tiers.items()} == {a: t.tier for a, t in base.items()}
    assert {t.policy for t in tiers.values()} == {"predicted_abc"}
    cutoffs = policy.fit(values)
    best = result.accounts[0]
    assert policy.classify(cutoffs, best.account_id, best.clv).tier == "A"
    assert tiers[best.account_id].reason.rule.startswith("predicted lifetime value: ")


def test_predicted_value_tiers_refuse_a_base_that_is_not_a_population_policy() -> None:
    with pytest.raises(ConfigurationError, match="population policy"):
        PredictedValueTiers(PredictedValueTiers())


# -- scorecard potential from CLV -------------------------------------------------------------


@given(st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), st.floats(0, 1e6)))
def test_potential_from_clv_is_a_monotone_score_from_0_to_100(clv_values: dict[str, float]) -> None:
    scores = potential_from_clv(clv_values)
    assert set(scores) == set(clv_values)
    assert all(0 <= s <= 100 for s in scores.values())
    for a in clv_values:
        for b in clv_values:
            if clv_values[a] < clv_values[b]:
                assert scores[a] <= scores[b]
            if clv_values[a] == clv_values[b]:
                assert scores[a] == scores[b]


def test_scorecard_potential_comes_from_clv_only_when_asked() -> None:
    from accountcare.domain.metrics import AccountMetrics

    year = Period(date(2026, 1, 1), date(2027, 1, 1))
    metrics = {
        a: AccountMetrics(a, year, date(2027, 1, 1), revenue=Decimal(r))
        for a, r in (("acme", 900), ("globex", 100), ("initech", 0))
    }
    plain = criterion_scores(metrics)
    assert criterion_scores(metrics, potential=None) == plain
    scored = criterion_scores(metrics, potential=potential_from_clv({"acme": 10.0, "globex": 5.0}))
    assert [scored[a]["potential"] for a in ("acme", "globex", "initech")] == [100.0, 0.0, 50.0]
    assert {a: {k: v for k, v in s.items() if k != "potential"} for a, s in scored.items()} == {
        a: {k: v for k, v in s.items() if k != "potential"} for a, s in plain.items()
    }


# -- the forecast use case ------------------------------------------------------------------


def test_forecast_of_a_cdnow_store_is_the_models_own_figures(cdnow_db: Path) -> None:
    with SqliteStore(cdnow_db) as store:
        result = forecast_book(store, as_of=CDNOW_AS_OF, horizon_days=39 * 7)
    data = calibration(CDNOW_AS_OF)
    model, spend = BgNbd(), GammaGamma()
    params = model.fit(data)
    # Fader, Hardie and Lee (2005), section 5: r=0.243, alpha=4.414, a=0.793, b=2.426.
    assert (round(params.r, 3), round(params.alpha, 3)) == (0.243, 4.414)
    assert result.purchase_parameters == params
    spend_params = spend.fit(data.take(np.flatnonzero((data.frequency == 0) | (data.monetary > 0))))
    value = dict(zip(data.ids, clv(model, params, spend, spend_params, data, horizon=39,
                                   discount_rate=0.10), strict=True))  # fmt: skip
    p_alive = dict(zip(data.ids, model.p_alive(params, data), strict=True))
    assert len(result.accounts) == len(data) == 2357
    assert result.without_purchases == 0
    for row in result.accounts[:50]:
        assert row.clv == pytest.approx(value[row.account_id], rel=1e-9)
        assert row.p_alive == pytest.approx(p_alive[row.account_id], rel=1e-9)
        assert row.name == f"CDNOW customer {row.account_id[2:]}"
    clvs = [r.clv for r in result.accounts]
    assert clvs == sorted(clvs, reverse=True)
    # The forecast against what the cohort bought in the 39 weeks that followed: the tenth
    # of highest CLV bought far more often than the rest, as the model expected.
    holdout = summarise(cdnow_orders(), calibration_end=date(1997, 9, 30),
                        holdout_end=date(1998, 6, 30))  # fmt: skip
    assert holdout.holdout is not None
    bought = dict(zip(holdout.ids, holdout.holdout.tolist(), strict=True))
    actual = np.array([bought[r.account_id] for r in result.accounts], dtype=float)
    expected = np.array([r.expected_purchases for r in result.accounts])
    tenth = len(actual) // 10
    assert actual[:tenth].mean() > 5 * actual[tenth:].mean()
    assert np.corrcoef(expected, actual)[0, 1] > 0.5


def test_forecast_with_rates_converts_several_currencies() -> None:
    orders = [
        Order(id=o.id, account_id=o.account_id, ordered_on=o.ordered_on,
              amount=o.amount * 7 if int(o.id) % 2 else o.amount,
              currency="CNY" if int(o.id) % 2 else "USD")
        for o in cdnow_orders()[:3000]
    ]  # fmt: skip
    with pytest.raises(ConfigurationError, match="give rates"):
        forecast_orders(orders, as_of=CDNOW_AS_OF)
    rates = {"CNY": Decimal(1) / 7, "USD": Decimal(1)}
    converted = forecast_orders(orders, as_of=CDNOW_AS_OF, rates=rates)
    same = forecast_orders(cdnow_orders()[:3000], as_of=CDNOW_AS_OF)
    assert [r.account_id for r in converted.accounts[:20]] == [
        r.account_id for r in same.accounts[:20]
    ]


# -- the command line -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("forecast")
    result = accountcare(
        "--db", "book.sqlite3", "--as-of", DEMO_AS_OF.isoformat(), "--format", "json",
        "demo", "--accounts", "120", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder / "book.sqlite3"


def run(db: Path, as_of: date, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return accountcare("--db", str(db), "--as-of", as_of.isoformat(), *args, cwd=db.parent, **kw)


def test_forecast_command_lists_the_demo_book_by_clv(demo_db: Path) -> None:
    rows = json_rows(run(demo_db, DEMO_AS_OF, "--format", "json", "forecast", "--top", "0"))
    with SqliteStore(demo_db) as store:
        expected = forecast_book(store, as_of=DEMO_AS_OF)
    assert [r["account"] for r in rows] == [r.account_id for r in expected.accounts]
    assert [Decimal(r["clv"]) for r in rows] == [Decimal(f"{r.clv:.2f}") for r in expected.accounts]
    assert set(rows[0]) == {
        "account", "name", "p alive", "expected purchases", "spend per purchase", "clv", "reason",
    }  # fmt: skip
    assert all(0 <= r["p alive"] <= 1 for r in rows)
    assert "Gamma-Gamma" in rows[0]["reason"]
    assert "BG/NBD" in rows[0]["reason"]
    top = json_rows(run(demo_db, DEMO_AS_OF, "--format", "json", "forecast", "--top", "5"))
    assert top == rows[:5]


def test_forecast_command_takes_the_model_and_the_horizon(demo_db: Path) -> None:
    args = ("--format", "json", "forecast", "--top", "3", "--model", "pareto")
    weeks = json_rows(run(demo_db, DEMO_AS_OF, *args, "--horizon", "52w"))
    days = json_rows(run(demo_db, DEMO_AS_OF, *args, "--horizon", "364d"))
    assert weeks == days
    assert "Pareto/NBD" in weeks[0]["reason"]
    assert "next 52 weeks" in weeks[0]["reason"]
    months = json_rows(run(demo_db, DEMO_AS_OF, *args, "--horizon", "24m"))
    assert months[0]["expected purchases"] > weeks[0]["expected purchases"]
    csv_out = run(demo_db, DEMO_AS_OF, "--format", "csv", "forecast", "--top", "2")
    assert csv_out.returncode == 0, csv_out.stderr
    assert csv_out.stdout.splitlines()[0] == (
        "account,name,p alive,expected purchases,spend per purchase,clv,reason"
    )
    assert len(csv_out.stdout.splitlines()) == 3


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--horizon", "a year"), "--horizon: 'a year' is not months, weeks or days"),
        (("--horizon", "0w"), "--horizon: '0w'"),
        (("--top", "-1"), "--top must be 0"),
    ],
)
def test_forecast_command_refuses_bad_input_in_one_line(
    demo_db: Path, args: tuple[str, ...], words: str
) -> None:
    result = run(demo_db, DEMO_AS_OF, "forecast", *args)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert words in result.stderr


def test_forecast_command_on_a_cdnow_store(cdnow_db: Path) -> None:
    rows = json_rows(run(cdnow_db, CDNOW_AS_OF, "--format", "json", "forecast", "--horizon", "39w"))
    with SqliteStore(cdnow_db) as store:
        expected = forecast_book(store, as_of=CDNOW_AS_OF, horizon_days=39 * 7)
    assert [r["account"] for r in rows] == [r.account_id for r in expected.top(20)]
    assert rows[0]["name"] == f"CDNOW customer {rows[0]['account'][2:]}"
    assert "in the next 39 weeks" in rows[0]["reason"]


def test_alerts_command_adds_the_model_rules(cdnow_db: Path) -> None:
    rows = json_rows(run(cdnow_db, CDNOW_AS_OF, "--format", "json", "alerts"))
    model_rules = {"low_p_alive", "falling_expected_purchases"}
    got = [(r["account"], r["rule"]) for r in rows if r["rule"] in model_rules]
    assert got == [(a.account_id, a.rule.value) for a in cdnow_alerts()]
    assert {r["rule"] for r in rows} - model_rules  # the other rules are still there
    assert rows == sorted(rows, key=lambda r: (r["account"], r["rule"]))


@pytest.fixture
def no_scipy(tmp_path: Path) -> dict[str, str]:
    """An environment in which ``import scipy`` fails, as where it is not installed."""
    shadow = tmp_path / "no_scipy" / "scipy"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('scipy is not installed')\n")
    paths = [str(shadow.parent), os.environ.get("PYTHONPATH", "")]
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def test_without_scipy_alerts_say_why_and_forecast_names_the_extra(
    demo_db: Path, no_scipy: dict[str, str]
) -> None:
    alerts = run(demo_db, DEMO_AS_OF, "--format", "json", "alerts", env=no_scipy)
    assert alerts.returncode == 0, alerts.stderr
    assert alerts.stderr == (
        "accountcare: purchase-model rules left out: scipy is not installed "
        "(pip install 'accountcare[models]')\n"
    )
    assert json.loads(alerts.stdout)  # the other rules still run
    forecast = run(demo_db, DEMO_AS_OF, "forecast", env=no_scipy)
    assert forecast.returncode == 1
    assert "pip install 'accountcare[models]'" in forecast.stderr
    assert forecast.stderr.count("\n") == 1


def test_alerts_on_too_small_a_book_say_why_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "small.sqlite3"
    assert run(db, DEMO_AS_OF, "demo", "--accounts", "12").returncode == 0
    result = run(db, DEMO_AS_OF, "--format", "json", "alerts")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("accountcare: purchase-model rules left out: ")
    assert "at least 20 accounts" in result.stderr
    assert result.stderr.count("\n") == 1

"""BG/NBD on the CDNOW sample, against Fader, Hardie and Lee (2005), "Counting your
customers the easy way: an alternative to the Pareto/NBD model", Marketing Science
24(2):275-284 (section 5: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4),
and the holdout comparison by calibration frequency class.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from accountcare.errors import ConfigurationError
from accountcare.policies.models import (
    BgNbd,
    BgNbdParameters,
    GammaGamma,
    Prediction,
    PurchaseSummaries,
    clv,
    summarise,
)
from accountcare.serialization import structure, unstructure
from test_models_summaries import CALIBRATION_END, HOLDOUT_END, cdnow_orders

pytest.importorskip("scipy")

PUBLISHED = (0.243, 4.414, 0.793, 2.426)


@cache
def cdnow() -> PurchaseSummaries:
    return summarise(cdnow_orders(), calibration_end=CALIBRATION_END, holdout_end=HOLDOUT_END)


@cache
def fitted() -> BgNbdParameters:
    return BgNbd().fit(cdnow())


def _summaries(frequency: list[int], recency: list[float], age: list[float]) -> PurchaseSummaries:
    return PurchaseSummaries(
        ids=tuple(str(i) for i in range(len(frequency))),
        frequency=frequency,
        recency=recency,
        T=age,
    )


def test_cdnow_fit_reproduces_the_published_parameters() -> None:
    # Source: Fader, Hardie and Lee (2005), section 5, to the three decimals published.
    params = fitted()
    assert (
        round(params.r, 3),
        round(params.alpha, 3),
        round(params.a, 3),
        round(params.b, 3),
    ) == PUBLISHED
    assert round(params.fit.log_likelihood, 1) == -9582.4
    assert params.fit.converged


def test_the_log_likelihood_of_the_published_parameters_is_the_published_one() -> None:
    # Source: Fader, Hardie and Lee (2005), section 5 (LL = -9582.4 at the estimates).
    total = float(np.sum(BgNbd().log_likelihood(PUBLISHED, cdnow())))
    assert total == pytest.approx(-9582.4, abs=0.1)


def _closed_form(x: int, t_x: float, age: float, t: float) -> float:
    """Equation (10) of Fader, Hardie and Lee (2005), written as published."""
    hyp2f1 = pytest.importorskip("scipy.special").hyp2f1
    r, alpha, a, b = PUBLISHED
    z = t / (alpha + age + t)
    head = (a + b + x - 1) / (a - 1)
    tail = ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    alive = 1 + (x > 0) * a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x)
    return float(head * (1 - tail) / alive)


@pytest.mark.parametrize(
    ("x", "t_x", "age"), [(0, 0.0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (7, 35.0, 38.0)]
)
def test_expected_purchases_agree_with_the_published_closed_form(
    x: int, t_x: float, age: float
) -> None:
    data = _summaries([x], [t_x], [age])
    mine = float(BgNbd().expected_purchases(PUBLISHED, data, 39.0)[0])
    assert mine == pytest.approx(_closed_form(x, t_x, age, 39.0), rel=1e-9)


def holdout_table(
    data: PurchaseSummaries, params: BgNbdParameters
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accounts, mean actual and mean expected holdout purchases by class 0..6, 7+."""
    assert data.holdout is not None
    expected = BgNbd().expected_purchases(params, data, horizon=39.0)
    classes = np.minimum(data.frequency, 7)
    counts = np.array([np.sum(classes == k) for k in range(8)])
    actual = np.array([data.holdout[classes == k].mean() for k in range(8)])
    model = np.array([expected[classes == k].mean() for k in range(8)])
    return counts, actual, model


def test_holdout_class_means_follow_the_actual_ones() -> None:
    counts, actual, model = holdout_table(cdnow(), fitted())
    assert counts.sum() == 2357
    assert np.all(np.diff(actual) > 0)
    assert np.all(np.diff(model) > 0)
    assert np.corrcoef(actual, model)[0, 1] > 0.99
    # Every class within a third of its actual mean, the accounts with one repeat purchase
    # being the furthest (0.52 expected for 0.70 seen).
    assert np.all(np.abs(model - actual) <= actual / 3)


@pytest.mark.xfail(
    strict=True,
    reason="BG/NBD's conditional expectations sum to 1,653 holdout purchases for 1,882 "
    "seen (12% under), although the summaries, the parameters and the closed form match the "
    "published ones; the monthly holdout counts have no holiday peak, so the gap is not "
    "seasonal: the model expects less than seen in every frequency class, most for the "
    "accounts with 1 or 2 repeat purchases",
)
def test_holdout_totals_agree_within_ten_percent() -> None:
    data = cdnow()
    assert data.holdout is not None
    expected = float(np.sum(BgNbd().expected_purchases(fitted(), data, horizon=39.0)))
    assert expected == pytest.approx(float(np.sum(data.holdout)), rel=0.10)


def draw_holdout(path: Path) -> None:
    """The holdout comparison as a bar chart, the picture in docs/img/models_holdout.png."""
    plt = pytest.importorskip("matplotlib.pyplot")
    counts, actual, model = holdout_table(cdnow(), fitted())
    labels = [str(k) for k in range(7)] + ["7+"]
    figure, axes = plt.subplots(figsize=(7, 4), dpi=100)
    where = np.arange(8)
    axes.bar(where - 0.2, actual, width=0.4, label="actual", color="#4c72b0")
    axes.bar(where + 0.2, model, width=0.4, label="BG/NBD expected", color="#dd8452")
    axes.set_xticks(where, labels)
    axes.set_xlabel("repeat purchases in the 39 calibration weeks")
    axes.set_ylabel("mean purchases in the 39 holdout weeks")
    axes.set_title(f"CDNOW sample, {counts.sum():,} accounts: holdout by calibration frequency")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def test_the_holdout_plot_draws(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib").use("Agg")
    draw_holdout(tmp_path / "holdout.png")
    assert (tmp_path / "holdout.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predictions_carry_their_reason() -> None:
    data, params = cdnow(), fitted()
    many = BgNbd().predict(params, data, horizon=52.0)
    one = many["1"]
    assert isinstance(one, Prediction)
    assert (one.frequency, one.model, one.horizon) == (2, "BG/NBD", 52.0)
    assert (one.recency, one.T) == pytest.approx((30.43, 38.86), abs=0.01)
    assert one.parameters == (params.r, params.alpha, params.a, params.b)
    assert one.parameter_names == ("r", "alpha", "a", "b")
    assert one.p_alive == pytest.approx(float(BgNbd().p_alive(params, data)[0]))
    assert one.explain().startswith("frequency 2, recency 30.4 and T 38.9 weeks under BG/NBD")
    assert "purchases in the next 52 weeks" in one.explain()
    assert [p.account_id for p in many] == list(data.ids)
    columns = many.to_dict()
    assert set(columns) >= {"account_id", "p_alive", "expected_purchases"}
    assert len(columns["p_alive"]) == len(data)


def test_parameters_round_trip_through_the_converter() -> None:
    params = fitted()
    payload = unstructure(params)
    assert payload["fit"]["converged"] is True
    assert isinstance(payload["r"], float)
    assert structure(payload, BgNbdParameters) == params


def test_large_frequencies_stay_finite() -> None:
    data = _summaries([0, 10_000, 100_000], [0.0, 500.0, 9_000.0], [10.0, 520.0, 10_000.0])
    model = BgNbd()
    assert np.all(np.isfinite(model.log_likelihood(PUBLISHED, data)))
    p = model.p_alive(PUBLISHED, data)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(np.isfinite(model.expected_purchases(PUBLISHED, data, 52.0)))


@pytest.mark.parametrize(
    ("frequency", "recency", "age", "problem"),
    [
        ([2], [3.0], [5.0], "at least 2 accounts"),
        ([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0], "no account bought again"),
        ([0, 0], [0.0, 0.0], [0.0, 0.0], "T = 0"),
    ],
)
def test_data_that_cannot_identify_the_parameters_is_refused(
    frequency: list[int], recency: list[float], age: list[float], problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        BgNbd().fit(_summaries(frequency, recency, age))


def test_clv_without_discount_is_expected_purchases_times_expected_spend() -> None:
    data = cdnow()
    spend = GammaGamma().fit(data)
    flat = clv(BgNbd(), fitted(), GammaGamma(), spend, data, horizon=52.0, discount_rate=0.0)
    expected = BgNbd().expected_purchases(fitted(), data, 52.0) * GammaGamma().expected_spend(
        spend, data
    )
    np.testing.assert_allclose(flat, expected, rtol=1e-9)
    discounted = clv(BgNbd(), fitted(), GammaGamma(), spend, data, horizon=52.0, discount_rate=0.1)
    assert np.all(discounted < flat)
    assert np.all(discounted > flat / 1.1)  # less than a year's discount on any purchase


@pytest.mark.parametrize(("a", "b"), [(1.0, 2.0), (0.5, 0.5), (0.3, 0.7)])
def test_expected_purchases_are_continuous_where_the_closed_form_divides_by_zero(
    a: float, b: float
) -> None:
    # a = 1 and, without a repeat purchase, a + b = 1 make the closed form 0/0.
    data = _summaries([0, 1, 4], [0.0, 1.0, 8.0], [10.0, 10.0, 10.0])
    at = BgNbd().expected_purchases([1.0, 2.0, a, b], data, 10.0)
    near = BgNbd().expected_purchases([1.0, 2.0, a + 1e-6, b], data, 10.0)
    np.testing.assert_allclose(at, near, rtol=1e-4)


def test_expected_purchases_where_scipys_hypergeometric_gives_no_value() -> None:
    # scipy's hyp2f1(1, 1, 101, 10/11) is inf; the power series gives 1.00917 and so
    # 101 / (a - 1) * (1 - 1.00917 / 11) purchases times P(alive) = 99 / 101.
    data = _summaries([99], [0.0], [0.0])
    value = float(BgNbd().expected_purchases([1.0, 1.0, 2.0, 1.0], data, 10.0)[0])
    assert value == pytest.approx(101 * (1 - 1.009165747558601 / 11) * 99 / 101, rel=1e-9)
    longer = [float(BgNbd().expected_purchases([1.0, 1.0, 2.0, 1.0], data, h)[0]) for h in (20, 40)]
    assert value < longer[0] < longer[1]

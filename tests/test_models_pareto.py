"""The Pareto/NBD model: the published CDNOW fit, the likelihood against direct numerical
integration, long histories without overflow, and the laws every purchase model obeys."""

from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountcare.domain import Order
from accountcare.errors import ConfigurationError
from accountcare.policies.models import FitReport, PurchaseSummaries, summarise
from accountcare.policies.models.pareto import ParetoNbd, ParetoNbdParameters

integrate = pytest.importorskip("scipy.integrate")
special = pytest.importorskip("scipy.special")

SAMPLE = Path(__file__).parent / "data" / "cdnow_sample.txt.gz"
MODEL = ParetoNbd()


@pytest.fixture(scope="module")
def cdnow() -> PurchaseSummaries:
    """The CDNOW 1/10 sample summarised over the 39 weeks to 30 September 1997."""
    orders = []
    with gzip.open(SAMPLE, "rt") as lines:
        for i, line in enumerate(lines):
            _master_id, customer, day, _cds, dollars = line.split()
            orders.append(
                Order(
                    id=str(i),
                    account_id=customer,
                    ordered_on=date(int(day[:4]), int(day[4:6]), int(day[6:])),
                    amount=Decimal(dollars),
                )
            )
    return summarise(orders, calibration_end=date(1997, 9, 30), holdout_end=date(1998, 6, 30))


@pytest.fixture(scope="module")
def fitted(cdnow: PurchaseSummaries) -> ParetoNbdParameters:
    return MODEL.fit(cdnow)


def test_cdnow_fit_reproduces_the_published_estimates(
    cdnow: PurchaseSummaries, fitted: ParetoNbdParameters
) -> None:
    # Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way: An Alternative to
    # the Pareto/NBD Model", Marketing Science 24(2):275-284, section 5, and their "A Note on
    # Implementing the Pareto/NBD Model in MATLAB" (brucehardie.com, note 008):
    # r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0 (-9594.98).
    assert len(cdnow) == 2357
    assert fitted.fit.converged
    for value, published in [
        (fitted.r, 0.553),
        (fitted.alpha, 10.578),
        (fitted.s, 0.606),
        (fitted.beta, 11.669),
    ]:
        assert abs(value - published) <= 0.0005, (value, published)
    assert round(fitted.fit.log_likelihood, 2) == -9594.98
    assert float(np.sum(MODEL.log_likelihood(fitted, cdnow))) == pytest.approx(
        fitted.fit.log_likelihood, abs=1e-8
    )


# The R package BTYD's estimates on the same data (its cdnowSummary$est.params). They lie on
# the ridge along which beta is barely identified (its standard error is about 6), a little
# below the maximum: the likelihood there is lower than at the fit, so a converged fit cannot
# land on them to 3 decimals in alpha and beta.
BTYD = (0.5534, 10.5802, 0.6061, 11.6562)


def test_btyd_estimates_are_on_the_ridge_below_the_fit(
    cdnow: PurchaseSummaries, fitted: ParetoNbdParameters
) -> None:
    at_btyd = float(np.sum(MODEL.log_likelihood(BTYD, cdnow)))
    assert at_btyd < fitted.fit.log_likelihood < at_btyd + 1e-3
    assert round(at_btyd, 2) == -9594.98


def test_fit_does_not_depend_on_the_order_of_accounts(
    cdnow: PurchaseSummaries, fitted: ParetoNbdParameters
) -> None:
    rows = np.random.default_rng(7).permutation(len(cdnow))
    again = MODEL.fit(cdnow.take(rows))
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(again, name) == pytest.approx(getattr(fitted, name), rel=1e-8)


def _by_quadrature(
    params: tuple[float, float, float, float], x: int, t_x: float, age: float
) -> float:
    """The likelihood straight from its definition: alive at T, or gone at some tau in
    (t_x, T], integrated numerically and scaled to avoid underflow."""
    r, alpha, s, beta = params

    def log_integrand(tau: float) -> float:
        return float(-(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau))

    top = log_integrand(t_x)
    died = integrate.quad(
        lambda tau: np.exp(log_integrand(tau) - top), t_x, age, epsabs=0, epsrel=1e-12, limit=200
    )[0]
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    gone = np.log(s) + top + np.log(died) if died > 0 else -np.inf
    return float(common + np.logaddexp(alive, gone))


@pytest.mark.parametrize(
    "params",
    [(0.5534, 10.5802, 0.6061, 11.6562), (0.55, 10.58, 0.61, 3.0), (2.0, 1.0, 0.3, 50.0)],
    ids=["alpha<beta", "alpha>beta", "beta>>alpha"],
)
@pytest.mark.parametrize(
    ("x", "t_x", "age"),
    [(2, 30.43, 38.86), (0, 0.0, 38.86), (10, 5.0, 20.0), (1, 0.1, 0.2), (30, 38.0, 38.86)],
)
def test_log_likelihood_matches_numerical_integration(
    params: tuple[float, float, float, float], x: int, t_x: float, age: float
) -> None:
    data = PurchaseSummaries(ids=("a",), frequency=[x], recency=[t_x], T=[age])
    assert MODEL.log_likelihood(params, data)[0] == pytest.approx(
        _by_quadrature(params, x, t_x, age), abs=1e-9
    )


@pytest.mark.parametrize(
    ("params", "x", "t_x", "age"),
    [
        # scipy's hyp2f1 gives up here (argument near 1 with a parameter near 1000)
        ((0.3595, 30.99, 1.074, 0.07201), 1000, 0.00657, 0.3499),
        ((0.5, 800.0, 0.02, 0.01), 1000, 0.001, 1.0),
        ((0.5, 0.01, 0.6, 500.0), 1000, 2.0, 3.0),
        ((0.5534, 10.5802, 0.6061, 11.6562), 1000, 999.0, 1000.0),
        ((0.5534, 10.5802, 0.6061, 11.6562), 1000, 10.0, 1000.0),
    ],
)
def test_long_histories_neither_overflow_nor_lose_accuracy(
    params: tuple[float, float, float, float], x: int, t_x: float, age: float
) -> None:
    data = PurchaseSummaries(ids=("a",), frequency=[x], recency=[t_x], T=[age])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ll = MODEL.log_likelihood(params, data)[0]
        alive = MODEL.p_alive(params, data)[0]
        expected = MODEL.expected_purchases(params, data, 52.0)[0]
    assert np.isfinite(ll)
    assert 0.0 <= alive <= 1.0
    assert np.isfinite(expected)
    assert ll == pytest.approx(_by_quadrature(params, x, t_x, age), abs=1e-7)


def test_the_first_long_history_is_one_scipy_cannot_evaluate() -> None:
    # So the test above exercises the quadrature that takes over from hyp2f1.
    r, alpha, s, beta = 0.3595, 30.99, 1.074, 0.07201
    x, t_x = 1000, 0.00657
    with np.errstate(all="ignore"):
        series = special.hyp2f1(1.0, r + x, r + s + x + 1, (alpha - beta) / (alpha + t_x))
    assert not np.isfinite(series)


def test_works_with_the_lifetime_value() -> None:
    from accountcare.policies.models import GammaGamma, clv

    data = PurchaseSummaries(
        ids=("a", "b"),
        frequency=[2, 0],
        recency=[30.43, 0.0],
        T=[38.86, 38.86],
        monetary=[22.35, 0.0],
    )
    spend = GammaGamma()
    spend_params = (6.25, 3.74, 15.44)  # the published CDNOW Gamma-Gamma estimates
    values = clv(MODEL, BTYD, spend, spend_params, data, horizon=52.0, discount_rate=0.1)
    assert values.shape == (2,)
    assert np.all(values > 0)
    assert values[0] > values[1]


def test_p_alive_and_expectation_match_their_definitions() -> None:
    # P(alive) is the "alive at T" share of the likelihood; the expectation is P(alive) times
    # (r+x)(beta+T)/((alpha+T)(s-1)) (1 - ((beta+T)/(beta+T+t))^(s-1)) (Fader and Hardie,
    # "A Note on Deriving the Pareto/NBD Model and Related Expressions", 2005, eq. 18 and 22).
    for params in [BTYD, (0.55, 10.58, 0.61, 3.0), (2.0, 1.0, 1.3, 50.0)]:
        r, alpha, s, beta = params
        for x, t_x, age in [(2, 30.43, 38.86), (0, 0.0, 38.86), (10, 5.0, 20.0)]:
            data = PurchaseSummaries(ids=("a",), frequency=[x], recency=[t_x], T=[age])
            common = (
                special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
            )
            alive_at_end = common - (r + x) * np.log(alpha + age) - s * np.log(beta + age)
            alive = float(np.exp(alive_at_end - _by_quadrature(params, x, t_x, age)))
            assert MODEL.p_alive(params, data)[0] == pytest.approx(alive, rel=1e-9)
            t = 39.0
            active = (r + x) * (beta + age) / ((alpha + age) * (s - 1))
            active *= 1 - ((beta + age) / (beta + age + t)) ** (s - 1)
            assert MODEL.expected_purchases(params, data, t)[0] == pytest.approx(
                alive * active, rel=1e-9
            )


def test_expectation_is_continuous_at_s_equal_one() -> None:
    data = PurchaseSummaries(ids=("a",), frequency=[3], recency=[20.0], T=[30.0])
    at_one = MODEL.expected_purchases((0.5, 10.0, 1.0, 12.0), data, 52.0)[0]
    near = MODEL.expected_purchases((0.5, 10.0, 1.0 + 1e-7, 12.0), data, 52.0)[0]
    assert at_one == pytest.approx(near, rel=1e-6)


def test_predictions_carry_their_reason(
    cdnow: PurchaseSummaries, fitted: ParetoNbdParameters
) -> None:
    many = MODEL.predict(fitted, cdnow, 39.0)
    one = many["0001"]
    assert one.model == "Pareto/NBD"
    assert one.parameter_names == ("r", "alpha", "s", "beta")
    assert one.frequency == 2
    assert "Pareto/NBD" in one.explain()
    assert len(many) == len(cdnow)
    # Conditional expectations over the 39-week holdout, the figure the literature plots
    # against the actual holdout purchases (1,882 purchase days here).
    assert cdnow.holdout is not None
    assert int(np.sum(cdnow.holdout)) == 1882
    # (lifetimes' ParetoNBDFitter gives the same 1,665.51 from its own fit)
    assert float(np.sum(many.expected_purchases)) == pytest.approx(1665.51, abs=0.01)


def test_refuses_data_and_parameters_that_cannot_work() -> None:
    data = PurchaseSummaries(ids=("a", "b"), frequency=[0, 0], recency=[0.0, 0.0], T=[5.0, 6.0])
    with pytest.raises(ConfigurationError):
        MODEL.fit(data)
    with pytest.raises(ConfigurationError):
        MODEL.p_alive((0.5, -1.0, 0.5, 1.0), data)
    with pytest.raises(ConfigurationError):
        MODEL.expected_purchases((0.5, 1.0, 0.5, 1.0), data, -1.0)
    with pytest.raises(ConfigurationError):
        MODEL.log_likelihood((0.5, 1.0, 0.5), data)


def test_parameters_round_trip_through_serialization() -> None:
    from accountcare.serialization import structure, unstructure

    params = ParetoNbdParameters(0.55, 10.6, 0.61, 11.7, FitReport(-9595.0, True, 3, "ok"))
    assert structure(unstructure(params), ParetoNbdParameters) == params


# Laws, whatever the parameters and histories (Hypothesis).
positive = st.floats(min_value=np.exp(-3), max_value=np.exp(3))
parameters = st.tuples(
    positive, positive.map(lambda v: v * 10), positive, positive.map(lambda v: v * 10)
)
ages = st.floats(min_value=0.01, max_value=1000.0)
fractions = st.floats(min_value=0.0, max_value=1.0)
frequencies = st.integers(min_value=0, max_value=1000)


def _one(x: int, t_x: float, age: float) -> PurchaseSummaries:
    return PurchaseSummaries(ids=("a",), frequency=[x], recency=[t_x if x else 0.0], T=[age])


@settings(max_examples=200, deadline=None)
@given(parameters, frequencies, fractions, ages)
def test_p_alive_is_a_probability(
    params: tuple[float, float, float, float], x: int, share: float, age: float
) -> None:
    alive = MODEL.p_alive(params, _one(x, share * age, age))[0]
    assert 0.0 <= alive <= 1.0


@settings(max_examples=200, deadline=None)
@given(parameters, st.integers(min_value=1, max_value=1000), fractions, fractions, ages)
def test_p_alive_does_not_rise_with_the_silence_since_the_last_purchase(
    params: tuple[float, float, float, float], x: int, a: float, b: float, age: float
) -> None:
    early, late = sorted((a * age, b * age))
    data = PurchaseSummaries(
        ids=("early", "late"), frequency=[x, x], recency=[early, late], T=[age, age]
    )
    at_early, at_late = MODEL.p_alive(params, data)
    assert at_early <= at_late + 1e-9


@settings(max_examples=200, deadline=None)
@given(
    parameters,
    frequencies,
    fractions,
    ages,
    st.floats(min_value=0.0, max_value=500.0),
    st.floats(min_value=0.0, max_value=500.0),
)
def test_expected_purchases_are_non_negative_and_grow_with_the_horizon(
    params: tuple[float, float, float, float],
    x: int,
    share: float,
    age: float,
    h1: float,
    h2: float,
) -> None:
    data = _one(x, share * age, age)
    short, long = sorted((h1, h2))
    at_short = MODEL.expected_purchases(params, data, short)[0]
    at_long = MODEL.expected_purchases(params, data, long)[0]
    assert 0.0 <= at_short <= at_long * (1 + 1e-12)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.permutations(list(range(8))))
def test_fit_is_invariant_to_account_order_on_small_books(order: list[int]) -> None:
    data = PurchaseSummaries(
        ids=tuple("abcdefgh"),
        frequency=[2, 0, 5, 1, 0, 3, 7, 1],
        recency=[30.0, 0.0, 35.0, 3.0, 0.0, 12.5, 37.0, 20.0],
        T=[38.0, 38.0, 38.0, 30.0, 10.0, 25.0, 38.0, 36.0],
    )
    first = MODEL.fit(data)
    again = MODEL.fit(data.take(order))
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(again, name) == pytest.approx(getattr(first, name), rel=1e-8)

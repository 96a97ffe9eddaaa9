"""Fitting BG/NBD on Dask gives the in-memory fit's parameters, on real and simulated books.

Everything runs on a local cluster of two worker processes, so the partitions, the
partial sums and the errors really cross process boundaries. The books are the CDNOW
sample's calibration summaries (2,357 customers) and books drawn from the BG/NBD model
itself, cut into uneven partitions, some of them empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pytest.importorskip("scipy")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from accountcare.adapters import dask_models  # noqa: E402
from accountcare.adapters.dask_models import (  # noqa: E402
    fit_bgnbd_frame,
    predict_bgnbd_frame,
    simulate_bgnbd_frame,
)
from accountcare.errors import ConfigurationError  # noqa: E402
from accountcare.policies.models.bgnbd import BgNbd, BgNbdParameters  # noqa: E402
from accountcare.policies.models.summaries import PurchaseSummaries  # noqa: E402

DATA = Path(__file__).parent / "data"
# CDNOW-like parameters (Fader, Hardie and Lee 2005, the BG/NBD fit of the CDNOW sample).
TRUE = (0.243, 4.414, 0.793, 2.426)
NAMES = ("r", "alpha", "a", "b")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two single-threaded worker processes; the client is the default scheduler."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as session,
    ):
        yield session


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The CDNOW sample's calibration summaries (frequency, recency and T in weeks)."""
    return pd.read_csv(DATA / "cdnow_sample_summary.csv.gz")


def partitioned(frame: pd.DataFrame, cuts: Sequence[int]) -> Any:
    """``frame`` as a Dask DataFrame cut before each row position in ``cuts`` (repeated or
    end positions make empty partitions)."""
    edges = [0, *sorted(cuts), len(frame)]
    pieces = [frame.iloc[a:b] for a, b in pairwise(edges)]
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=frame.iloc[:0])


def summaries(frame: pd.DataFrame) -> PurchaseSummaries:
    return PurchaseSummaries(
        ids=tuple(map(str, range(len(frame)))),
        frequency=frame["frequency"],
        recency=frame["recency"],
        T=frame["T"],
    )


def assert_same_parameters(got: BgNbdParameters, want: BgNbdParameters, rel: float) -> None:
    for name in NAMES:
        assert getattr(got, name) == pytest.approx(getattr(want, name), rel=rel), name


@pytest.mark.parametrize(
    "cuts",
    [[], [500, 1000, 1500, 2000], [0, 7, 7, 1800, 2357]],
    ids=["one partition", "five", "uneven with empty ones"],
)
def test_fit_equals_in_memory_fit_on_cdnow(
    client: Any, cdnow: pd.DataFrame, cuts: list[int]
) -> None:
    want = BgNbd().fit(summaries(cdnow))
    got = fit_bgnbd_frame(partitioned(cdnow, cuts))
    assert_same_parameters(got, want, rel=1e-6)
    assert got.fit.converged
    assert got.fit.log_likelihood == pytest.approx(want.fit.log_likelihood, rel=1e-12)
    # The published fit (Fader, Hardie and Lee 2005, section 5): r, alpha, a, b and the LL.
    assert (round(got.r, 3), round(got.alpha, 3), round(got.a, 3), round(got.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(got.fit.log_likelihood, 1) == -9582.4


@pytest.mark.parametrize(("accounts", "partitions", "seed"), [(3_000, 2, 1), (20_000, 5, 2)])
def test_fit_equals_in_memory_fit_on_a_simulated_book(
    client: Any, accounts: int, partitions: int, seed: int
) -> None:
    frame = simulate_bgnbd_frame(accounts, TRUE, partitions=partitions, seed=seed).persist()
    want = BgNbd().fit(summaries(frame.compute()))
    got = fit_bgnbd_frame(frame)
    assert_same_parameters(got, want, rel=1e-6)
    assert got.fit.log_likelihood == pytest.approx(want.fit.log_likelihood, rel=1e-12)


def test_fit_reaches_the_maximum_likelihood(client: Any, cdnow: pd.DataFrame) -> None:
    """The gradient at the fitted parameters vanishes: a maximum, not an early stop."""
    got = fit_bgnbd_frame(partitioned(cdnow, [1000]))
    rows = dask_models._distinct(cdnow)
    x = np.log([got.r, got.alpha, got.a, got.b])
    gradient = dask_models._sums_at(BgNbd(), rows, x)[1:] / len(cdnow)
    assert np.abs(gradient).max() < 1e-12


def test_fit_recovers_the_parameters_of_a_large_simulated_book(client: Any) -> None:
    # 200,000 accounts: the standard errors of the estimates are a few per cent at most.
    got = fit_bgnbd_frame(simulate_bgnbd_frame(200_000, TRUE, partitions=4, seed=7))
    for name, true in zip(NAMES, TRUE, strict=True):
        assert getattr(got, name) == pytest.approx(true, rel=0.1), name


@settings(max_examples=10, deadline=None)
@given(cuts=st.lists(st.integers(0, 2357), max_size=4))
def test_fit_does_not_depend_on_how_the_book_is_partitioned(
    client: Any, cdnow: pd.DataFrame, cuts: list[int]
) -> None:
    whole = fit_bgnbd_frame(partitioned(cdnow, []))
    assert_same_parameters(fit_bgnbd_frame(partitioned(cdnow, cuts)), whole, rel=1e-10)


@settings(max_examples=30, deadline=None)
@given(
    log_params=st.tuples(*[st.floats(-3.0, 3.0) for _ in range(4)]),
    seed=st.integers(0, 2**16),
)
def test_gradient_is_the_derivative_of_the_log_likelihood(
    log_params: tuple[float, ...], seed: int
) -> None:
    book = simulate_bgnbd_frame(50, TRUE, seed=seed).compute(scheduler="sync")
    rows = dask_models._distinct(book)
    x = np.array(log_params)
    step = 1e-6
    sums = dask_models._sums_at(BgNbd(), rows, x)
    for i, unit in enumerate(np.eye(4)):
        up = dask_models._sums_at(BgNbd(), rows, x + step * unit)[0]
        down = dask_models._sums_at(BgNbd(), rows, x - step * unit)[0]
        assert sums[1 + i] == pytest.approx((up - down) / (2 * step), rel=1e-5, abs=1e-5)


def test_predictions_equal_the_in_memory_model(client: Any, cdnow: pd.DataFrame) -> None:
    frame = partitioned(cdnow, [100, 100, 2000])
    params = fit_bgnbd_frame(frame)
    scored = predict_bgnbd_frame(frame, params, horizon=52).compute()
    data = summaries(cdnow)
    np.testing.assert_array_equal(scored["p_alive"], BgNbd().p_alive(params, data))
    np.testing.assert_allclose(
        scored["expected_purchases"], BgNbd().expected_purchases(params, data, 52), rtol=1e-15
    )
    assert list(scored["ID"]) == list(cdnow["ID"])


def test_simulated_books_are_reproducible_and_consistent(client: Any) -> None:
    book = simulate_bgnbd_frame(10_000, TRUE, partitions=3, seed=5).compute()
    again = simulate_bgnbd_frame(10_000, TRUE, partitions=3, seed=5).compute()
    pd.testing.assert_frame_equal(book, again)
    assert book["account_id"].is_unique
    assert ((book["recency"] >= 0) & (book["recency"] <= book["T"])).all()
    assert (book.loc[book["frequency"] == 0, "recency"] == 0).all()
    assert book["T"].between(27.0, 39.0).all()
    # Under these parameters about 40% of a CDNOW-like cohort buys again within 39 weeks.
    assert 0.3 < (book["frequency"] > 0).mean() < 0.5


def test_a_book_without_repeat_buyers_is_refused_as_in_memory(client: Any) -> None:
    book = pd.DataFrame({"frequency": [0, 0, 0], "recency": [0.0] * 3, "T": [10.0] * 3})
    with pytest.raises(ConfigurationError) as in_memory:
        BgNbd().fit(summaries(book))
    with pytest.raises(ConfigurationError) as on_dask:
        fit_bgnbd_frame(partitioned(book, [1]))
    assert str(on_dask.value) == str(in_memory.value)


def test_a_single_account_is_refused(client: Any) -> None:
    book = pd.DataFrame({"frequency": [1], "recency": [2.0], "T": [10.0]})
    with pytest.raises(ConfigurationError, match="at least 2 accounts, got 1"):
        fit_bgnbd_frame(partitioned(book, [0]))


def test_a_bad_row_is_refused_by_its_worker(client: Any) -> None:
    book = pd.DataFrame({"frequency": [1, 2], "recency": [2.0, 12.0], "T": [10.0, 10.0]})
    with pytest.raises(ConfigurationError, match="recency must lie between 0 and T"):
        fit_bgnbd_frame(partitioned(book, [1]))


def test_a_frame_without_the_summary_columns_is_refused() -> None:
    frame = dd.from_pandas(pd.DataFrame({"frequency": [1], "recency": [1.0]}), npartitions=1)
    with pytest.raises(ConfigurationError, match="no column 'T'"):
        fit_bgnbd_frame(frame)
    with pytest.raises(ConfigurationError, match="expected a dask DataFrame"):
        fit_bgnbd_frame(pd.DataFrame({"frequency": [1]}))
    with pytest.raises(ConfigurationError, match="horizon must not be negative"):
        predict_bgnbd_frame(simulate_bgnbd_frame(10, TRUE), TRUE, horizon=-1)


def test_a_subclass_of_the_model_is_refused_rather_than_fitted_as_plain_bgnbd() -> None:
    class Tuned(BgNbd):
        def log_likelihood(self, *args: Any, **kwargs: Any) -> Any:  # a model of its own
            raise AssertionError("never called by the Dask fit")

    frame = dd.from_pandas(pd.DataFrame({"frequency": [1], "recency": [1.0]}), npartitions=1)
    with pytest.raises(ConfigurationError, match="what Tuned changes would be ignored"):
        fit_bgnbd_frame(frame, Tuned())

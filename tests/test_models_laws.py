"""Laws of the purchase models, for any parameters and any purchase history."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.policies.models import BgNbd, GammaGamma, PurchaseSummaries

pytest.importorskip("scipy")

bgnbd_parameters = st.tuples(
    st.floats(0.01, 20.0),  # r
    st.floats(0.01, 200.0),  # alpha
    st.floats(0.01, 20.0),  # a
    st.floats(0.01, 20.0),  # b
)


@st.composite
def histories(draw: st.DrawFn, min_size: int = 1, max_size: int = 12) -> PurchaseSummaries:
    """Purchase summaries: frequency, recency as a share of T, and T."""
    rows = draw(
        st.lists(
            st.tuples(st.integers(0, 300), st.floats(0.0, 1.0), st.floats(0.0, 500.0)),
            min_size=min_size,
            max_size=max_size,
        )
    )
    return PurchaseSummaries(
        ids=tuple(f"a{i}" for i in range(len(rows))),
        frequency=[x for x, _, _ in rows],
        recency=[share * T if x > 0 else 0.0 for x, share, T in rows],
        T=[T for _, _, T in rows],
        monetary=[10.0 + x for x, _, _ in rows],
    )


def _one(frequency: int, recency: float, age: float) -> PurchaseSummaries:
    return PurchaseSummaries(ids=("a",), frequency=[frequency], recency=[recency], T=[age])


@given(bgnbd_parameters, histories())
def test_p_alive_is_a_probability(params: tuple[float, ...], data: PurchaseSummaries) -> None:
    p = BgNbd().p_alive(params, data)
    assert np.all((p >= 0.0) & (p <= 1.0))


@given(
    bgnbd_parameters,
    st.integers(1, 300),
    st.floats(0.01, 500.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
)
def test_p_alive_does_not_rise_with_the_recency_gap(
    params: tuple[float, ...], x: int, age: float, share: float, other: float
) -> None:
    # The earlier last purchase leaves the longer silence, T - recency, before the end.
    recent, earlier = max(share, other) * age, min(share, other) * age
    model = BgNbd()
    silent = model.p_alive(params, _one(x, earlier, age))[0]
    assert silent <= model.p_alive(params, _one(x, recent, age))[0]


@given(bgnbd_parameters, st.floats(0.0, 500.0))
def test_p_alive_is_one_without_a_repeat_purchase(params: tuple[float, ...], age: float) -> None:
    assert BgNbd().p_alive(params, _one(0, 0.0, age)).tolist() == [1.0]


@given(bgnbd_parameters, histories(), st.floats(0.0, 200.0), st.floats(0.0, 200.0))
def test_expected_purchases_are_positive_and_grow_with_the_horizon(
    params: tuple[float, ...], data: PurchaseSummaries, h1: float, h2: float
) -> None:
    shorter, longer = sorted((h1, h2))
    model = BgNbd()
    near = model.expected_purchases(params, data, shorter)
    far = model.expected_purchases(params, data, longer)
    assert np.all(np.isfinite(near))
    assert np.all(np.isfinite(far))
    assert np.all(near >= -1e-12)
    assert np.all(far >= near - 1e-9 * (1.0 + near))


@st.composite
def fittable(draw: st.DrawFn) -> PurchaseSummaries:
    """Histories with at least three repeat buyers watched for some time."""
    data = draw(histories(min_size=2, max_size=30))
    extra = draw(
        st.lists(
            st.tuples(st.integers(1, 40), st.floats(0.1, 1.0), st.floats(1.0, 100.0)),
            min_size=3,
            max_size=3,
        )
    )
    return PurchaseSummaries(
        ids=(*data.ids, "r0", "r1", "r2"),
        frequency=[*data.frequency.tolist(), *(x for x, _, _ in extra)],
        recency=[*data.recency.tolist(), *(share * T for _, share, T in extra)],
        T=[*data.T.tolist(), *(T for _, _, T in extra)],
        monetary=[*data.monetary.tolist(), *(10.0 + x for x, _, _ in extra)],
    )


def _same(first: tuple[float, ...], second: tuple[float, ...]) -> None:
    np.testing.assert_allclose(first, second, rtol=1e-8)


@settings(max_examples=10, deadline=None)
@given(fittable(), st.randoms(use_true_random=False))
def test_the_fit_does_not_depend_on_the_order_of_accounts(
    data: PurchaseSummaries, rnd: random.Random
) -> None:
    order = list(range(len(data)))
    rnd.shuffle(order)
    shuffled = data.take(order)
    first, second = BgNbd().fit(data), BgNbd().fit(shuffled)
    _same((first.r, first.alpha, first.a, first.b), (second.r, second.alpha, second.a, second.b))
    spend, spend_shuffled = GammaGamma().fit(data), GammaGamma().fit(shuffled)
    _same((spend.p, spend.q, spend.v), (spend_shuffled.p, spend_shuffled.q, spend_shuffled.v))

"""Gamma-Gamma spend model on the CDNOW sample, against Fader and Hardie (2013), "The
Gamma-Gamma model of monetary value", brucehardie.com note 025 (the 946 repeat buyers'
mean repeat spend: p = 6.25, q = 3.74, gamma = 15.44).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from accountcare.errors import ConfigurationError
from accountcare.policies.models import (
    GammaGamma,
    GammaGammaParameters,
    PurchaseSummaries,
    summarise,
)
from accountcare.serialization import structure, unstructure
from test_models_summaries import CALIBRATION_END, cdnow_orders

pytest.importorskip("scipy")

PUBLISHED = (6.25, 3.74, 15.44)


@cache
def cdnow() -> PurchaseSummaries:
    return summarise(cdnow_orders(), calibration_end=CALIBRATION_END)


@cache
def fitted() -> GammaGammaParameters:
    return GammaGamma().fit(cdnow())


def test_cdnow_fit_reproduces_the_published_parameters() -> None:
    # Source: Fader and Hardie (2013), note 025, to the two decimals published.
    params = fitted()
    assert (round(params.p, 2), round(params.q, 2), round(params.v, 2)) == PUBLISHED
    assert params.fit.converged


def test_the_fit_reads_the_repeat_buyers_only() -> None:
    data = cdnow()
    repeat = np.flatnonzero(data.frequency > 0)
    assert len(repeat) == 946
    alone = GammaGamma().fit(data.take(repeat))
    assert (alone.p, alone.q, alone.v) == pytest.approx((fitted().p, fitted().q, fitted().v))
    assert GammaGamma().log_likelihood(fitted(), data)[data.frequency == 0].tolist() == [0.0] * (
        len(data) - 946
    )


def test_expected_spend_weighs_the_book_mean_against_the_accounts_own() -> None:
    # Fader and Hardie (2013), note 025, equation (5).
    p, q, v = PUBLISHED
    data = PurchaseSummaries(
        ids=("none", "few", "many"),
        frequency=[0, 1, 50],
        recency=[0.0, 5.0, 30.0],
        T=[38.0, 38.0, 38.0],
        monetary=[0.0, 100.0, 100.0],
    )
    spend = GammaGamma().expected_spend(PUBLISHED, data)
    book = p * v / (q - 1)
    for i, x in enumerate([0, 1, 50]):
        weight = p * x / (p * x + q - 1)
        assert spend[i] == pytest.approx((1 - weight) * book + weight * data.monetary[i])
    assert spend[0] < spend[1] < spend[2] < 100.0


def test_without_a_book_mean_the_spend_of_a_new_account_is_infinite() -> None:
    data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[3.0])
    assert GammaGamma().expected_spend([6.25, 0.9, 15.44], data).tolist() == [float("inf")]


def test_parameters_round_trip_through_the_converter() -> None:
    assert structure(unstructure(fitted()), GammaGammaParameters) == fitted()


def test_a_repeat_buyer_with_no_spend_is_refused() -> None:
    data = PurchaseSummaries(
        ids=("a", "b", "c", "d"),
        frequency=[1, 2, 3, 1],
        recency=[1.0, 2.0, 3.0, 1.0],
        T=[4.0, 4.0, 4.0, 4.0],
        monetary=[10.0, 20.0, 30.0, 0.0],
    )
    with pytest.raises(ConfigurationError, match="positive mean spend"):
        GammaGamma().fit(data)


def test_too_few_repeat_buyers_are_refused() -> None:
    data = PurchaseSummaries(
        ids=("a", "b"), frequency=[1, 0], recency=[1.0, 0.0], T=[4.0, 4.0], monetary=[9.0, 0.0]
    )
    with pytest.raises(ConfigurationError, match="at least 3 repeat buyers"):
        GammaGamma().fit(data)

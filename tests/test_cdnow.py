"""Real data: the CDNOW purchases (tests/data/README.md), 23,570 customers. ABC and
rank-band tiers agree exactly, customer by customer, with an independent pandas
computation written here (sort by value descending and id, cumulative sum, share before
each tie group, cut)."""

from __future__ import annotations

import gzip
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from accountcare.policies.tiers.abc import AbcPolicy
from accountcare.policies.tiers.rank_bands import RankBandPolicy

DATA = Path(__file__).parent / "data" / "cdnow_master.txt.gz"
pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def spend() -> dict[str, Decimal]:
    """Dollar value per customer, summed exactly in Decimal."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    with gzip.open(DATA, "rt") as lines:
        next(lines)  # the header
        for line in lines:
            customer, _day, _cds, dollars = line.split()
            totals[customer] += Decimal(dollars)
    return dict(totals)


@pytest.fixture(scope="module")
def reference() -> Any:
    """The pandas side: cents per customer as int64, ranked and cut by hand."""
    raw = pd.read_csv(
        DATA, sep=r"\s+", header=None, skiprows=1, names=["id", "day", "cds", "dollars"], dtype=str
    )
    raw["cents"] = raw["dollars"].str.replace(".", "", regex=False).astype("int64")
    book = raw.groupby("id", as_index=False)["cents"].sum()
    book = book.sort_values(["cents", "id"], ascending=[False, True], ignore_index=True)
    total = int(book["cents"].sum())
    before = book["cents"].cumsum() - book["cents"]
    group_before = before.groupby(book["cents"]).transform("min")  # share before the tie group
    position = pd.Series(np.arange(len(book))).groupby(book["cents"]).transform("min")
    book["abc"] = np.select(
        [group_before * 100 < 80 * total, group_before * 100 < 95 * total], ["A", "B"], "C"
    )
    n = len(book)
    positive = book["cents"] > 0
    book["bands"] = np.select(
        [positive & (position * 100 < 5 * n), positive & (position * 100 < 20 * n)], ["A", "B"], "C"
    )
    return book.set_index("id")


def test_the_data_set_is_the_one_documented(spend: dict[str, Decimal]) -> None:
    assert len(spend) == 23_570
    assert any(v == 0 for v in spend.values())  # free items: ties at zero


def test_abc_agrees_exactly_with_an_independent_pandas_computation(
    spend: dict[str, Decimal], reference: Any
) -> None:
    tiers = AbcPolicy().assign(spend)
    ours = tiers.labels()
    theirs = reference["abc"].to_dict()
    assert ours == theirs
    assert {t: list(theirs.values()).count(t) for t in "ABC"} == tiers.counts()


def test_rank_bands_agree_exactly_with_an_independent_pandas_computation(
    spend: dict[str, Decimal], reference: Any
) -> None:
    assert RankBandPolicy().assign(spend).labels() == reference["bands"].to_dict()


def test_abc_on_floats_agrees_with_the_vectorised_path(spend: dict[str, Decimal]) -> None:
    from accountcare.policies.tiers.vectorised import vector_tiers

    values = pd.Series({k: float(v) for k, v in spend.items()})
    vector = vector_tiers(AbcPolicy(), values)
    assert vector.to_dict() == AbcPolicy().assign(values.to_dict()).labels()

"""Tiering a book on Dask equals ``policy.assign`` on one machine, account by account.

Everything runs on a local cluster of two worker processes, so summaries, cut-offs and
errors really cross process boundaries. Books come from Hypothesis (ints and floats with
ties, zeros and refunds) and from a Pareto book of 200,000 accounts, cut into uneven
partitions, some of them empty.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from accountcare.adapters.dask_tiers import (  # noqa: E402
    classify_frame,
    fit_frame,
    fit_value_counts,
    tier_frame,
)
from accountcare.errors import ConfigurationError, InvalidRecord  # noqa: E402
from accountcare.policies.tiers.abc import AbcPolicy  # noqa: E402
from accountcare.policies.tiers.profitability import ProfitabilityPolicy  # noqa: E402
from accountcare.policies.tiers.rank_bands import RankBandPolicy  # noqa: E402
from accountcare.policies.tiers.tiering import PopulationPolicy  # noqa: E402
from accountcare.policies.tiers.value_labels import ValueLabelPolicy  # noqa: E402
from accountcare.testing import tier_values  # noqa: E402

POLICIES: list[PopulationPolicy] = [
    AbcPolicy(),
    AbcPolicy(cutoffs=(0.5, 0.7, 0.9), labels=("W", "X", "Y", "Z")),
    RankBandPolicy(),
    RankBandPolicy(bands=(0.25, 0.5)),
    ProfitabilityPolicy(),
    ValueLabelPolicy(high=50, medium=10),
]
IDS = [f"{p.name}{p.tiers}" for p in POLICIES]


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


def partitioned(frame: pd.DataFrame, cuts: Sequence[int]) -> Any:
    """``frame`` as a Dask DataFrame cut before each row position in ``cuts`` (repeated or
    end positions make empty partitions)."""
    edges = [0, *sorted(cuts), len(frame)]
    pieces = [frame.iloc[a:b] for a, b in pairwise(edges)]
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=frame.iloc[:0])


def book_frame(book: Mapping[str, Any], dtype: str = "float64") -> pd.DataFrame:
    return pd.DataFrame(
        {"account_id": list(book), "value": np.array(list(book.values()), dtype=dtype)}
    )


def assert_same_as_assign(policy: PopulationPolicy, book: Mapping[str, Any], frame: Any) -> None:
    """The Dask tiers, cut-offs met and fitted cut-offs equal the single-machine ones."""
    expected = policy.assign(book)
    result = tier_frame(frame, policy).compute()
    assert list(result["account_id"]) == list(book)  # every row, in the frame's order
    got = dict(zip(result["account_id"], result["tier"].astype(object), strict=True))
    assert got == expected.labels()
    # The cut-off met is the reason's, read from one assignment of each tier.
    first: dict[str, str] = {}
    for account_id, tier in got.items():
        first.setdefault(tier, account_id)
    met = {tier: expected[account_id].reason.cutoff for tier, account_id in first.items()}
    cutoffs = [met[tier] for tier in got.values()]
    np.testing.assert_array_equal(result["cutoff"], [np.nan if c is None else c for c in cutoffs])
    assert fit_frame(frame, policy) == policy.fit(book)


@st.composite
def partitioned_books(draw: st.DrawFn) -> tuple[dict[str, Any], str, list[int]]:
    """A book of ints or floats (ties, zeros, refunds), and where to cut it."""
    kind = draw(st.sampled_from(["int", "float"]))
    book = draw(tier_values(kind, max_size=30))
    cuts = draw(st.lists(st.integers(0, len(book)), max_size=4))
    return book, kind, cuts


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(case=partitioned_books())
def test_dask_tiers_equal_assign_on_generated_books(
    client: Any, policy: PopulationPolicy, case: tuple[dict[str, Any], str, list[int]]
) -> None:
    book, kind, cuts = case
    frame = book_frame(book, "int64" if kind == "int" else "float64")
    assert_same_as_assign(policy, book, partitioned(frame, cuts))


def pareto_book(distinct: bool) -> dict[str, float]:
    """200,000 accounts of Pareto spend minus a fixed cost: losses, and (rounded to
    cents) many ties; or every value distinct."""
    rng = np.random.default_rng(20261122)
    spend = (rng.pareto(1.16, 200_000) + 1.0) * 100.0 - 150.0
    values = spend if distinct else np.round(spend, 2)
    ids = [f"acct-{n:06d}" for n in rng.permutation(200_000)]
    return dict(zip(ids, values.tolist(), strict=True))


@pytest.fixture(scope="module", params=["rounded", "distinct"])
def pareto(request: pytest.FixtureRequest) -> tuple[dict[str, float], Any]:
    book = pareto_book(request.param == "distinct")
    cuts = [7, 7, 50_000, 51_000, 140_000, 200_000]  # uneven, with two empty partitions
    return book, partitioned(book_frame(book), cuts)


@pytest.mark.slow
@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_dask_tiers_equal_assign_on_a_pareto_book(
    client: Any, policy: PopulationPolicy, pareto: tuple[dict[str, float], Any]
) -> None:
    book, frame = pareto
    assert frame.npartitions == 7
    assert_same_as_assign(policy, book, frame)


@pytest.mark.parametrize("cuts", [[], [1, 1], [2], [1, 2, 3, 4]])
def test_tied_accounts_in_different_partitions_share_a_tier(client: Any, cuts: list[int]) -> None:
    # Accounts above b and c hold exactly 80%: b and c are both B, wherever they sit.
    book = {"b": 10, "a": 80, "d": 0, "c": 10}
    frame = partitioned(book_frame(book, "int64"), cuts)
    assert_same_as_assign(AbcPolicy(), book, frame)
    tiers = tier_frame(frame, AbcPolicy()).compute().set_index("account_id")["tier"]
    assert tiers["b"] == tiers["c"] == "B"


NEAR_A_CUTOFF = [
    {"p": 0.4, "q": 0.4, "r": 0.1, "s": 0.1},  # share before r: 0.8 up to rounding
    {**{f"t{n}": 0.2 for n in range(4)}, "u": 0.1, "v": 0.1},  # exactly 4/5 as rationals
    {"w": 0.95, "x": 0.05, "y": 0.0},  # share before x: 0.95 up to rounding
]


@pytest.mark.parametrize("book", NEAR_A_CUTOFF)
def test_float_shares_next_to_a_cutoff_are_decided_exactly(
    client: Any, book: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    for policy in POLICIES:
        assert_same_as_assign(policy, book, partitioned(book_frame(book), [1, 3]))
    # These books do take the exact path of the fit (run here, in this process).
    from accountcare.policies.tiers import vectorised

    exact_calls: list[int] = []
    scaled = vectorised._scaled
    monkeypatch.setattr(vectorised, "_scaled", lambda xs: exact_calls.append(1) or scaled(xs))
    with dask.config.set(scheduler="sync"):
        assert fit_frame(partitioned(book_frame(book), [1, 3]), AbcPolicy()) == AbcPolicy().fit(
            book
        )
    assert exact_calls


def test_an_empty_book_tiers_to_an_empty_frame(client: Any) -> None:
    frame = partitioned(book_frame({}), [0, 0])
    cutoffs = fit_frame(frame, AbcPolicy())
    assert cutoffs == AbcPolicy().fit({})
    assert cutoffs.population == 0
    assert cutoffs.floors == (None, None)
    assert len(tier_frame(frame, AbcPolicy()).compute()) == 0


def test_given_cutoffs_classify_without_fitting_again(client: Any) -> None:
    book = {"acme": 800.0, "globex": 150.0, "initech": 50.0}
    cutoffs = AbcPolicy().fit(book)
    bigger = {**book, "hooli": 5000.0, "umbrella": 100.0}
    result = tier_frame(partitioned(book_frame(bigger), [2]), AbcPolicy(), cutoffs=cutoffs)
    got = dict(zip(*result.compute()[["account_id", "tier"]].to_numpy().T, strict=True))
    assert got == {k: AbcPolicy().classify(cutoffs, k, v).tier for k, v in bigger.items()}


def test_tier_and_cutoff_columns_can_be_renamed_or_left_out(client: Any) -> None:
    frame = partitioned(book_frame({"a": 5.0, "b": 1.0}), [1])
    result = tier_frame(frame, RankBandPolicy(), tier_column="band", cutoff_column=None)
    assert list(result.columns) == ["account_id", "value", "band"]
    assert list(result.compute()["band"].cat.categories) == ["A", "B", "C"]


# The two steps on their own, as another engine (Spark) uses them: no cluster needed.


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
@settings(max_examples=50, deadline=None)
@given(book=tier_values("float", max_size=30), kind=st.sampled_from(["int", "float"]))
def test_fit_value_counts_then_classify_frame_equal_assign(
    policy: PopulationPolicy, book: dict[str, Any], kind: str
) -> None:
    if kind == "int":
        book = {k: int(v) for k, v in book.items()}
    frame = book_frame(book, "int64" if kind == "int" else "float64")
    # Unmerged, unsorted counts with zeros in them, as a per-batch groupBy could give.
    column = frame["value"].to_numpy()
    values = np.concatenate([column, column[:3]])
    counts = np.concatenate([np.ones(len(column), np.int64), np.zeros(len(column[:3]), np.int64)])
    cutoffs = fit_value_counts(policy, values[::-1], counts[::-1])
    assert cutoffs == policy.fit(book)
    tiers = classify_frame(frame, policy, cutoffs)["tier"].astype(object).tolist()
    assert dict(zip(book, tiers, strict=True)) == policy.assign(book).labels()


@pytest.mark.parametrize(
    ("values", "counts", "field"),
    [([1.0, float("nan")], [1, 1], "value"), ([1.0, 2.0], [1, -1], "count")],
)
def test_fit_value_counts_refuses_bad_counts(
    values: list[float], counts: list[int], field: str
) -> None:
    with pytest.raises(InvalidRecord, match=f"field '{field}'"):
        fit_value_counts(AbcPolicy(), values, counts)


# Bad input: the error names the column and, for a bad row, the account.


@pytest.mark.parametrize("column", ["account_id", "value"])
def test_a_missing_column_is_named(client: Any, column: str) -> None:
    frame = partitioned(book_frame({"a": 1.0}).drop(columns=column), [])
    with pytest.raises(ConfigurationError, match=f"no column '{column}'"):
        tier_frame(frame, AbcPolicy())
    with pytest.raises(ConfigurationError, match=f"no column '{column}'"):
        fit_frame(frame, AbcPolicy())


@pytest.mark.parametrize(
    ("value", "dtype", "shown"),
    [
        (float("nan"), "float64", "nan"),
        (float("-inf"), "float64", "-inf"),
        (pd.NA, "Float64", "a missing value"),  # pandas' nullable floats
    ],
)
def test_a_value_that_is_not_a_finite_number_names_the_account(
    client: Any, value: Any, dtype: str, shown: str
) -> None:
    frame = pd.DataFrame(
        {"account_id": ["acme", "globex", "initech"], "value": [1.0, 2.0, 3.0]}
    ).astype({"value": dtype})
    frame.loc[1, "value"] = value
    bad = partitioned(frame, [1])
    with pytest.raises(InvalidRecord, match=f"account 'globex'.*'value'.*got {shown}"):
        tier_frame(bad, AbcPolicy())
    cutoffs = AbcPolicy().fit({"acme": 1.0})  # classifying checks each row too
    with pytest.raises(InvalidRecord, match="account 'globex'"):
        tier_frame(bad, AbcPolicy(), cutoffs=cutoffs).compute()


@pytest.mark.parametrize("account_id", [None, "", "  "])
def test_a_row_without_an_account_id_is_named(client: Any, account_id: Any) -> None:
    frame = pd.DataFrame({"account_id": ["acme", account_id], "value": [1.0, 2.0]})
    with pytest.raises(InvalidRecord, match=r"row 1: field 'account_id'"):
        fit_frame(partitioned(frame, []), AbcPolicy())


def test_integers_beyond_float_precision_name_the_account(client: Any) -> None:
    frame = book_frame({"acme": 2**53 + 1, "globex": 5}, "int64")
    with pytest.raises(InvalidRecord, match=r"account 'acme'.*2\*\*53"):
        fit_frame(partitioned(frame, []), AbcPolicy())


def test_a_value_column_that_is_not_numeric_is_refused(client: Any) -> None:
    frame = pd.DataFrame({"account_id": ["a"], "value": [Decimal("1.5")]})
    with pytest.raises(ConfigurationError, match="column 'value' must hold floats or ints"):
        tier_frame(partitioned(frame, []), AbcPolicy())


def test_cutoffs_of_another_policy_are_refused(client: Any) -> None:
    frame = partitioned(book_frame({"a": 1.0}), [])
    with pytest.raises(ConfigurationError, match="cannot classify"):
        tier_frame(frame, RankBandPolicy(), cutoffs=AbcPolicy().fit({"a": 1.0}))


def test_an_existing_tier_column_is_not_overwritten(client: Any) -> None:
    frame = partitioned(book_frame({"a": 1.0}).assign(tier="old"), [])
    with pytest.raises(ConfigurationError, match="already has a column 'tier'"):
        tier_frame(frame, AbcPolicy())

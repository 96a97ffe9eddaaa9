"""``vector_tiers`` takes one column of numbers in whatever a notebook holds it.

pandas Series (and a frame's column), polars Series, pyarrow arrays, numpy arrays and
plain sequences all give the tiers ``assign`` gives; the result is a column of the same
library. Anything else is refused with an error of ours saying what was given.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pytest.importorskip("narwhals")

from accountcare.errors import ConfigurationError, InvalidRecord  # noqa: E402
from accountcare.policies.tiers.abc import AbcPolicy  # noqa: E402
from accountcare.policies.tiers.profitability import ProfitabilityPolicy  # noqa: E402
from accountcare.policies.tiers.rank_bands import RankBandPolicy  # noqa: E402
from accountcare.policies.tiers.vectorised import vector_tiers  # noqa: E402
from accountcare.sample import sample_book  # noqa: E402
from accountcare.testing import tier_values  # noqa: E402

POLICIES = [AbcPolicy(), RankBandPolicy(), ProfitabilityPolicy()]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
@settings(max_examples=40, deadline=None)
@given(values=tier_values("float", max_size=15))
def test_every_kind_of_column_gives_the_tiers_assign_gives(
    policy: Any, values: dict[str, float]
) -> None:
    ids = list(values)
    numbers = [float(values[k]) for k in ids]
    expected = [policy.assign(values).labels()[k] for k in ids]

    by_index = vector_tiers(policy, pd.Series(numbers, index=ids, dtype=float))
    assert isinstance(by_index, pd.Series)
    assert by_index.to_dict() == dict(zip(ids, expected, strict=True))
    frame = pd.DataFrame({"revenue": numbers}, index=pd.Index(ids, name="account_id"))
    column = vector_tiers(policy, frame["revenue"])
    assert column.index.equals(frame.index)
    assert column.tolist() == expected

    polars = vector_tiers(policy, pl.Series("revenue", numbers, dtype=pl.Float64), ids=ids)
    assert isinstance(polars, pl.Series)
    assert polars.to_list() == expected
    assert vector_tiers(policy, np.array(numbers, dtype=float), ids).tolist() == expected
    assert list(vector_tiers(policy, numbers, ids)) == expected
    assert list(vector_tiers(policy, tuple(numbers), ids)) == expected


def test_a_real_books_revenue_tiers_alike_from_pandas_and_polars() -> None:
    book = sample_book(accounts=80, as_of=date(2026, 11, 2))
    revenue: dict[str, float] = {}
    for order in book.orders:
        revenue[order.account_id] = revenue.get(order.account_id, 0.0) + float(order.amount)
    expected = AbcPolicy().assign(revenue).labels()
    series = pd.Series(revenue, name="revenue")
    by_pandas = vector_tiers(AbcPolicy(), series)
    assert by_pandas.name == "tier"
    assert by_pandas.to_dict() == expected
    table = pl.DataFrame({"account_id": list(revenue), "revenue": list(revenue.values())})
    tiers = vector_tiers(AbcPolicy(), table["revenue"], ids=table["account_id"])
    tiered = table.with_columns(tiers)
    assert dict(zip(tiered["account_id"], tiered["tier"], strict=True)) == expected


def test_integer_and_nullable_columns_are_numbers() -> None:
    ids = ["a", "b", "c"]
    for column in (
        pd.Series([800, 150, 50], index=ids),
        pd.Series([800, 150, 50], index=ids, dtype="Int64"),
        pd.Series([800, 150, 50], index=ids, dtype="uint16"),
    ):
        assert vector_tiers(AbcPolicy(), column).tolist() == ["A", "B", "C"]
    assert vector_tiers(AbcPolicy(), pl.Series([800, 150, 50], dtype=pl.Int32)).to_list() == [
        "A",
        "B",
        "C",
    ]


def test_polars_without_ids_stands_rows_for_accounts() -> None:
    tiers = vector_tiers(AbcPolicy(), pl.Series("revenue", [800.0, 150.0, 50.0]))
    assert tiers.name == "tier"
    assert tiers.to_list() == ["A", "B", "C"]
    with pytest.raises(InvalidRecord) as err:
        vector_tiers(AbcPolicy(), pl.Series([800.0, None, 50.0]))
    assert (err.value.record, err.value.field) == ("account '1'", "value")


def test_a_missing_pandas_value_names_its_account() -> None:
    with pytest.raises(InvalidRecord) as err:
        vector_tiers(AbcPolicy(), pd.Series([800, None], index=["acme", "globex"], dtype="Int64"))
    assert err.value.record == "account 'globex'"


def test_a_pyarrow_column_comes_back_as_pyarrow() -> None:
    pa = pytest.importorskip("pyarrow")
    tiers = vector_tiers(AbcPolicy(), pa.chunked_array([[800.0, 150.0], [50.0]]), ids=list("abc"))
    assert isinstance(tiers, pa.ChunkedArray)
    assert tiers.to_pylist() == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"acme": 800}, r"got a dict \(for a mapping of account id to value, use policy.assign\)"),
        ("800", "got a str"),
        (800, "got a value of type int"),
        ({800, 150}, "got a value of type set"),
        (
            pd.DataFrame({"a": [1], "b": [2]}),
            r"one column, got a DataFrame with columns \['a', 'b'\]",
        ),
        (
            pl.DataFrame({"revenue": [1.0], "margin": [0.5]}),
            r"pass one of them, e\.g\. frame\['revenue'\]",
        ),
        (pd.Series(["800"]), "must be numbers, got a Series of String values"),
        (pl.Series("flag", [True]), "must be numbers, got a Series 'flag' of Boolean values"),
        (np.zeros((2, 2)), "got 2-d values of dtype float64"),
        (np.array(["x"]), "1-d array of numbers, got 1-d values of dtype <U1"),
        ([True, False], "of dtype bool"),
    ],
)
def test_anything_but_one_column_of_numbers_is_refused_saying_what_it_was(
    values: Any, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as err:
        vector_tiers(AbcPolicy(), values, ids=["a"] if not hasattr(values, "index") else None)
    assert str(err.value).startswith("vector_tiers: values must be")


def test_ids_must_match_the_values() -> None:
    with pytest.raises(ConfigurationError, match=r"differ in length \(1 and 2\)"):
        vector_tiers(AbcPolicy(), pl.Series([1.0, 2.0]), ids=["a"])
    with pytest.raises(ConfigurationError, match="give ids"):
        vector_tiers(AbcPolicy(), [1.0, 2.0])


def test_numpy_input_imports_neither_narwhals_nor_polars() -> None:
    code = (
        "import sys, numpy as np\n"
        "from accountcare.policies.tiers.abc import AbcPolicy\n"
        "from accountcare.policies.tiers.vectorised import vector_tiers\n"
        "ids = ['a', 'b', 'c']\n"
        "assert list(vector_tiers(AbcPolicy(), np.array([8.0, 1.5, 0.5]), ids)) == list('ABC')\n"
        "assert list(vector_tiers(AbcPolicy(), [800, 150, 50], ids)) == list('ABC')\n"
        "assert 'narwhals' not in sys.modules and 'polars' not in sys.modules, sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ids_must_be_a_sequence_of_ids() -> None:
    with pytest.raises(
        ConfigurationError, match="ids must be a sequence of account ids, got a str"
    ):
        vector_tiers(AbcPolicy(), [1.0], ids="a")


def test_a_frame_of_one_column_is_that_column() -> None:
    frame = pd.DataFrame({"revenue": [800.0, 150.0, 50.0]}, index=["a", "b", "c"])
    tiers = vector_tiers(AbcPolicy(), frame)
    assert tiers.tolist() == ["A", "B", "C"]
    assert tiers.index.tolist() == ["a", "b", "c"]
    polars = pl.DataFrame({"revenue": [800.0, 150.0, 50.0]})
    assert vector_tiers(AbcPolicy(), polars, ids=["a", "b", "c"]).to_list() == ["A", "B", "C"]


def test_assign_takes_a_pandas_series_by_its_index_and_refuses_one_without_ids() -> None:
    series = pd.Series([800.0, 150.0, 50.0], index=["a", "b", "c"])
    assert {k: t.tier for k, t in AbcPolicy().assign(series).items()} == {
        "a": "A", "b": "B", "c": "C"
    }  # fmt: skip
    assert AbcPolicy().assign(series.to_frame("revenue")) == AbcPolicy().assign(series)
    with pytest.raises(ConfigurationError, match="vector_tiers"):
        AbcPolicy().assign(pl.Series("revenue", [800.0, 150.0]))
    with pytest.raises(ConfigurationError, match="got a list"):
        AbcPolicy().assign([800.0, 150.0])  # type: ignore[arg-type]

"""Predictions that carry their reason: the account's summary, the model and its parameters.

>>> from accountcare.policies.models import PurchaseSummaries
>>> data = PurchaseSummaries(ids=("acme",), frequency=[2], recency=[30.43], T=[38.86])
>>> many = predictions("BG/NBD", {"r": 0.243, "alpha": 4.414}, data,
...                    p_alive=[0.83], expected_purchases=[1.2], horizon=52.0)
>>> print(many["acme"].explain())
frequency 2, recency 30.4 and T 38.9 weeks under BG/NBD (r=0.243, alpha=4.414): P(alive) 0.83, 1.2 purchases in the next 52 weeks
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from accountcare.errors import ConfigurationError
from accountcare.policies.models.summaries import PurchaseSummaries, unit_name

__all__ = ["Prediction", "Predictions", "parameter_values", "predictions"]


def _number(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}" if abs(value) < 10**digits else f"{value:.0f}"


@attrs.frozen
class Prediction:
    """One account's prediction, with what it was computed from.

    >>> p = Prediction("acme", p_alive=0.5, expected_purchases=0.25, horizon=10.0, frequency=1,
    ...                recency=2.0, T=4.0, model="BG/NBD", parameters=(1.0, 2.0),
    ...                parameter_names=("r", "alpha"))
    >>> p.explain()
    'frequency 1, recency 2 and T 4 weeks under BG/NBD (r=1, alpha=2): P(alive) 0.50, 0.25 purchases in the next 10 weeks'
    """  # noqa: E501

    account_id: str
    p_alive: float
    expected_purchases: float
    horizon: float
    frequency: int
    recency: float
    T: float
    model: str
    parameters: tuple[float, ...]
    parameter_names: tuple[str, ...] = ()
    unit: float = 7.0

    def explain(self) -> str:
        """The prediction and its reason in one sentence (see the class example)."""
        units = unit_name(self.unit)
        named = ", ".join(
            f"{name}={_number(value, 4)}"
            for name, value in zip(self.parameter_names, self.parameters, strict=False)
        )
        return (
            f"frequency {self.frequency}, recency {self.recency:.3g} and T {self.T:.3g} {units} "
            f"under {self.model} ({named}): P(alive) {self.p_alive:.2f}, "
            f"{_number(self.expected_purchases)} purchases in the next "
            f"{_number(self.horizon)} {units}"
        )


@attrs.frozen(eq=False)
class Predictions:
    """Predictions for many accounts, as columns in the order of ``data.ids``; iterate, or
    index by account id, for one [`Prediction`][accountcare.policies.models.Prediction].

    >>> from accountcare.policies.models import PurchaseSummaries
    >>> data = PurchaseSummaries(ids=("a", "b"), frequency=[1, 0], recency=[2.0, 0.0],
    ...                          T=[4.0, 4.0])
    >>> many = predictions("BG/NBD", {"r": 1.0}, data, p_alive=[0.5, 1.0],
    ...                    expected_purchases=[0.2, 0.4], horizon=10.0)
    >>> [p.account_id for p in many], many["b"].p_alive, len(many)
    (['a', 'b'], 1.0, 2)
    """

    data: PurchaseSummaries
    p_alive: np.ndarray
    expected_purchases: np.ndarray
    horizon: float
    model: str
    parameters: tuple[float, ...]
    parameter_names: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The account ids, in the order of the columns."""
        return self.data.ids

    def __len__(self) -> int:
        return len(self.data)

    def _at(self, i: int) -> Prediction:
        return Prediction(
            self.data.ids[i],
            p_alive=float(self.p_alive[i]),
            expected_purchases=float(self.expected_purchases[i]),
            horizon=self.horizon,
            frequency=int(self.data.frequency[i]),
            recency=float(self.data.recency[i]),
            T=float(self.data.T[i]),
            model=self.model,
            parameters=self.parameters,
            parameter_names=self.parameter_names,
            unit=self.data.unit,
        )

    def __iter__(self) -> Iterator[Prediction]:
        return (self._at(i) for i in range(len(self.data)))

    def __getitem__(self, account_id: str) -> Prediction:
        return self._at(self.data.position(account_id))

    def to_dict(self) -> dict[str, list[Any]]:
        """The columns as plain lists, ready for a data frame.

        >>> from accountcare.policies.models import PurchaseSummaries
        >>> data = PurchaseSummaries(ids=("a",), frequency=[0], recency=[0.0], T=[4.0])
        >>> predictions("BG/NBD", {}, data, p_alive=[1.0], expected_purchases=[0.3],
        ...             horizon=5.0).to_dict()["p_alive"]
        [1.0]
        """
        return {
            "account_id": list(self.data.ids),
            "frequency": self.data.frequency.tolist(),
            "recency": self.data.recency.tolist(),
            "T": self.data.T.tolist(),
            "p_alive": self.p_alive.tolist(),
            "expected_purchases": self.expected_purchases.tolist(),
        }


def parameter_values(params: Any, names: Sequence[str]) -> tuple[float, ...]:
    """The parameters ``names`` of a parameters record, or of a plain sequence in that order.

    >>> parameter_values([1, 2.5], ["r", "alpha"])
    (1.0, 2.5)
    """
    if isinstance(params, Sequence) and not isinstance(params, str):
        values = tuple(float(v) for v in params)
    else:
        values = tuple(float(getattr(params, name)) for name in names)
    if len(values) != len(names):
        raise ConfigurationError(f"expected the parameters {', '.join(names)}, got {values}")
    return values


def predictions(
    model: str,
    parameters: Mapping[str, float],
    data: PurchaseSummaries,
    *,
    p_alive: Sequence[float] | np.ndarray,
    expected_purchases: Sequence[float] | np.ndarray,
    horizon: float,
) -> Predictions:
    """Bundle a model's per-account results with their reason (see the module example)."""
    return Predictions(
        data=data,
        p_alive=np.asarray(p_alive, dtype=np.float64),
        expected_purchases=np.asarray(expected_purchases, dtype=np.float64),
        horizon=float(horizon),
        model=model,
        parameters=tuple(float(v) for v in parameters.values()),
        parameter_names=tuple(parameters),
    )

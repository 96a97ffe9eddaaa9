"""An immutable mapping that hashes, for the tables inside frozen values.

A frozen value must be hashable and must not change in place; a plain ``dict`` field
breaks both. `FrozenMap` reads like a mapping (it compares equal to a ``dict``
with the same items, and the cattrs converter writes it as one), but it cannot be
changed and it hashes by its items.

>>> sla = FrozenMap({"high": 1, "low": 3})
>>> sla["low"], sla == {"low": 3, "high": 1}, hash(sla) == hash(FrozenMap(low=3, high=1))
(3, True, True)
>>> sla["low"] = 5
Traceback (most recent call last):
...
TypeError: 'FrozenMap' object does not support item assignment
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

__all__ = ["FrozenMap"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only mapping, equal to any mapping with the same items, hashable."""

    __slots__ = ("_hash", "_items")

    def __init__(self, items: Any = (), /, **more: V) -> None:
        self._items: dict[K, V] = dict(items, **more)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._items,))

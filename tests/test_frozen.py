"""Frozen means frozen: no domain value or module-level default can be changed in place."""

from __future__ import annotations

import importlib
import pkgutil
from types import MappingProxyType, ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

import accountcare.domain
import accountcare.policies
from accountcare.testing import domain_classes, strategy_for

MUTABLE = (dict, list, set, bytearray)


def _modules(package: ModuleType) -> list[ModuleType]:
    names = pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    return [package, *(importlib.import_module(info.name) for info in names)]


def _constants() -> list[Any]:
    found = []
    for module in [*_modules(accountcare.domain), *_modules(accountcare.policies)]:
        for name, value in vars(module).items():
            if name.isupper() and not name.startswith("_"):
                found.append(pytest.param(value, id=f"{module.__name__}.{name}"))
    return found


def _mutable_part(value: Any, path: str = "") -> str | None:
    """Where ``value`` can be changed in place, or None when nowhere."""
    if isinstance(value, MUTABLE):
        return path or "the value itself"
    if isinstance(value, MappingProxyType):
        for key, item in value.items():
            found = _mutable_part(key, f"{path}[key]") or _mutable_part(item, f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(value, tuple | frozenset):
        for n, item in enumerate(value):
            found = _mutable_part(item, f"{path}[{n}]")
            if found:
                return found
        return None
    if attrs.has(type(value)):
        try:
            hash(value)
        except TypeError:
            return path or "the value itself (unhashable)"
        for field in attrs.fields(type(value)):
            found = _mutable_part(getattr(value, field.name), f"{path}.{field.name}")
            if found:
                return found
    return None


@pytest.mark.parametrize("value", _constants())
def test_module_level_defaults_and_catalogues_cannot_change_in_place(value: Any) -> None:
    assert _mutable_part(value) is None


@pytest.mark.parametrize(
    "cls", domain_classes(), ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}"
)
def test_every_domain_value_is_hashable_and_holds_nothing_mutable(cls: type) -> None:
    @settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(strategy_for(cls))
    def frozen(value: Any) -> None:
        assert _mutable_part(value) is None

    frozen()

"""Trusted construction equals validated construction, for every domain value."""

from __future__ import annotations

import linecache
import traceback
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from accountcare.domain._trusted import trusted
from accountcare.domain.health import HealthComponents
from accountcare.testing import domain_classes, strategy_for

SLOTTED = [cls for cls in domain_classes() if "__slots__" in vars(cls)]


def _fields(value: Any) -> dict[str, Any]:
    return {f.alias or f.name: getattr(value, f.name) for f in attrs.fields(type(value))}


@pytest.mark.parametrize(
    "cls", SLOTTED, ids=lambda c: f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}"
)
def test_trusted_construction_equals_validated_construction_field_by_field(cls: type) -> None:
    make = trusted(cls)

    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(strategy_for(cls))
    def same(value: Any) -> None:
        parts = _fields(value)
        built, checked = make(**parts), cls(**parts)
        assert built == checked == value
        for field in attrs.fields(cls):
            mine, theirs = getattr(built, field.name), getattr(checked, field.name)
            assert mine == theirs
            assert type(mine) is type(theirs)
        assert make(*parts.values()) == value

    same()


def test_every_domain_value_is_slotted_so_it_can_be_built_trusted() -> None:
    assert len(SLOTTED) == len(domain_classes())


def test_a_left_out_field_takes_its_default() -> None:
    @attrs.frozen
    class Note:
        text: str
        tags: tuple[str, ...] = attrs.field(factory=tuple)
        pinned: bool = False

    assert trusted(Note)("hi") == Note("hi")
    assert trusted(Note)("hi", pinned=True) == Note("hi", (), True)


def test_trusted_construction_skips_validators_and_converters() -> None:
    # The reason it exists, and the reason it is never given outside input.
    made = trusted(HealthComponents)(2.0, 0.5, 1.0, 1.0, 1.0, 0.6)
    assert made.coverage == 2.0
    with pytest.raises(ValueError, match="coverage"):
        HealthComponents(2.0, 0.5, 1.0, 1.0, 1.0, 0.6)


def test_a_traceback_through_a_trusted_constructor_shows_its_code() -> None:
    @attrs.frozen
    class Picky:
        value: int = attrs.field(factory=lambda: 1 // 0)

    with pytest.raises(ZeroDivisionError) as failed:
        trusted(Picky)()
    frames = traceback.extract_tb(failed.value.__traceback__)
    generated = [f for f in frames if f.filename.startswith("<accountcare trusted")]
    assert generated
    assert generated[0].line
    assert "value" in generated[0].line
    assert linecache.getline(generated[0].filename, 1).startswith("def trusted_Picky(")


def test_a_class_without_slots_is_refused() -> None:
    @attrs.define(slots=False)
    class Loose:
        value: int

    with pytest.raises(TypeError, match="slotted attrs class"):
        trusted(Loose)

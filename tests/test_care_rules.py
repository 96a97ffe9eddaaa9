"""The care rules as data: each kind declared once, the 29 February fallback, the ceiling,
and rules that cannot change once made."""

from __future__ import annotations

import calendar
import pickle
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import care_reference
from accountcare.domain._frozen import FrozenMap
from accountcare.domain.accounts import LifecycleStage
from accountcare.domain.care import CareKind
from accountcare.domain.care_rules import (
    DEFAULT_CARE_RULES,
    DEFAULT_CHANNELS,
    DEFAULT_STAGE_KINDS,
    LEAP_DAY_FALLBACK,
    OCCASION_RULE,
    OCCASION_RULES,
    PRIORITY,
    CareRules,
    CeilingRule,
)
from accountcare.domain.contacts import Birthday, Channel
from accountcare.policies.care.birthdays import birthday_occurrences, celebrated_on
from accountcare.policies.care.ceiling import refuse
from accountcare.serialization import converter, from_json, to_json


def test_every_kind_of_touch_is_declared_once_with_its_defaults() -> None:
    assert sorted(rule.kind.value for rule in OCCASION_RULES) == sorted(k.value for k in CareKind)
    assert dict(PRIORITY) == {rule.kind: rule.priority for rule in OCCASION_RULES}
    assert {rule.kind: rule.channels for rule in OCCASION_RULES} == DEFAULT_CHANNELS
    assert DEFAULT_CARE_RULES.channels == DEFAULT_CHANNELS
    # Practitioners' order: the customer's own day first, internal hygiene last.
    assert min(PRIORITY, key=PRIORITY.__getitem__) is CareKind.BIRTHDAY
    assert max(PRIORITY, key=PRIORITY.__getitem__) is CareKind.REVERIFICATION
    assert OCCASION_RULE[CareKind.HOLIDAY_GREETING].template_key("mid_autumn") == (
        "holiday.mid_autumn"
    )


def test_care_rules_are_frozen_and_hashable() -> None:
    rules = CareRules(channels={**DEFAULT_CHANNELS, CareKind.SURVEY: [Channel.EMAIL]})
    assert hash(rules) != hash(DEFAULT_CARE_RULES)
    assert hash(CareRules()) == hash(DEFAULT_CARE_RULES)
    assert rules.channels[CareKind.SURVEY] == {Channel.EMAIL}
    with pytest.raises(TypeError):
        DEFAULT_CARE_RULES.channels[CareKind.SURVEY] = frozenset()  # type: ignore[index]
    assert not hasattr(DEFAULT_CARE_RULES.complaint_sla_days, "clear")
    assert pickle.loads(pickle.dumps(rules)) == rules
    assert converter.structure(converter.unstructure(rules), CareRules) == rules


@given(st.dictionaries(st.text(max_size=3), st.integers()))
def test_a_frozen_map_reads_like_the_dict_it_was_made_from(items: dict[str, int]) -> None:
    frozen: FrozenMap[str, int] = FrozenMap(items)
    assert frozen == items
    assert dict(frozen) == items
    assert hash(frozen) == hash(FrozenMap(dict(reversed(list(items.items())))))
    assert pickle.loads(pickle.dumps(frozen)) == frozen


@given(st.integers(1901, 2099), st.sampled_from([LEAP_DAY_FALLBACK, (3, 1)]))
def test_a_29_february_birthday_falls_on_the_fallback_in_common_years(
    year: int, fallback: tuple[int, int]
) -> None:
    expected = date(year, 2, 29) if calendar.isleap(year) else date(year, *fallback)
    assert celebrated_on(year, 2, 29, fallback) == expected
    found = birthday_occurrences(Birthday(2, 29), date(year, 1, 1), date(year + 1, 1, 1), fallback)
    assert found == (expected,)
    assert celebrated_on(year, 2, 29) == celebrated_on(year, 2, 29, LEAP_DAY_FALLBACK)
    assert CareRules().leap_day_in_common_years == LEAP_DAY_FALLBACK


_small_rules = st.builds(CeilingRule, touches=st.integers(1, 3), days=st.integers(1, 10))


@st.composite
def _touches(draw: st.DrawFn) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """(contact, day, priority) candidates and (contact, day) carried touches."""
    contact = st.integers(0, 2)
    candidates = draw(st.lists(st.tuples(contact, st.integers(0, 20), st.integers(0, 3))))
    past = draw(st.lists(st.tuples(contact, st.integers(-10, 0)), max_size=4))
    return sorted(candidates, key=lambda c: c[:2]), past


@settings(max_examples=300)
@given(_touches(), st.lists(_small_rules, min_size=1, max_size=3))
def test_the_ceiling_admits_by_priority_then_day_while_every_window_has_room(
    touches: tuple[list[tuple[int, int, int]], list[tuple[int, int]]],
    rules: list[CeilingRule],
) -> None:
    candidates, past = touches
    columns = np.array(candidates, np.int64).reshape(-1, 3).T
    carried = np.array(past, np.int64).reshape(-1, 2).T
    refused = refuse(columns[0], columns[1], columns[2], (carried[0], carried[1]), rules)
    first = date(2027, 1, 1)
    for contact in range(3):
        mine = [(day, rank) for who, day, rank in candidates if who == contact]
        plain = [
            care_reference.touch(CareKind.EVENT, first + timedelta(days=day), "", "", "")._replace(
                priority=rank
            )
            for day, rank in mine
        ]
        before = [first + timedelta(days=day) for who, day in past if who == contact]
        expected = care_reference.refusals(plain, before, rules)
        rows = [n for n, (who, _, _) in enumerate(candidates) if who == contact]
        assert {n for n, row in enumerate(rows) if refused[row]} == expected


def test_lifecycle_rules_are_data_that_round_trip_through_json() -> None:
    rules = CareRules(
        stage_kinds={**DEFAULT_STAGE_KINDS, LifecycleStage.LOST: [CareKind.WIN_BACK]},
        greeting_days_before={"KR": {"lunar_new_year": 2}, "JP": {"new_year": 1}},
        contract_status_every_days=None,
    )
    assert from_json(to_json(rules), CareRules) == rules
    assert hash(from_json(to_json(rules), CareRules)) == hash(rules)
    assert rules.greeting_offset("KR", "mid_autumn") == 0  # not listed: on the day
    assert (rules.greeting_offset("JP", "new_year"), rules.longest_greeting_offset) == (1, 2)
    with pytest.raises(TypeError):
        rules.greeting_days_before["KR"]["mid_autumn"] = 3  # type: ignore[index]
    # Every stage is in the default table; lost accounts get no calls and no marketing.
    assert set(DEFAULT_STAGE_KINDS) == set(LifecycleStage)
    lost = DEFAULT_STAGE_KINDS[LifecycleStage.LOST]
    assert not lost & {CareKind.RELATIONSHIP_CALL, CareKind.EVENT, CareKind.HOLIDAY_GIFT}
    assert {k for kinds in DEFAULT_STAGE_KINDS.values() for k in kinds} == set(CareKind)

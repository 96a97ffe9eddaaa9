"""Care by lifecycle stage, and greetings on the day each culture expects, on real 2027
dates: Spring Festival 6 February, Seollal 7 February (the holiday 6-8 February), Chuseok
15 September (14-16 September)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest

from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Order
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.care_rules import (
    DEFAULT_CARE_RULES,
    DEFAULT_STAGE_KINDS,
    CareEvent,
    CareRules,
    CeilingRule,
    EventKind,
)
from accountcare.domain.contacts import Channel, Contact, ContactRole
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.errors import ConfigurationError
from accountcare.policies.care import schedule_care

ALL = list(Channel)
YEAR = {"start": date(2027, 1, 1), "end": date(2028, 1, 1)}
# No ceiling to speak of: these tests look at what each rule proposes.
OPEN = CareRules(ceiling=[CeilingRule(50, 1)])


def _contact(cid: str, country: str = "CN", role: ContactRole = ContactRole.DECISION_MAKER,
             account: str = "acme") -> Contact:  # fmt: skip
    return Contact(id=cid, account_id=account, name="Li", role=role, country=country,
                   channels=[Channel.MESSENGER, Channel.PHONE, Channel.EMAIL, Channel.MAIL],
                   consents=ALL)  # fmt: skip


def _days(plan: CareSchedule, kind: CareKind, contact: str | None = None) -> list[date]:
    return [t.on for t in _everything(plan) if t.kind is kind and contact in (None, t.contact_id)]


def _everything(plan: CareSchedule) -> list[CareTask]:
    return sorted([*plan.tasks, *(d.task for d in plan.dropped)], key=lambda t: (t.on, t.key))


def _holiday(plan: CareSchedule, contact: str, key: str) -> tuple[date, date | None]:
    """(greeting day, gift day) of holiday ``key`` for one contact."""
    mine = [t for t in _everything(plan) if t.contact_id == contact and t.occasion == key]
    (greeting,) = [t.on for t in mine if t.kind is CareKind.HOLIDAY_GREETING]
    gifts = [t.on for t in mine if t.kind is CareKind.HOLIDAY_GIFT]
    return greeting, gifts[0] if gifts else None


def test_greetings_and_gifts_go_out_on_the_days_each_culture_expects() -> None:
    people = [_contact("cn", "CN"), _contact("kr", "KR"), _contact("tw", "TW")]
    acme = Account("acme", "Acme", strategic=True)  # key contacts of a strategic account
    plan = schedule_care(people, accounts=[acme], **YEAR)  # type: ignore[arg-type]
    # China: the Spring Festival greeting on its eve (除夕), the gift a week before that.
    assert _holiday(plan, "cn", "lunar_new_year") == (date(2027, 2, 5), date(2027, 1, 29))
    assert _holiday(plan, "cn", "mid_autumn") == (date(2027, 9, 15), date(2027, 9, 8))
    # Korea: 3 days before Seollal (7 Feb) and Chuseok (15 Sep), before the travel days
    # (6 Feb, 14 Sep); the gift a week before the greeting, so it arrives in time.
    assert _holiday(plan, "kr", "lunar_new_year") == (date(2027, 2, 4), date(2027, 1, 28))
    assert _holiday(plan, "kr", "mid_autumn") == (date(2027, 9, 12), date(2027, 9, 5))
    assert _holiday(plan, "kr", "christmas") == (date(2027, 12, 25), date(2027, 12, 18))
    # Taiwan greets on the day itself by default.
    assert _holiday(plan, "tw", "lunar_new_year") == (date(2027, 2, 6), date(2027, 1, 30))
    (seollal,) = [t for t in plan.tasks if t.contact_id == "kr" and t.on == date(2027, 2, 4)]
    assert seollal.template_key == "holiday.lunar_new_year"
    assert seollal.reason == "Seollal (2027-02-07) in KR, 3 days ahead"


def test_the_greeting_days_are_a_rule_per_country_and_holiday() -> None:
    people = [_contact("cn", "CN"), _contact("kr", "KR")]
    acme = Account("acme", "Acme", strategic=True)
    on_the_day = attrs.evolve(DEFAULT_CARE_RULES, greeting_days_before={})
    plan = schedule_care(people, accounts=[acme], rules=on_the_day, **YEAR)  # type: ignore[arg-type]
    assert _holiday(plan, "cn", "lunar_new_year") == (date(2027, 2, 6), date(2027, 1, 30))
    assert _holiday(plan, "kr", "lunar_new_year") == (date(2027, 2, 7), date(2027, 1, 31))
    eve = CareRules(greeting_days_before={"KR": {"lunar_new_year": 1}}, gift_days_before=10)
    plan = schedule_care(people, accounts=[acme], rules=eve, **YEAR)  # type: ignore[arg-type]
    assert _holiday(plan, "kr", "lunar_new_year") == (date(2027, 2, 6), date(2027, 1, 27))
    assert _holiday(plan, "kr", "mid_autumn") == (date(2027, 9, 15), date(2027, 9, 5))
    assert _holiday(plan, "cn", "lunar_new_year") == (date(2027, 2, 6), date(2027, 1, 27))


def test_a_greeting_ahead_of_new_year_falls_in_the_year_before() -> None:
    rules = CareRules(greeting_days_before={"CN": {"new_year": 2}})
    plan = schedule_care([_contact("cn")], start=date(2026, 12, 1), end=date(2027, 1, 1),
                         rules=rules)  # fmt: skip
    assert _days(plan, CareKind.HOLIDAY_GREETING) == [date(2026, 12, 30)]


def _book(stage: LifecycleStage) -> list[Contact]:
    """Two key contacts, a buyer and a user of one account."""
    return [
        _contact("boss", role=ContactRole.DECISION_MAKER),
        _contact("champ", role=ContactRole.CHAMPION),
        _contact("buyer", role=ContactRole.PURCHASING),
        _contact("user", role=ContactRole.USER),
    ]


ORDERS = [Order("o-1", "acme", date(2027, 3, 1), Decimal(900))]
PRICES = CareEvent("prices", EventKind.PRICE_CHANGE, date(2027, 5, 3))


def _plan(stage: LifecycleStage, **more: Any) -> CareSchedule:
    inputs: dict[str, Any] = {"tiers": {"acme": "A"}, "orders": ORDERS, "events": [PRICES],
                              "rules": OPEN, **YEAR, **more}  # fmt: skip
    return schedule_care(_book(stage), accounts=[Account("acme", "Acme", stage=stage)], **inputs)


def _kinds(plan: CareSchedule) -> set[CareKind]:
    return {t.kind for t in plan.tasks}


def _spaced(days: list[date], every: int) -> bool:
    return bool(days) and all((b - a).days == every for a, b in itertools.pairwise(days))


@pytest.mark.parametrize(
    "stage", [LifecycleStage.PROSPECT, LifecycleStage.TARGET, LifecycleStage.NEGOTIATING]
)
def test_before_the_sale_key_contacts_get_advice_every_two_weeks(stage: LifecycleStage) -> None:
    plan = _plan(stage)
    assert _kinds(plan) == {CareKind.PRE_SALE, CareKind.HOLIDAY_GREETING, CareKind.EVENT}
    pre_sale = sorted((t for t in plan.tasks if t.kind is CareKind.PRE_SALE), key=lambda t: t.on)
    assert _spaced([t.on for t in pre_sale], 14)
    assert len(pre_sale) == 26
    # The key layer, in turn: never the buyer or the user.
    assert [t.contact_id for t in pre_sale[:4]] in (["boss", "champ"] * 2, ["champ", "boss"] * 2)
    assert pre_sale[0].template_key == "pre_sale"
    assert pre_sale[0].reason == f"pre-sale touch every 14 days while {stage.value}"


def test_while_the_contract_runs_payment_and_stock_are_reported() -> None:
    plan = _plan(LifecycleStage.CONTRACT)
    kinds = {CareKind.CONTRACT_STATUS, CareKind.HOLIDAY_GREETING, CareKind.HOLIDAY_GIFT}
    assert _kinds(plan) == {*kinds, CareKind.EVENT}  # tier A: gifts too
    status = [t for t in plan.tasks if t.kind is CareKind.CONTRACT_STATUS]
    (after_order,) = [t for t in status if t.occasion == "o-1"]
    assert (after_order.on, after_order.contact_id) == (date(2027, 3, 4), "buyer")
    assert after_order.reason == "order o-1 of 2027-03-01: payment, stock and delivery"
    assert _spaced(sorted(t.on for t in status if t.occasion == ""), 14)
    # The order's after-sale care waits until the account is a customer.
    none = CareRules(ceiling=OPEN.ceiling, contract_status_every_days=None)
    only_orders = [t for t in _plan(LifecycleStage.CONTRACT, rules=none).tasks
                   if t.kind is CareKind.CONTRACT_STATUS]  # fmt: skip
    assert only_orders == [after_order]


def test_customers_get_after_sale_care_calls_and_the_survey_as_before() -> None:
    plan = _plan(LifecycleStage.CUSTOMER)
    assert _kinds(plan) == {
        CareKind.RELATIONSHIP_CALL,
        CareKind.AFTER_SALE_USAGE,
        CareKind.AFTER_SALE_FEEDBACK,
        CareKind.SURVEY,
        CareKind.HOLIDAY_GREETING,
        CareKind.HOLIDAY_GIFT,
        CareKind.EVENT,
    }
    assert _spaced(_days(plan, CareKind.RELATIONSHIP_CALL), 7)
    assert _days(plan, CareKind.AFTER_SALE_USAGE) == [date(2027, 3, 8)]
    assert _days(plan, CareKind.AFTER_SALE_FEEDBACK) == [date(2027, 3, 31)]
    assert _days(plan, CareKind.SURVEY) == [date(2027, 11, 15)] * 2  # both key contacts
    # The same as an account given without its stage (a customer).
    unstaged = schedule_care(_book(LifecycleStage.CUSTOMER), tiers={"acme": "A"}, orders=ORDERS,
                             events=[PRICES], rules=OPEN, **YEAR)  # type: ignore[arg-type]  # fmt: skip
    assert unstaged == plan


def test_a_dormant_account_is_reactivated_instead_of_called() -> None:
    plan = _plan(LifecycleStage.DORMANT)
    assert _kinds(plan) == {CareKind.REACTIVATION, CareKind.HOLIDAY_GREETING, CareKind.EVENT}
    days = _days(plan, CareKind.REACTIVATION)
    assert _spaced(days, 30)
    assert len(days) in (12, 13)


def test_a_lost_account_is_won_back_only_once_the_root_cause_is_known() -> None:
    plan = _plan(LifecycleStage.LOST)
    # No calls, no marketing (the price change), no win-back yet: greetings continue.
    assert _kinds(plan) == {CareKind.HOLIDAY_GREETING}
    review = LostAccountReview("acme", RootCause.PRICE, "a cheaper offer", "rep-li",
                               date(2027, 3, 1))  # fmt: skip
    plan = _plan(LifecycleStage.LOST, loss_reviews=[review])
    wins = sorted((t for t in plan.tasks if t.kind is CareKind.WIN_BACK), key=lambda t: t.on)
    # Two weeks to prepare the answer to the cause, then a quarterly attempt.
    assert [t.on for t in wins] == [date(2027, 3, 15), date(2027, 6, 13), date(2027, 9, 11),
                                    date(2027, 12, 10)]  # fmt: skip
    assert {t.contact_id for t in wins} == {"boss", "champ"}
    assert (wins[0].occasion, wins[0].template_key) == ("price", "win_back")
    assert wins[0].reason == "lost over price, found 2027-03-01: win back every 90 days"
    assert all(DEFAULT_CARE_RULES.is_rep_action(t.kind, t.channel) for t in wins)
    # A later record replaces an earlier one; a record for a customer changes nothing.
    later = attrs.evolve(review, cause=RootCause.SERVICE, found_on=date(2027, 8, 1))
    again = _plan(LifecycleStage.LOST, loss_reviews=[later, review])
    assert _days(again, CareKind.WIN_BACK) == [date(2027, 8, 15), date(2027, 11, 13)]
    assert _plan(LifecycleStage.CUSTOMER, loss_reviews=[review]) == _plan(LifecycleStage.CUSTOMER)


def test_birthdays_reach_every_stage() -> None:
    for stage in LifecycleStage:
        people = [attrs.evolve(c, birthday=date(1980, 6, 2)) for c in _book(stage)]
        plan = schedule_care(people, accounts=[Account("acme", "Acme", stage=stage)], **YEAR)  # type: ignore[arg-type]
        assert _days(plan, CareKind.BIRTHDAY) == [date(2027, 6, 2)] * 4, stage


def test_the_stage_table_is_configurable() -> None:
    quiet = CareRules(
        ceiling=OPEN.ceiling,
        stage_kinds={**DEFAULT_STAGE_KINDS, LifecycleStage.LOST: {CareKind.WIN_BACK}},
    )
    review = LostAccountReview("acme", RootCause.QUALITY, "returns", "rep", date(2027, 3, 1))
    plan = _plan(LifecycleStage.LOST, rules=quiet, loss_reviews=[review])
    assert _kinds(plan) == {CareKind.WIN_BACK}


def test_every_stage_gets_its_own_kinds_only() -> None:
    review = LostAccountReview("acme", RootCause.PRICE, "a cheaper offer", "rep", date(2027, 1, 5))
    for stage in LifecycleStage:
        plan = _plan(stage, loss_reviews=[review])
        assert _kinds(plan) <= DEFAULT_STAGE_KINDS[stage]
        assert {d.task.kind for d in plan.dropped} <= DEFAULT_STAGE_KINDS[stage]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"stage_kinds": {LifecycleStage.CUSTOMER: set(CareKind)}}, "stage_kinds"),
        ({"greeting_days_before": {"KR": {"lunar_new_year": -1}}}, "'KR'.*'lunar_new_year'"),
        ({"greeting_days_before": {"KR": {"mid_autumn": "3"}}}, "greeting_days_before"),
        ({"greeting_days_before": {"KR": {"mid_autumn": 61}}}, "0 to 60 days"),
        ({"pre_sale_every_days": 0}, "pre_sale_every_days"),
        ({"contract_order_days": 0}, "contract_order_days"),
        ({"win_back_every_days": -90}, "win_back_every_days"),
    ],
)
def test_bad_lifecycle_rules_are_refused_naming_the_field(
    fields: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        CareRules(**fields)  # type: ignore[arg-type]


def test_a_dormant_account_keeps_its_greetings_under_the_ceiling() -> None:
    # The default ceiling still holds across stages: the greeting outranks reactivation.
    people = [_contact("kr", "KR")]
    plan = schedule_care(people, accounts=[Account("acme", "Acme", stage=LifecycleStage.DORMANT)],
                         rules=CareRules(reactivation_every_days=1), start=date(2027, 2, 1),
                         end=date(2027, 2, 8))  # fmt: skip
    assert [t.kind for t in plan.tasks if t.on == date(2027, 2, 4)] == [CareKind.HOLIDAY_GREETING]
    assert [(t.on, t.kind) for t in plan.tasks] == [
        (date(2027, 2, 1), CareKind.REACTIVATION),
        (date(2027, 2, 4), CareKind.HOLIDAY_GREETING),
    ]

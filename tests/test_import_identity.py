"""One company however its name is written; one person however often they are imported."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accountcare.testing.strategies  # noqa: F401  (registers the domain strategies)
from accountcare.domain import Channel, Contact, PhoneNumber
from accountcare.domain.accounts import Account
from accountcare.domain.contacts import (
    ConsentAction,
    ConsentEvent,
    ContactRole,
    channels_of_addresses,
)
from accountcare.policies.identity import (
    DEFAULT_SUFFIXES,
    CompanyIndex,
    ContactIndex,
    merge_contact,
    normalise_company,
)

# -- company names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("上海华东电子有限公司", "上海华东电子"),
        ("(주)한빛소프트", "한빛소프트 주식회사"),
        ("㈜한빛소프트", "한빛소프트"),
        ("ACME Co., Ltd.", "Acme"),
        ("ＡＣＭＥ　ＣＯ．，ＬＴＤ．", "acme"),
        ("深圳市腾达科技股份有限公司", "深圳市腾达科技"),
        ("北京 华东 集团", "北京华东"),
        ("台灣華東電子有限責任公司", "台灣華東電子"),
        ("株式会社トヨタ", "トヨタ"),
        ("Globex Corporation", "GLOBEX"),
        ("Initech, Inc.", "initech"),
        ("Müller GmbH", "MÜLLER"),
        ("Hooli LLC", "Hooli"),
        ("Acme  Trading   Co.", "acme trading"),
    ],
)
def test_spellings_of_one_company_share_a_key(one: str, other: str) -> None:
    assert normalise_company(one) == normalise_company(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("上海华东电子", "上海华南电子"),
        ("Acme", "Acne"),
        ("주연테크", "연테크"),  # 주 is a syllable of the name here, not (주)
        ("Zinc Inc.", "Z"),
        ("Acme Trading", "Acme"),
    ],
)
def test_different_companies_keep_different_keys(one: str, other: str) -> None:
    assert normalise_company(one) != normalise_company(other)


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert normalise_company("Inc.") == "inc"
    assert normalise_company("有限公司") == "有限公司"


def test_the_suffixes_are_configurable() -> None:
    assert normalise_company("Hanbit Holdings", suffixes=("Holdings",)) == "hanbit"
    assert normalise_company("Acme Inc.", suffixes=()) == "acme inc"


_BASES = st.sampled_from(
    ["Acme", "Globex Trading", "上海华东电子", "한빛소프트", "トヨタ", "Initech 2", "深圳腾达"]
)
_LATIN = [s for s in DEFAULT_SUFFIXES if s.isascii()]
_OTHER = [s for s in DEFAULT_SUFFIXES if not s.isascii()]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(st.text(max_size=30))
def test_normalising_is_idempotent(name: str) -> None:
    once = normalise_company(name)
    assert normalise_company(once) == once


@given(_BASES, st.sampled_from(_LATIN), st.sampled_from([" ", "  ", ", "]))
def test_latin_legal_forms_after_the_name_do_not_matter(base: str, suffix: str, gap: str) -> None:
    assert normalise_company(base + gap + suffix) == normalise_company(base)


@given(_BASES, st.sampled_from(_OTHER), st.booleans(), st.sampled_from(["", " "]))
def test_cjk_legal_forms_before_or_after_the_name_do_not_matter(
    base: str, suffix: str, before: bool, gap: str
) -> None:
    name = suffix + gap + base if before else base + gap + suffix
    assert normalise_company(name) == normalise_company(base)


@given(_BASES, st.lists(st.booleans(), min_size=20, max_size=20), st.booleans())
def test_case_and_width_do_not_matter(base: str, upper: list[bool], wide: bool) -> None:
    cased = "".join(c.upper() if up else c.lower() for c, up in zip(base, upper, strict=False))
    cased += base[len(upper) :]
    shown = _full_width(cased) if wide else cased
    assert normalise_company(shown + " Co., Ltd.") == normalise_company(base)


def test_the_index_finds_the_one_account_or_lists_the_candidates() -> None:
    accounts = [
        Account(id="C1001", name="上海华东电子有限公司"),
        Account(id="C1002", name="Hanbit Soft", short_name="한빛소프트"),
        Account(id="C1003", name="한빛소프트 주식회사"),
        Account(id="C1004", name="ACME Co., Ltd.", short_name="Acme"),
    ]
    index = CompanyIndex(accounts)
    assert index.resolve("上海华东电子").account == accounts[0]
    assert index.resolve("acme").account == accounts[3]  # name and short name: one account
    ambiguous = index.resolve("(주)한빛소프트")
    assert ambiguous.account is None
    assert ambiguous.ambiguous
    assert [a.id for a in ambiguous.candidates] == ["C1002", "C1003"]
    assert index.resolve("Globex").candidates == ()
    index.remove("C1003")
    assert index.resolve("(주)한빛소프트").account == accounts[1]


# -- contacts -----------------------------------------------------------------------------

_DAY = date(2026, 11, 2)


def _wang(**changes: Any) -> Contact:
    wang = Contact(
        id="c-1", account_id="C1001", name="王伟", role=ContactRole.DECISION_MAKER,
        title="总经理", time_zone="Asia/Shanghai", country="CN", locale="zh-Hans",
        emails=["wang@huadong.cn"], phones=[PhoneNumber("138 0013 8000", "+8613800138000")],
        consents=[Channel.EMAIL], opted_out=True, hobbies=["golf"],
        verified={"emails": date(2026, 1, 5), "title": date(2026, 3, 1)}, recorded_on=_DAY,
        consent_log=[ConsentEvent(date(2026, 1, 5), ConsentAction.GIVEN, "form",
                                  channels=[Channel.EMAIL]),
                     ConsentEvent(date(2026, 2, 1), ConsentAction.OPTED_OUT, "call")],
    )  # fmt: skip
    return attrs.evolve(wang, **changes)


def test_a_reimported_export_erases_nothing() -> None:
    stored = _wang()
    exported = Contact(
        id="c-77", account_id="a-133e6c0686ba1e66", name="王伟",
        phones=[PhoneNumber("+86 138 0013 8000", "+8613800138000")],
        emails=["WANG@huadong.cn", "wei@huadong.cn"], recorded_on=_DAY,
    )  # fmt: skip
    merged = merge_contact(stored, exported, {"name", "phones", "emails"})
    assert merged.id == "c-1"
    assert merged.account_id == "C1001"
    assert merged.opted_out
    assert merged.consents == {Channel.EMAIL}
    assert merged.consent_log == stored.consent_log
    assert (merged.role, merged.title, merged.hobbies) == (stored.role, "总经理", ("golf",))
    assert (merged.time_zone, merged.locale, merged.country) == ("Asia/Shanghai", "zh-Hans", "CN")
    assert merged.emails == ("wang@huadong.cn", "wei@huadong.cn")
    assert [p.e164 for p in merged.phones] == ["+8613800138000"]


def test_a_provided_field_replaces_and_evidence_grows() -> None:
    stored = _wang()
    sms = ConsentEvent(_DAY, ConsentAction.GIVEN, "contacts.csv line 2", channels=[Channel.SMS])
    imported = Contact(
        id="c-1", account_id="C2002", name="王伟", title="董事长", role=ContactRole.EXECUTIVE,
        consents=[Channel.SMS], consent_log=[stored.consent_log[0], sms],
        verified={"title": date(2026, 10, 1), "emails": date(2025, 1, 1)}, recorded_on=_DAY,
    )  # fmt: skip
    merged = merge_contact(stored, imported, {"title", "role", "account_id", "consents"})
    assert (merged.title, merged.role, merged.account_id) == (
        "董事长",
        ContactRole.EXECUTIVE,
        "C2002",
    )
    assert merged.layer is imported.layer  # the role's layer: the stored one was a default
    assert merged.consents == {Channel.EMAIL, Channel.SMS}
    assert merged.consent_log == (*stored.consent_log, sms)
    assert merged.opted_out
    assert dict(merged.verified) == {"emails": date(2026, 1, 5), "title": date(2026, 10, 1)}


@settings(deadline=None)
@given(st.from_type(Contact), st.from_type(Contact))
def test_a_field_the_file_lacks_never_changes(stored: Contact, imported: Contact) -> None:
    merged = merge_contact(stored, imported, frozenset())
    for field in ("name", "role", "layer", "title", "birthday", "time_zone", "country",
                  "locale", "preferences", "hobbies", "id", "account_id"):  # fmt: skip
        assert getattr(merged, field) == getattr(stored, field), field
    # Channels only grow, and only by those the addresses new to the contact open.
    assert merged.channels[: len(stored.channels)] == stored.channels
    added = merged.channels[len(stored.channels) :]
    opened = channels_of_addresses(
        [e for e in merged.emails if e not in stored.emails],
        [p for p in merged.phones if p not in stored.phones],
    )
    assert set(added) <= set(opened)


_FIELDS = [f.name for f in attrs.fields(Contact)]


@settings(deadline=None)
@given(st.from_type(Contact), st.from_type(Contact), st.sets(st.sampled_from(_FIELDS)))
def test_merging_only_adds_evidence_and_twice_is_once(
    stored: Contact, imported: Contact, provided: set[str]
) -> None:
    merged = merge_contact(stored, imported, provided)
    assert merged.id == stored.id
    assert merged.opted_out >= stored.opted_out  # an opt-out survives any import

    # Consents grow only by what the file gave, never by a channel withdrawn before, and
    # shrink only by a withdrawal the file records.
    def channels(contact: Contact, action: ConsentAction) -> set[Channel]:
        return {c for e in contact.consent_log if e.action is action for c in e.channels}

    added = merged.consents - stored.consents
    assert merged.consents >= stored.consents - channels(imported, ConsentAction.WITHDRAWN)
    assert added <= imported.consents | channels(imported, ConsentAction.GIVEN)
    assert not added & channels(stored, ConsentAction.WITHDRAWN)
    # The stored evidence is kept as it was; what follows is the file's, never more.
    assert merged.consent_log[: len(stored.consent_log)] == stored.consent_log
    for event in merged.consent_log[len(stored.consent_log) :]:
        assert any((e.on, e.action, e.source) == (event.on, event.action, event.source)
                   and event.channels <= e.channels for e in imported.consent_log)  # fmt: skip
    assert {e.casefold() for e in merged.emails} >= {e.casefold() for e in imported.emails}
    assert {p.e164 for p in merged.phones} >= {p.e164 for p in stored.phones}
    assert merge_contact(merged, imported, provided) == merged


def test_the_contact_index_matches_by_id_then_phone_then_email() -> None:
    wang = _wang()
    kim = Contact(id="c-2", account_id="hanbit", name="김민지", emails=["wei@huadong.cn"])
    index = ContactIndex([wang, kim])
    by_phone = Contact(id="c-9", account_id="x", name="W", emails=["wei@huadong.cn"],
                       phones=[PhoneNumber("13800138000", "+8613800138000")])  # fmt: skip
    assert index.match(by_phone) is wang  # the mobile number before the email address
    # An address alone is one person's only under one name: colleagues share info@.
    assert index.match(attrs.evolve(by_phone, phones=())) is None
    assert index.match(attrs.evolve(by_phone, phones=(), name="김 민지")) is kim
    assert index.match(Contact(id="c-2", account_id="x", name="?")) is kim
    assert index.match(Contact(id="c-3", account_id="x", name="?", emails=["x@y.cn"])) is None

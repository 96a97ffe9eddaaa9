"""The import use case: companies resolve to stored accounts, re-imports merge and never
erase, accounts files adopt the accounts contacts made, ambiguity is never guessed."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.importers import (
    PHONE_EXPORT,
    ImportFailed,
    ImportOptions,
    ImportReport,
    read_accounts_csv,
    read_contacts_csv,
    read_orders_csv,
)
from accountcare.adapters.importers.reps_csv import read_reps_csv
from accountcare.adapters.memory import MemoryStore
from accountcare.domain import Account, Channel, Contact
from accountcare.domain.contacts import ConsentAction, ConsentEvent, ContactRole
from accountcare.ports.store import Batch
from accountcare.services.importing import (
    import_accounts,
    import_contacts,
    import_orders,
    import_reps,
)
from accountcare.testing import store_dump

AS_OF = date(2026, 11, 2)
OPTIONS = ImportOptions(as_of=AS_OF, country="CN", time_zone="Asia/Shanghai", source="c.csv")

ERP = """id,name,short_name,owner
C1001,上海华东电子有限公司,,rep-li
C1002,(주)한빛소프트,,rep-kim
C1003,"ACME Co., Ltd.",Acme,rep-li
C1004,深圳市腾达科技股份有限公司,腾达,rep-li
""".encode()

CONTACTS = """Name,Mobile,Email,Company,Title
王伟,138 0013 8000,wang@huadong.cn,上海华东电子,总经理
李娜,139 0013 9000,,上海华东电子有限公司,采购经理
김민지,+82 10-1234-5678,minji@hanbit.kr,한빛소프트 주식회사,팀장
John Smith,+1 415 555 0100,john@acme.com,ACME,CTO
陈静,137 0013 7000,chen@tengda.cn,腾达,财务
赵磊,136 0013 6000,zhao@globex.cn,环球贸易有限公司,经理
""".encode()


def _contacts(store: MemoryStore) -> dict[str, Contact]:
    return {c.name: c for a in store.accounts() for c in store.contacts(a.id)}


def _read(data: bytes, options: ImportOptions = OPTIONS) -> ImportReport:
    return read_contacts_csv(data, PHONE_EXPORT, options=options)


def test_contacts_join_the_erp_accounts_their_company_names() -> None:
    store = MemoryStore()
    import_accounts(store, read_accounts_csv(ERP, options=OPTIONS))
    result = import_contacts(store, _read(CONTACTS))
    people = _contacts(store)
    assert {n: c.account_id for n, c in people.items() if n != "赵磊"} == {
        "王伟": "C1001", "李娜": "C1001", "김민지": "C1002", "John Smith": "C1003", "陈静": "C1004",
    }  # fmt: skip
    assert people["赵磊"].account_id.startswith("a-")  # the one company that matched nothing
    globex = store.account(people["赵磊"].account_id)
    assert globex is not None
    assert globex.name == "环球贸易有限公司"
    assert len(store.accounts()) == 5
    assert (result.created, result.added, result.ambiguous) == (1, 6, ())
    assert result.matched == 5  # five spellings named stored companies


def test_one_company_spelt_two_ways_in_one_file_is_one_new_account() -> None:
    store = MemoryStore()
    result = import_contacts(store, _read(CONTACTS))
    assert result.created == 5  # 上海华东电子 and 上海华东电子有限公司: one account
    people = _contacts(store)
    assert people["王伟"].account_id == people["李娜"].account_id


def test_an_accounts_file_adopts_the_accounts_contacts_made() -> None:
    store = MemoryStore()
    import_contacts(store, _read(CONTACTS))
    made = {c.name: c.account_id for c in _contacts(store).values()}
    result = import_accounts(store, read_accounts_csv(ERP, options=OPTIONS))
    assert dict(result.adopted) == {
        made["王伟"]: "C1001", made["김민지"]: "C1002", made["John Smith"]: "C1003",
        made["陈静"]: "C1004",
    }  # fmt: skip
    moved = {n: c.account_id for n, c in _contacts(store).items()}
    assert moved == {**moved, "王伟": "C1001", "李娜": "C1001", "김민지": "C1002",
                     "John Smith": "C1003", "陈静": "C1004"}  # fmt: skip
    assert set(result.retired) == set(dict(result.adopted))
    for old in result.retired:
        assert store.contacts(old) == ()
        assert store.account(old) is None
    # The contacts export read again lands on the ERP ids and changes nothing.
    before = store_dump(store)
    again = import_contacts(store, _read(CONTACTS))
    assert (again.unchanged, again.created, again.merged, again.added) == (6, 0, 0, 0)
    assert store_dump(store) == before


def test_no_duplicate_account_remains_after_adoption() -> None:
    store = MemoryStore()
    import_contacts(store, _read(CONTACTS))
    import_accounts(store, read_accounts_csv(ERP, options=OPTIONS))
    assert len(store.accounts()) == 5  # the four ERP accounts and 环球贸易


def test_an_ambiguous_company_is_reported_and_never_guessed() -> None:
    store = MemoryStore()
    hanbit = Account(id="C2002", name="Hanbit", short_name="한빛소프트")
    store.write(Batch(accounts=[Account(id="C1002", name="(주)한빛소프트"), hanbit]))
    report = _read(CONTACTS)
    with pytest.raises(ImportFailed) as failed:
        import_contacts(store, report)
    (problem,) = failed.value.report.problems
    assert "C1002" in str(problem)
    assert "C2002" in str(problem)
    assert problem.field == "company"
    assert problem.value == "한빛소프트 주식회사"
    assert store.accounts() == (store.account("C1002"), store.account("C2002"))  # nothing stored
    result = import_contacts(store, report, keep_good=True)
    (ambiguity,) = result.ambiguous
    assert [i for i, _ in ambiguity.candidates] == ["C1002", "C2002"]
    assert "김민지" not in _contacts(store)
    assert "王伟" in _contacts(store)


def test_an_account_id_from_the_file_must_be_stored() -> None:
    store = MemoryStore()
    store.write(Batch(accounts=[Account(id="C1001", name="华东")]))
    report = ImportReport(
        contacts=(Contact(id="c-1", account_id="C1001", name="王伟"),
                  Contact(id="c-2", account_id="C9999", name="李娜")),
        provided={"c-1": frozenset({"name", "account_id"}),
                  "c-2": frozenset({"name", "account_id"})},
        origins={"c-2": ("line", 3)},
    )  # fmt: skip
    with pytest.raises(ImportFailed, match="line 3: field 'account_id' names no stored account"):
        import_contacts(store, report)
    assert store.contacts("C1001") == ()
    result = import_contacts(store, report, keep_good=True)
    assert [c.id for c in store.contacts("C1001")] == ["c-1"]
    assert [p.field for p in result.problems] == ["account_id"]


def test_a_reimported_export_keeps_what_the_store_knew() -> None:
    store = MemoryStore()
    import_accounts(store, read_accounts_csv(ERP, options=OPTIONS))
    import_contacts(store, _read(CONTACTS))
    wang = _contacts(store)["王伟"]
    evidence = ConsentEvent(date(2026, 10, 1), ConsentAction.OPTED_OUT, "call with 王伟")
    cared = attrs.evolve(
        wang, role=ContactRole.DECISION_MAKER, hobbies=("golf",), locale="zh-Hans",
        time_zone="Asia/Shanghai", consents=frozenset({Channel.EMAIL}),
    ).recording(evidence)  # fmt: skip
    store.write(Batch(contacts=[cared]))
    export = "Name,Mobile\n王伟,+86 138 0013 8000\n".encode()  # a phone's bare export
    options = attrs.evolve(OPTIONS, locale="en", account_id="personal")
    result = import_contacts(store, _read(export, options), default_account="personal")
    assert (result.unchanged, result.created) == (1, 0)
    assert store.contact(wang.id) == cared
    assert store.account("personal") is None  # no new contact needed it


def test_orders_and_reps_import_against_the_store() -> None:
    store = MemoryStore()
    import_accounts(store, read_accounts_csv(ERP, options=OPTIONS))
    orders = b"id,account_id,ordered_on,amount\no-1,C1001,2026-05-04,1200.50\n"
    first = import_orders(store, read_orders_csv(orders, options=OPTIONS, currency="CNY"))
    again = import_orders(store, read_orders_csv(orders, options=OPTIONS, currency="CNY"))
    assert (first.created, again.unchanged) == (1, 1)
    stray = b"id,account_id,ordered_on,amount\no-2,C9999,2026-05-04,80\n"
    with pytest.raises(ImportFailed, match="line 2: field 'account_id' names no stored account"):
        import_orders(store, read_orders_csv(stray, options=OPTIONS, currency="CNY"))
    assert store.orders("C9999") == ()
    reps = "id,name,email,name:zh\nrep-li,Li Na,li@globex.cn,李娜\n".encode()
    assert import_reps(store, read_reps_csv(reps, options=OPTIONS)).created == 1
    assert import_reps(store, read_reps_csv(reps, options=OPTIONS)).unchanged == 1
    li = store.rep("rep-li")
    assert li is not None
    assert li.name_for("zh") == "李娜"


# -- laws ---------------------------------------------------------------------------------

_PEOPLE = [
    ("王伟", "138 0013 8000", "wang@huadong.cn"),
    ("李娜", "139 0013 9000", "li@huadong.cn"),
    ("김민지", "+82 10-1234-5678", "minji@hanbit.kr"),
    ("John Smith", "+1 415 555 0100", "john@acme.com"),
    ("陈静", "137 0013 7000", ""),
]
_COMPANIES = [
    "上海华东电子",
    "上海华东电子有限公司",
    "(주)한빛소프트",
    "ACME",
    "Acme Inc.",
    "",
    "腾达",
]
_COLUMNS = ["Email", "Company", "Title", "Opt Out"]


@st.composite
def _files(draw: st.DrawFn) -> bytes:
    """A phone export: some of the people, some of the columns, in any order."""
    columns = draw(st.lists(st.sampled_from(_COLUMNS), unique=True))
    people = draw(st.lists(st.sampled_from(_PEOPLE), min_size=1, max_size=5, unique=True))
    lines = [",".join(["Name", "Mobile", *columns])]
    for name, phone, email in people:
        cells = {"Email": email, "Company": draw(st.sampled_from(_COMPANIES)),
                 "Title": draw(st.sampled_from(["", "经理", "CTO"])),
                 "Opt Out": draw(st.sampled_from(["", "no", "yes"]))}  # fmt: skip
        lines.append(",".join([name, phone, *(cells[c] for c in columns)]))
    return ("\n".join(lines) + "\n").encode()


def _erp_store() -> MemoryStore:
    store = MemoryStore()
    import_accounts(store, read_accounts_csv(ERP, options=OPTIONS))
    return store


def _options() -> ImportOptions:
    return attrs.evolve(OPTIONS, account_id="personal", keep_good=True)


@settings(deadline=None, max_examples=40)
@given(_files())
def test_importing_a_file_twice_is_importing_it_once(data: bytes) -> None:
    store = _erp_store()
    report = _read(data, _options())
    import_contacts(store, report, keep_good=True, default_account="personal")
    once = store_dump(store)
    import_contacts(store, _read(data, _options()), keep_good=True, default_account="personal")
    assert store_dump(store) == once


@settings(deadline=None, max_examples=40)
@given(_files(), _files())
def test_a_field_the_file_lacks_never_changes_and_opt_outs_survive(
    first: bytes, second: bytes
) -> None:
    store = _erp_store()
    import_contacts(store, _read(first, _options()), keep_good=True, default_account="personal")
    before = {c.id: c for a in store.accounts() for c in store.contacts(a.id)}
    header = second.decode().split("\n", 1)[0].split(",")
    report = _read(second, _options())
    import_contacts(store, report, keep_good=True, default_account="personal")
    for contact_id, old in before.items():
        new = store.contact(contact_id)
        assert new is not None
        assert new.opted_out >= old.opted_out
        assert new.consents >= old.consents
        if "Title" not in header:
            assert new.title == old.title
        if "Email" not in header:
            assert new.emails == old.emails
        if "Company" not in header:
            assert new.account_id == old.account_id
        assert (new.role, new.hobbies) == (old.role, old.hobbies)


def test_adoption_keeps_the_root_cause_and_what_the_team_curated() -> None:
    from accountcare.domain import LifecycleStage, LostAccountReview, RootCause

    store = MemoryStore()
    import_contacts(store, _read(CONTACTS))
    made = {c.name: c.account_id for c in _contacts(store).values()}["王伟"]
    account = store.account(made)
    assert account is not None
    lost = attrs.evolve(account, stage=LifecycleStage.LOST, tags={"family"}, owner="rep-li")
    review = LostAccountReview(made, RootCause.PRICE, "a cheaper offer", "rep-li",
                               date(2026, 10, 1))  # fmt: skip
    store.write(Batch(accounts=[lost], loss_reviews=[review]))
    erp = "id,name\nC1001,上海华东电子有限公司\n".encode()  # no owner, stage or tags
    import_accounts(store, read_accounts_csv(erp, options=OPTIONS))
    adopting = store.account("C1001")
    assert adopting is not None
    assert (adopting.stage, adopting.owner, adopting.tags) == (
        LifecycleStage.LOST,
        "rep-li",
        {"family"},
    )
    assert store.loss_reviews("C1001") == (attrs.evolve(review, account_id="C1001"),)
    assert store.account(made) is None


def test_a_reps_file_with_fewer_columns_keeps_what_it_does_not_give() -> None:
    store = MemoryStore()
    full = (
        "id,name,email,phone,title,locale,name:zh\n"
        "rep-01,Li Na,li@g.example,+86 21 1,KAM,zh-Hans,李娜\n"
    ).encode()
    import_reps(store, read_reps_csv(full, options=OPTIONS))
    before = store.rep("rep-01")
    short = b"id,name,email\nrep-01,Li Na,na.li@g.example\n"
    result = import_reps(store, read_reps_csv(short, options=OPTIONS))
    after = store.rep("rep-01")
    assert before is not None
    assert after is not None
    assert after == attrs.evolve(before, email="na.li@g.example")
    assert (result.merged, result.unchanged) == (1, 0)
    assert import_reps(store, read_reps_csv(short, options=OPTIONS)).unchanged == 1

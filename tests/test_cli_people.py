"""The people commands and the import table, driven through ``accountcare.cli.run`` on a
real SQLite file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from accountcare.adapters.sqlite import SqliteStore
from accountcare.cli import _commands  # noqa: F401  (registers every command)
from accountcare.cli._commands import run
from accountcare.domain import Channel
from accountcare.domain.contacts import ConsentAction
from accountcare.testing import store_dump

AS_OF = "2026-11-02"
ERP = (
    "id,name,short_name,owner\n"
    "C1001,上海华东电子有限公司,,rep-li\n"
    "C1002,(주)한빛소프트,,rep-kim\n"
    'C1003,"ACME Co., Ltd.",Acme,rep-li\n'
)
CONTACTS = (
    "Name,Mobile,Email,Company,Title\n"
    "王伟,138 0013 8000,wang@huadong.cn,上海华东电子,总经理\n"
    "김민지,+82 10-1234-5678,minji@hanbit.kr,한빛소프트 주식회사,팀장\n"
    "John Smith,+1 415 555 0100,john@acme.com,ACME,CTO\n"
    "赵磊,136 0013 6000,zhao@globex.cn,环球贸易有限公司,经理\n"
)


class Cli:
    """``accountcare --db FILE --as-of AS_OF ...``, with what it printed."""

    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder, self.db, self.capsys = folder, folder / "book.sqlite3", capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = run(["--db", str(self.db), "--as-of", AS_OF, *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> list[dict[str, Any]]:
        code, out, err = self("--format", "json", *args)
        assert code == 0, err
        rows = json.loads(out)
        assert isinstance(rows, list)
        return rows

    def file(self, name: str, text: str) -> str:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def dump(self) -> str:
        with SqliteStore(self.db) as store:
            return store_dump(store)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path, capsys)


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {r["what"]: r["count"] for r in rows}


def _book(cli: Cli) -> None:
    cli.json("import", "accounts", cli.file("erp.csv", ERP))
    cli.json("import", "contacts", cli.file("contacts.csv", CONTACTS), "--country", "CN")


def test_import_prints_matched_created_merged_and_unchanged(cli: Cli) -> None:
    assert _counts(cli.json("import", "accounts", cli.file("erp.csv", ERP)))["accounts new"] == 3
    path = cli.file("contacts.csv", CONTACTS)
    first = _counts(cli.json("import", "contacts", path, "--country", "CN"))
    names = ("companies matched to accounts", "accounts created", "companies ambiguous",
             "contacts new", "contacts updated", "contacts unchanged")  # fmt: skip
    assert [first[k] for k in names] == [3, 1, 0, 4, 0, 0]
    before = cli.dump()
    again = _counts(cli.json("import", "contacts", path, "--country", "CN"))
    assert (again["contacts unchanged"], again["accounts created"], again["contacts stored"]) == (
        4,
        0,
        0,
    )
    assert cli.dump() == before


def test_an_ambiguous_company_is_listed_with_its_candidates(cli: Cli) -> None:
    cli.json("import", "accounts", cli.file("erp.csv", ERP + "C2002,Hanbit,한빛소프트,rep-kim\n"))
    path = cli.file("contacts.csv", CONTACTS)
    code, _, err = cli("import", "contacts", path, "--country", "CN")
    assert code == 1
    assert "C1002" in err
    assert "C2002" in err
    assert "--keep-good" in err
    code, out, err = cli("--format", "json", "import", "contacts", path, "--country", "CN",
                         "--keep-good")  # fmt: skip
    assert code == 0
    assert _counts(json.loads(out))["companies ambiguous"] == 1
    assert "ambiguous: line 3: company '한빛소프트 주식회사' matches 2 accounts: C1002" in err


def test_accounts_and_contacts_list_the_book(cli: Cli) -> None:
    _book(cli)
    accounts = {r["id"]: r for r in cli.json("accounts")}
    assert accounts["C1001"]["contacts"] == 1
    assert accounts["C1001"]["owner"] == "rep-li"
    assert accounts["C1001"]["stage"] == "customer"
    assert len(accounts) == 4
    assert [r["id"] for r in cli.json("accounts", "--search", "ＡＣＭＥ")] == ["C1003"]
    contacts = cli.json("contacts", "--account", "C1002")
    assert [(r["name"], r["phone"], r["locale"]) for r in contacts] == [
        ("김민지", "+821012345678", "ko")
    ]
    assert len(cli.json("contacts")) == 4
    code, _, err = cli("contacts", "--account", "C9999")
    assert code == 1
    assert "--account" in err


def _wang(cli: Cli) -> str:
    (row,) = [r for r in cli.json("contacts", "--account", "C1001") if r["name"] == "王伟"]
    return str(row["id"])


def test_consent_commands_record_evidence(cli: Cli) -> None:
    _book(cli)
    wang = _wang(cli)
    cli.json("contacts", "consent", "--channels", "email,sms", "--by", "Li Na", wang)
    cli.json("contacts", "withdraw", "--channels", "sms", wang)
    cli.json("contacts", "opt-out", wang)
    with SqliteStore(cli.db) as store:
        contact = store.contact(wang)
    assert contact is not None
    assert contact.opted_out
    assert contact.consents == {Channel.EMAIL}
    assert [(e.action, e.source, e.on) for e in contact.consent_log[-3:]] == [
        (ConsentAction.GIVEN, "accountcare contacts consent by Li Na", date(2026, 11, 2)),
        (ConsentAction.WITHDRAWN, "accountcare contacts withdraw", date(2026, 11, 2)),
        (ConsentAction.OPTED_OUT, "accountcare contacts opt-out", date(2026, 11, 2)),
    ]
    # A re-import of the export never clears the opt-out or the consent.
    cli.json("import", "contacts", str(cli.folder / "contacts.csv"), "--country", "CN")
    with SqliteStore(cli.db) as store:
        kept = store.contact(wang)
    assert kept == contact
    cli.json("contacts", "opt-in", wang)
    with SqliteStore(cli.db) as store:
        again = store.contact(wang)
    assert again is not None
    assert not again.opted_out


def test_an_unknown_id_or_channel_stores_nothing(cli: Cli) -> None:
    _book(cli)
    before = cli.dump()
    code, _, err = cli("contacts", "opt-out", _wang(cli), "c-nobody")
    assert code == 1
    assert err.strip() == (
        "accountcare: error: ID: no contact 'c-nobody' is stored; nothing was recorded"
    )
    code, _, err = cli("contacts", "consent", "--channels", "email,fax", _wang(cli))
    assert code == 1
    assert "--channels: 'fax' is not a channel" in err
    assert cli.dump() == before


def test_reps_and_company(cli: Cli) -> None:
    reps = cli.file(
        "reps.csv",
        "id,name,email,phone,title,locale,name:zh,name:ko\n"
        "rep-li,Li Na,li@globex.cn,+86 21 5555 0000,Key account manager,zh-Hans,李娜,\n"
        "rep-kim,Kim Minji,kim@globex.kr,,,ko,,김민지\n",
    )
    assert _counts(cli.json("import", "reps", reps))["reps stored"] == 2
    with SqliteStore(cli.db) as store:
        li, kim = store.rep("rep-li"), store.rep("rep-kim")
    assert li is not None
    assert kim is not None
    assert (li.name_for("zh"), li.title, kim.name_for("ko-KR")) == (
        "李娜", "Key account manager", "김민지",
    )  # fmt: skip
    bad = cli.file("bad.csv", "id,name,name:\nrep-x,,X\n")
    code, _, err = cli("import", "reps", bad)
    assert code == 1
    assert "line 2: field 'name' is missing" in err
    code, _, err = cli("company")
    assert code == 1
    assert "NAME" in err
    rows = cli.json("company", "Globex Trading", "--local", "zh=环球贸易", "--local", "ko=글로벡스")
    assert {r["what"]: r["value"] for r in rows}["name (ko)"] == "글로벡스"
    with SqliteStore(cli.db) as store:
        found = store.company()
    assert found is not None
    assert found.name_for("zh-Hans") == "环球贸易"
    assert cli.json("company")[0]["value"] == "Globex Trading"
    code, _, err = cli("company", "X", "--local", "zh")
    assert code == 1
    assert "--local: 'zh' is not LOCALE=NAME" in err


def test_bad_import_options_name_their_flag(cli: Cli) -> None:
    path = cli.file("contacts.csv", CONTACTS)
    for args, flag in [
        (("--date-order", "DDMM"), "--date-order"),
        (("--consent", "email,fax"), "--consent"),
        (("--encoding", "klingon"), "--encoding"),
        (("--time-zone", "Mars/Olympus"), "--time-zone"),
        (("--account-column", "Customer ID"), None),
    ]:
        code, _, err = cli("import", "contacts", path, *args)
        if flag is None:
            assert code == 1
            assert "Customer ID" in err
        else:
            assert code == 1
            assert flag in err, err
    code, _, err = cli("import", "accounts", cli.file("erp.csv", ERP), "--account-column", "x")
    assert code == 1
    assert "--account-column" in err

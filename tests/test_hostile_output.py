"""What the command writes is safe to open, whatever the records hold.

A store holds records whose text is a spreadsheet formula (``=HYPERLINK(...)``,
``@SUM(A1)``, ``+1-2``, ``-1+1``), starts with a tab or a carriage return, breaks a line,
or is Chinese or Korean. Records refuse control characters when they are made, but a
store file written by an older version or by another program can hold them, so those are
written into the SQLite file directly, the way such a program would. Every CSV the
command writes (``--format csv`` and ``tier --output``) is read back with the ``csv``
module and checked cell by cell: text that starts like a formula carries a leading
``'``, a line break stays inside its cell, numbers the command computed keep their sign,
and ``--excel`` gives UTF-8 with a byte order mark and CRLF line ends. The table shows
records as plain text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accountcare.adapters.sqlite import SqliteStore
from accountcare.cli import main
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Order
from accountcare.domain.contacts import Channel
from accountcare.domain.messages import Message, Recipient
from accountcare.ports.store import Batch

AS_OF = "2026-11-02"
HYPERLINK = '=HYPERLINK("http://evil.example","x")'
# contact names as recorded, and the cell each must become in a CSV
NAMES = {
    "@SUM(A1)": "'@SUM(A1)",
    "+1-2": "'+1-2",
    "\tcmd": "'\tcmd",
    "\rcmd": "'\rcmd",
    HYPERLINK: "'" + HYPERLINK,
    "-1+1": "'-1+1",
    "a\rb": "a\rb",
    "c\nd": "c\nd",
    "王小明": "王小明",
    "김민수": "김민수",
    "Ann": "Ann",
}
# What the records refuse, planted in the store file in place of these markers.
PLANTED = {"~TAB~": "\t", "~CR~": "\r", "~LF~": "\n", "~ESC~": "\x1b", "~BEL~": "\x07",
           "~RLO~": "\u202e"}  # fmt: skip
ACCOUNTS = {HYPERLINK: "'" + HYPERLINK, "-1+1": "'-1+1", "王小明贸易": "王小明贸易"}
AMOUNTS = {HYPERLINK: 100, "-1+1": 2, "王小明贸易": 50}  # the first is the top account


def _marked(text: str) -> str:
    for marker, character in PLANTED.items():
        text = text.replace(character, marker)
    return text


def queued(names: list[str]) -> list[Message]:
    """A due message to each name (markers in place of what the records refuse)."""
    due = datetime(2026, 11, 1, 9, tzinfo=UTC)
    return [
        Message(
            key=f"m-{n:02d}",
            channel=Channel.EMAIL,
            recipient=Recipient(f"c-{n}", _marked(name), f"c{n}@example.com"),
            subject=_marked(name),
            text="Hello",
            due_at=due,
        )
        for n, name in enumerate(names)
    ]


def plant(path: Path) -> None:
    """Put the characters the markers stand for into the store file's outbox, as a
    program writing the SQLite file itself would."""
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(outbox)")]
        for column in columns:
            for marker, character in PLANTED.items():
                db.execute(
                    f"UPDATE outbox SET {column} = replace({column}, ?, ?)"
                    f" WHERE typeof({column}) = 'text'",
                    (marker, json.dumps(character)[1:-1]),
                )
    db.close()


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """A store whose accounts and queued messages carry hostile and CJK text."""
    path = tmp_path / "hostile.sqlite3"
    messages = queued(list(NAMES))
    accounts = [Account(id=name, name=name) for name in ACCOUNTS]
    orders = [
        Order(id=f"o-{n}", account_id=a.id, ordered_on=date(2026, 6, 1), amount=Decimal(amount))
        for n, (a, amount) in enumerate(zip(accounts, AMOUNTS.values(), strict=True))
    ]
    with SqliteStore(path) as store:
        store.write(Batch(accounts=accounts, orders=orders, outbox=messages))
    plant(path)
    with SqliteStore(path) as store:
        assert [e.message.recipient.name for e in store.outbox()] == list(NAMES)
    return path


def cli(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> bytes:
    """Run the command in this process; what it printed on stdout, as bytes."""
    code = main(list(args))
    printed = capsysbinary.readouterr()
    assert code == 0, printed.err.decode("utf-8", "replace")
    return printed.out


def read_csv(data: bytes, encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_format_csv_neutralises_formulas_and_keeps_line_breaks_in_their_cell(
    hostile_db: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out = cli(capsysbinary, "--db", str(hostile_db), "--as-of", AS_OF, "--format", "csv", "notify")
    assert not out.startswith(b"\xef\xbb\xbf")
    header, *rows = read_csv(out)
    assert header == ["key", "channel", "to", "address", "due", "subject"]
    assert len(rows) == len(NAMES)  # a CR or LF in a name did not start a row of its own
    for row, (name, cell) in zip(rows, NAMES.items(), strict=True):
        assert row[2] == cell, name
        assert row[5] == cell, name
        assert row[4] == "2026-11-01T09:00:00+00:00"


def test_account_ids_are_neutralised_and_computed_numbers_keep_their_sign(
    hostile_db: Path, capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    base = ("--db", str(hostile_db), "--as-of", AS_OF)
    output = tmp_path / "tiers.csv"
    out = cli(capsysbinary, *base, "--format", "csv", "tier", "--output", str(output))
    for data in (out, output.read_bytes()):
        header, *rows = read_csv(data)
        assert header == ["account_id", "tier", "value", "reason"]
        assert sorted(r[0] for r in rows) == sorted(ACCOUNTS.values())
        assert {r[0]: r[2] for r in rows}["'" + HYPERLINK] == "100"
    alerts = {r[0]: r for r in read_csv(cli(capsysbinary, *base, "--format", "csv", "alerts"))}
    # the message is ours and starts with a letter: kept as it is, the id inside it too
    assert alerts["'" + HYPERLINK][2].startswith("top account " + HYPERLINK)

    values = tmp_path / "values.csv"
    values.write_text(f'customer,sales\n"{HYPERLINK.replace(chr(34), 2 * chr(34))}",-12.5\n'
                      "@SUM(A1),3\n-1+1,-0.25\n王小明,7\n")  # fmt: skip
    cli(capsysbinary, *base, "tier", "--from-csv", str(values), "--id-column", "customer",
        "--value-column", "sales", "--output", str(output))  # fmt: skip
    written = {r[0]: r[2] for r in read_csv(output.read_bytes())[1:]}
    assert written == {"'" + HYPERLINK: "-12.5", "'@SUM(A1)": "3", "'-1+1": "-0.25", "王小明": "7"}


def test_excel_writes_utf8_with_a_byte_order_mark_and_crlf(
    hostile_db: Path, capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    base = ("--db", str(hostile_db), "--as-of", AS_OF)
    output = tmp_path / "tiers.csv"
    command_flag = cli(capsysbinary, *base, "--format", "csv", "notify", "--excel")
    group_flag = cli(capsysbinary, *base, "--excel", "--format", "csv", "notify")
    assert command_flag == group_flag
    cli(capsysbinary, *base, "tier", "--output", str(output), "--excel")
    for data in (command_flag, output.read_bytes()):
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b"")[:40]  # the header line ends in CRLF
    rows = read_csv(command_flag, "utf-8-sig")
    assert [r[2] for r in rows[1:]] == list(NAMES.values())
    assert "王小明贸易" in {r[0] for r in read_csv(output.read_bytes(), "utf-8-sig")}
    assert "王小明".encode() in command_flag
    assert "김민수".encode() in command_flag


def test_the_console_script_writes_the_same_safe_csv(hostile_db: Path) -> None:
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("ACCOUNTCARE_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "accountcare", "--db", str(hostile_db), "--as-of", AS_OF,
         "--format", "csv", "notify", "--excel"],
        capture_output=True, env=environment, cwd=hostile_db.parent, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\xef\xbb\xbfkey,channel,to,address,due,subject\r\n")
    rows = read_csv(done.stdout, "utf-8-sig")
    assert [(r[2], r[5]) for r in rows[1:]] == [(c, c) for c in NAMES.values()]


def test_the_table_shows_markup_and_escape_sequences_as_text(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    path = tmp_path / "markup.sqlite3"
    link = "[link=http://evil.example]x[/link]"
    names = [link, "\x1b]8;;http://evil.example\x07y", "\x1b[2Jz", "\u202eabc"]
    with SqliteStore(path) as store:
        store.write(Batch(outbox=queued(names)))
    plant(path)
    out = cli(capsysbinary, "--db", str(path), "--as-of", AS_OF, "notify").decode()
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert link in out
    assert "\\x1b]8;;http://evil.example\\x07y" in out
    assert "\\x1b[2Jz" in out
    assert "\\u202eabc" in out


# -- the rule, for any text ------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(_FORMULA).flatmap(lambda c: st.text(max_size=8).map(lambda t: c + t)),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False),
    st.none(),
)


@settings(max_examples=300)
@given(rows=st.lists(st.lists(_cells, min_size=2, max_size=2), max_size=6), crlf=st.booleans())
def test_every_cell_reads_back_as_written_and_no_text_starts_a_formula(
    rows: list[list[object]], crlf: bool
) -> None:
    from accountcare.cli._output import csv_text

    data = csv_text(("a", "b"), rows, crlf=crlf)
    back = list(csv.reader(io.StringIO(data, newline="")))
    assert back[0] == ["a", "b"]
    assert len(back) == len(rows) + 1
    for written, read in zip(rows, back[1:], strict=True):
        for value, cell in zip(written, read, strict=True):
            if isinstance(value, str):
                expected = "'" + value if value.startswith(_FORMULA) else value
                assert cell == expected
                assert cell[:1] == "'" or not cell.startswith(_FORMULA)
            else:
                assert cell == ("" if value is None else str(value))


@given(
    number=st.one_of(
        st.integers(max_value=-1), st.decimals(max_value=-1, places=2, allow_nan=False)
    )
)
def test_numbers_the_command_computed_keep_their_sign(number: int | Decimal) -> None:
    from accountcare.cli._output import csv_cell

    assert csv_cell(number) == str(number)
    assert csv_cell(str(number)) == "'" + str(number)  # the same text from a record


@pytest.mark.parametrize(
    "command",
    [
        ("company", "王小明贸易有限公司"),
        ("lost", "王小明贸易", "--cause", "price", "--evidence", "went to a cheaper rival"),
    ],
)
def test_the_group_excel_flag_reaches_every_command_that_prints_rows(
    hostile_db: Path, capsysbinary: pytest.CaptureFixture[bytes], command: tuple[str, ...]
) -> None:
    base = ("--db", str(hostile_db), "--as-of", AS_OF, "--format", "csv")
    data = cli(capsysbinary, *base, "--excel", *command)
    assert data.startswith(b"\xef\xbb\xbfwhat,value\r\n")
    assert "王小明贸易".encode() in data
    assert b"\n" not in data.replace(b"\r\n", b"")

"""The real book's scenario: its fixture files, the command line as a user runs it, and
copies of the store between the steps so each step is judged on its own state."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "real"
AS_OF = date(2027, 1, 15)  # the day the book is imported, tiered and cared for
CARE_FROM, CARE_TO = "2027-01-20", "2027-02-21"
SENT_AS_OF = "2027-03-01"  # late enough for every message of the window to be due

# Every import of the book, in order, as a user types it (after --db and --as-of).
IMPORTS: tuple[tuple[str, ...], ...] = (
    ("company", "Globex Trading", "--local", "zh=环球贸易", "--local", "ko=글로벡스"),
    ("import", "reps", "reps.csv"),
    ("import", "accounts", "erp_accounts.csv"),
    ("import", "orders", "erp_orders.csv", "--currency", "CNY"),
    ("import", "contacts", "android.vcf", "--country", "CN", "--consent", "email,sms,phone"),
    ("import", "contacts", "iphone.vcf", "--country", "KR", "--consent", "email,phone"),
    ("import", "contacts", "google.csv", "--country", "CN", "--consent", "email"),
)


def accountcare(db: Path, *args: str, as_of: str = AS_OF.isoformat()) -> str:
    """Run ``python -m accountcare --db DB --as-of AS_OF ARGS`` in the store's folder and
    return what it printed; a non-zero exit fails, naming the command and its stderr."""
    environment = {**os.environ, "COLUMNS": "200"}
    environment.pop("ACCOUNTCARE_DB", None)
    argv = [sys.executable, "-m", "accountcare", "--db", str(db), "--as-of", as_of, *args]
    done = subprocess.run(
        argv, cwd=db.parent, env=environment, capture_output=True, text=True, timeout=120
    )
    command = " ".join(argv[3:])
    assert done.returncode == 0, f"`accountcare {command}` exit {done.returncode}: {done.stderr}"
    return done.stdout


def attempt(db: Path, *commands: tuple[str, ...], as_of: str = AS_OF.isoformat()) -> list[str]:
    """Run every command even after one fails; what each failed one printed."""
    failed = []
    for command in commands:
        try:
            accountcare(db, *command, as_of=as_of)
        except AssertionError as error:
            failed.append(str(error).strip())
    return failed


def json_rows(db: Path, *args: str, as_of: str = AS_OF.isoformat()) -> list[dict[str, Any]]:
    """The rows a command prints with ``--format json``."""
    rows = json.loads(accountcare(db, "--format", "json", *args, as_of=as_of))
    assert isinstance(rows, list), rows
    return rows


def copy_store(source: Path, folder: Path) -> Path:
    """A copy of the SQLite store at ``source`` in ``folder`` (with the fixture files
    beside it, so the commands read them as a user's working folder holds them)."""
    target = fresh_folder(folder)
    with closing(sqlite3.connect(source)) as old, closing(sqlite3.connect(target)) as new:
        old.backup(new)
    return target


def fresh_folder(folder: Path) -> Path:
    """``folder`` holding the fixture files and no store yet; the store's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for fixture in FIXTURES.iterdir():
        (folder / fixture.name).write_bytes(fixture.read_bytes())
    return folder / "book.sqlite3"

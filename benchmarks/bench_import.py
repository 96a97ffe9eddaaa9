"""Importing 100,000 contacts from a Google Contacts CSV export.

Rows: reading the file with plain ``csv.DictReader`` (the reference: no checks at all),
our importer (decode, map, normalise phones to E.164, parse birthdays, build and validate
``Contact`` values, merge duplicates), and, when the SQLite store exists, the full import
into SQLite. The importer and the full import are measured as the library runs them
(the garbage collector left alone) and inside ``paused_collector()``, the opt-in a host
that owns its process may take (as the ``accountcare import`` command does). The file
is generated with a fixed seed: names in Latin, Chinese, Korean and Japanese scripts,
phones of six regions (60% written with ``+``, 40% in the national form of the default
region, as phones store them), 1% duplicates by phone or email.

Run: ``python benchmarks/bench_import.py``
"""

from __future__ import annotations

import csv
import importlib
import io
import random
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _report import best_of, table
from accountcare.adapters.importers import (
    GOOGLE_CONTACTS,
    ImportOptions,
    read_contacts_csv,
)
from accountcare.domain.contacts import Contact, PhoneNumber
from accountcare.services import paused_collector

ROWS = 100_000
# The first columns of a real Google Contacts export, as many numbered ones as used here.
HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Phonetic First Name",
    "Phonetic Middle Name",
    "Phonetic Last Name",
    "Name Prefix",
    "Name Suffix",
    "Nickname",
    "File As",
    "Organization Name",
    "Organization Title",
    "Organization Department",
    "Birthday",
    "Notes",
    "Photo",
    "Labels",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
]
FAMILY = {
    "zh": ["王", "李", "张", "刘", "陈", "杨", "欧阳", "黄"],
    "ko": ["김", "이", "박", "최", "정", "강"],
    "ja": ["佐藤", "鈴木", "高橋", "田中"],
    "en": ["Smith", "Johnson", "Brown", "Garcia", "Müller", "O'Neil"],
}
GIVEN = {
    "zh": ["伟", "芳", "娜", "秀英", "敏", "静", "志明"],
    "ko": ["민지", "서준", "지훈", "하늘", "윤서"],
    "ja": ["太郎", "花子", "健", "由美"],
    "en": ["Ann", "Wei", "Sarah", "José", "Émile", "Tom"],
}


def generate(rows: int = ROWS, seed: int = 20261122) -> bytes:
    rnd = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    made: list[dict[str, str]] = []
    for n in range(rows):
        if made and rnd.random() < 0.01:  # a duplicate: same phone, or same email in capitals
            row = dict(rnd.choice(made))
            if rnd.random() < 0.5:
                row["E-mail 1 - Value"] = row["E-mail 1 - Value"].upper()
            writer.writerow([row.get(h, "") for h in HEADER])
            continue
        script = rnd.choice(["zh", "zh", "ko", "ja", "en"])
        row = {
            "First Name": rnd.choice(GIVEN[script]),
            "Last Name": rnd.choice(FAMILY[script]),
            "Organization Name": f"Company {rnd.randrange(2000)}",
            "Labels": "* myContacts",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": f"person{n}@example.com" if rnd.random() < 0.7 else "",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": _phone(rnd, n),
        }
        if rnd.random() < 0.6:
            year = rnd.choice(["", str(rnd.randrange(1950, 2005))])
            month, day = rnd.randrange(1, 13), rnd.randrange(1, 29)
            row["Birthday"] = (
                f"{year}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
            )
        if rnd.random() < 0.2:
            row["Phone 2 - Label"] = "Work"
            row["Phone 2 - Value"] = f"+86 21 {rnd.randrange(5000, 9999)} {n % 10000:04d}"
        made.append(row)
        writer.writerow([row.get(h, "") for h in HEADER])
    return out.getvalue().encode("utf-8")


def _phone(rnd: random.Random, n: int) -> str:
    tail = f"{n % 10000:04d}"
    pick = rnd.random()
    if pick < 0.4:  # national form, default region CN: 138 0013 8000
        return f"13{rnd.randrange(10)} {rnd.randrange(1000, 9999)} {tail}"
    code = rnd.choice(["86", "82", "886", "81", "1", "49"])
    body = {
        "86": f"13{rnd.randrange(10)} {rnd.randrange(1000, 9999)} {tail}",
        "82": f"10-{rnd.randrange(1000, 9999)}-{tail}",
        "886": f"9{rnd.randrange(10, 99)} {rnd.randrange(100, 999)} {tail[:3]}",
        "81": f"90-{rnd.randrange(1000, 9999)}-{tail}",
        "1": f"{rnd.randrange(201, 989)}-{rnd.randrange(200, 999)}-{tail}",
        "49": f"151 {rnd.randrange(1000, 9999)}{tail}",
    }[code]
    return f"+{code} {body}"


def main() -> None:
    data = generate()
    options = ImportOptions(
        as_of=date(2026, 11, 22), country="CN", time_zone="Asia/Shanghai", keep_good=True
    )

    def reference() -> int:
        return sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8"))))

    def ours() -> int:
        return len(read_contacts_csv(data, GOOGLE_CONTACTS, options=options).contacts)

    def paused() -> int:
        with paused_collector():
            return ours()

    ref_s, _ = best_of(reference)
    our_s, report_n = best_of(ours)
    paused_s, _ = best_of(paused)
    report = read_contacts_csv(data, GOOGLE_CONTACTS, options=options)
    with paused_collector():  # as the paused importer it is the floor of
        build_s, _ = best_of(lambda: construct(report.contacts))
    rows: list[list[object]] = [
        ["csv.DictReader, no checks (reference)", ROWS, ref_s, "1.0x"],
        [
            f"read_contacts_csv: {report_n} contacts, {len(report.merges)} merged, "
            f"{len(report.problems)} bad",
            ROWS,
            our_s,
            f"{our_s / ref_s:.1f}x",
        ],
        [
            "the same, inside paused_collector() (the host's opt-in)",
            ROWS,
            paused_s,
            f"{paused_s / ref_s:.1f}x",
        ],
        [
            f"of which the floor: building the same {len(report.contacts)} validated Contact "
            "values from keyword arguments (paused as well)",
            len(report.contacts),
            build_s,
            f"{build_s / ref_s:.1f}x",
        ],
    ]
    rows.extend(_into_sqlite(data, options, ref_s))
    print(table("Import", ["what", "rows", "seconds", "vs reference"], rows))


def construct(contacts: Sequence[Contact]) -> int:
    """The same contacts built again through their validating constructor, from fields
    already parsed: what any importer returning checked values pays at least."""
    fields = [
        {
            "id": c.id,
            "account_id": c.account_id,
            "name": c.name,
            "title": c.title,
            "birthday": c.birthday,
            "time_zone": c.time_zone,
            "country": c.country,
            "locale": c.locale,
            "emails": list(c.emails),
            "phones": [PhoneNumber(p.raw, p.e164, p.kind) for p in c.phones],
            "recorded_on": c.recorded_on,
        }
        for c in contacts
    ]
    return len([Contact(**f) for f in fields])


def _into_sqlite(data: bytes, options: ImportOptions, ref_s: float) -> list[list[object]]:
    """The store's share and the full import into SQLite, when the store exists."""
    try:
        sqlite_store = importlib.import_module("accountcare.adapters.sqlite")
        writer = importlib.import_module("accountcare.adapters.importers.storing")
    except ImportError:
        return []
    store_class = getattr(sqlite_store, "SqliteStore", None)
    if store_class is None:
        return []
    report = read_contacts_csv(data, GOOGLE_CONTACTS, options=options)

    def into_new_store(read: bool) -> int:
        with tempfile.TemporaryDirectory() as folder:
            store = store_class(Path(folder) / "bench.db")
            try:
                found = (
                    read_contacts_csv(data, GOOGLE_CONTACTS, options=options) if read else report
                )
                writer.write_import(found, store, keep_good=True)
                return len(found.contacts)
            finally:
                store.close()

    def paused() -> int:
        with paused_collector():
            return into_new_store(True)

    write_s, _ = best_of(lambda: into_new_store(False))
    full_s, _ = best_of(lambda: into_new_store(True))
    paused_s, _ = best_of(paused)
    return [
        *_merged_into_sqlite(data, options, store_class, ref_s),
        [
            f"write_import: one SQLite batch of {len(report.contacts)} contacts and "
            f"{len(report.accounts)} accounts (the store's share)",
            ROWS,
            write_s,
            f"{write_s / ref_s:.1f}x",
        ],
        [
            f"CSV file into SQLite, all in one ({_target(full_s)} the 3 s target)",
            ROWS,
            full_s,
            f"{full_s / ref_s:.1f}x",
        ],
        [
            f"the same, inside paused_collector() ({_target(paused_s)} the 3 s target)",
            ROWS,
            paused_s,
            f"{paused_s / ref_s:.1f}x",
        ],
    ]


def _merged_into_sqlite(
    data: bytes, options: ImportOptions, store_class: type, ref_s: float
) -> list[list[object]]:
    """The command line's path (companies resolved to accounts, people merged into the
    stored ones): into an empty store, then the same file again into the filled one."""
    try:
        importing = importlib.import_module("accountcare.services.importing")
    except ImportError:
        return []
    report = read_contacts_csv(data, GOOGLE_CONTACTS, options=options)
    with tempfile.TemporaryDirectory() as folder:
        store = store_class(Path(folder) / "bench.db")
        try:
            first_s, _ = best_of(
                lambda: importing.import_contacts(store, report, keep_good=True).added, repeat=1
            )
            again_s, unchanged = best_of(
                lambda: importing.import_contacts(store, report, keep_good=True).unchanged
            )
        finally:
            store.close()
    return [
        [
            f"import_contacts into an empty SQLite store ({len(report.contacts)} contacts, "
            "companies resolved, people merged)",
            ROWS,
            first_s,
            f"{first_s / ref_s:.1f}x",
        ],
        [
            f"the same file again into the filled store ({unchanged} contacts unchanged)",
            ROWS,
            again_s,
            f"{again_s / ref_s:.1f}x",
        ],
    ]


def _target(seconds: float) -> str:
    return "within" if seconds <= 3.0 else "over"


if __name__ == "__main__":
    main()

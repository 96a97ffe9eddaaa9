"""Importers: contacts from CSV and vCard exports, accounts, orders and reps from CSV.

Everything here reads bytes and returns an
[`ImportReport`][accountcare.adapters.importers.ImportReport]; nothing is stored until the
caller hands the report to a store. Phone numbers need the ``phone`` extra.

>>> from datetime import date
>>> from accountcare.adapters.importers import ImportOptions, read_vcards
>>> card = b"BEGIN:VCARD\\nVERSION:3.0\\nFN:Kim Minji\\nTEL:010-1234-5678\\nEND:VCARD\\n"
>>> options = ImportOptions(as_of=date(2026, 11, 22), country="KR", time_zone="Asia/Seoul",
...                         account_id="personal")
>>> [p.e164 for p in read_vcards(card, options=options).contacts[0].phones]
['+821012345678']
"""

from accountcare.adapters.importers.csv_import import read_contacts_csv
from accountcare.adapters.importers.dates import parse_birthday, parse_day
from accountcare.adapters.importers.drafts import ImportOptions, account_id_for
from accountcare.adapters.importers.mappings import (
    GOOGLE_CONTACTS,
    GOOGLE_CONTACTS_LEGACY,
    OUTLOOK,
    PHONE_EXPORT,
    ContactMapping,
    PhoneColumn,
    detect_mapping,
)
from accountcare.adapters.importers.phones import PhoneNormaliser
from accountcare.adapters.importers.records_csv import read_accounts_csv, read_orders_csv
from accountcare.adapters.importers.report import (
    ImportFailed,
    ImportFormatError,
    ImportReport,
    Merge,
    Problem,
)
from accountcare.adapters.importers.reps_csv import read_reps_csv
from accountcare.adapters.importers.storing import import_batch, write_import
from accountcare.adapters.importers.vcard import parse_vcards, read_vcards

__all__ = [
    "GOOGLE_CONTACTS",
    "GOOGLE_CONTACTS_LEGACY",
    "OUTLOOK",
    "PHONE_EXPORT",
    "ContactMapping",
    "ImportFailed",
    "ImportFormatError",
    "ImportOptions",
    "ImportReport",
    "Merge",
    "PhoneColumn",
    "PhoneNormaliser",
    "Problem",
    "account_id_for",
    "detect_mapping",
    "import_batch",
    "parse_birthday",
    "parse_day",
    "parse_vcards",
    "read_accounts_csv",
    "read_contacts_csv",
    "read_orders_csv",
    "read_reps_csv",
    "read_vcards",
    "write_import",
]

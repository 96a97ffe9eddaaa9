"""Handing an import to a store: one batch, one transaction, all of it or nothing.

The importers never write;
[`write_import`][accountcare.adapters.importers.storing.write_import] gives the records of
an [`ImportReport`][accountcare.adapters.importers.report.ImportReport] to any
[`Store`][accountcare.ports.store.Store] as one [`Batch`][accountcare.ports.store.Batch]
(accounts, then the contacts and orders that name them). The store applies the batch in
one transaction, so a failure stores nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from accountcare.adapters.importers.report import ImportFailed, ImportReport
from accountcare.domain.accounts import Account
from accountcare.ports.store import Batch, Store, WriteReport

__all__ = ["import_batch", "write_import"]

log = logging.getLogger(__name__)


def import_batch(report: ImportReport, *, accounts: Iterable[Account] = ()) -> Batch:
    """The batch that stores ``report``'s records, with ``accounts`` added first (the
    default account of contacts whose row named no company, when it is not stored yet).

    >>> from accountcare.domain.accounts import Account
    >>> batch = import_batch(ImportReport(), accounts=[Account(id="personal", name="Mine")])
    >>> [a.id for a in batch.accounts]
    ['personal']
    """
    return Batch(
        accounts=(*accounts, *report.accounts),
        contacts=report.contacts,
        orders=report.orders,
    )


def write_import(
    report: ImportReport,
    store: Store,
    *,
    keep_good: bool = False,
    accounts: Iterable[Account] = (),
) -> WriteReport:
    """Store ``report``'s records in one transaction.

    A report with problems (read with ``keep_good=True``) is refused with
    [`ImportFailed`][accountcare.adapters.importers.report.ImportFailed] unless
    ``keep_good=True`` is given here too: storing only the good rows is always a
    deliberate choice. Records replace stored records with
    the same id, so importing the same export twice changes nothing the second time; but
    a replaced contact loses what the file did not give (its consents, its role...):
    [`import_contacts`][accountcare.services.importing.import_contacts] merges into the
    stored contacts instead, and resolves company names to the stored accounts.
    Contacts must name an account that is stored or in the batch: pass the default
    account in ``accounts`` when it is new.

    >>> from datetime import date
    >>> from accountcare.adapters.importers import ImportOptions, read_vcards
    >>> from accountcare.adapters.memory import MemoryStore
    >>> card = b"BEGIN:VCARD\\nVERSION:3.0\\nFN:Kim Minji\\nORG:Hanbit\\nEND:VCARD\\n"
    >>> report = read_vcards(card, options=ImportOptions(as_of=date(2026, 11, 22)))
    >>> store = MemoryStore()
    >>> _ = write_import(report, store)
    >>> [c.name for c in store.contacts(report.accounts[0].id)]
    ['Kim Minji']
    """
    if report.problems and not keep_good:
        raise ImportFailed(report)
    batch = import_batch(report, accounts=accounts)
    written = store.write(batch)
    log.info(
        "stored %s: %d read, %d accounts, %d contacts, %d orders, %d problems",
        report.source or "a report", report.rows, len(batch.accounts), len(batch.contacts),
        len(batch.orders), len(report.problems),
    )  # fmt: skip
    return written

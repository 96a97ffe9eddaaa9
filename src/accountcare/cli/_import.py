"""The ``import`` command: contacts (CSV or vCard), accounts and orders (CSV) into the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from accountcare.cli._group import (
    Settings,
    UserError,
    cli,
    excel_option,
    existing_file,
    pass_settings,
)
from accountcare.cli._output import emit
from accountcare.ports.store import Store

if TYPE_CHECKING:  # imported by the command, to keep start-up short
    from accountcare.adapters.importers import ImportOptions, ImportReport

__all__ = ["import_"]


# -- import ------------------------------------------------------------------------------


@cli.command("import")
@click.argument("kind", metavar="contacts|accounts|orders")
@click.argument("file", metavar="FILE")
@click.option("--country", default="US", show_default=True, help="Country of the contacts.")
@click.option("--time-zone", default="UTC", show_default=True, help="IANA time zone.")
@click.option("--locale", default="en", show_default=True, help="Greeting language.")
@click.option("--currency", default="USD", show_default=True, help="Currency of orders.")
@click.option("--account", "account_id", default=None, help="Account of contacts with no company.")
@click.option("--keep-good", is_flag=True, help="Store the good rows even if others are bad.")
@excel_option
@pass_settings
def import_(
    settings: Settings,
    kind: str,
    file: str,
    country: str,
    time_zone: str,
    locale: str,
    currency: str,
    account_id: str | None,
    keep_good: bool,
) -> None:
    """Import contacts (CSV or vCard), accounts or orders (CSV) from FILE."""
    from accountcare.adapters.importers import ImportOptions
    from accountcare.services import paused_collector

    if kind not in ("contacts", "accounts", "orders"):
        raise UserError(f"import: unknown kind {kind!r}; use contacts, accounts or orders")
    path = existing_file("FILE", file)
    options = ImportOptions(
        as_of=settings.as_of,
        country=country,
        time_zone=time_zone,
        locale=locale,
        account_id=account_id,
        keep_good=keep_good,
    )
    # A bounded bulk job in a process of our own: the collector pause pays.
    with paused_collector():
        report = _read(kind, path, options, currency)
        with settings.store() as store:
            added = _store(store, report, account_id, keep_good)
    rows = [
        ("rows read", report.rows),
        ("accounts stored", len(report.accounts) + added),
        ("contacts stored", len(report.contacts)),
        ("orders stored", len(report.orders)),
        ("duplicates merged", len(report.merges)),
        ("rows skipped", len(report.problems)),
        ("values cleaned", len(report.warnings)),
    ]
    emit(
        rows,
        ("what", "count"),
        fmt=settings.format,
        excel=settings.excel,
        title=f"import {kind} from {path.name}",
    )
    for problem in report.problems:
        click.echo(f"skipped: {problem}", err=True)
    for warning in report.warnings:
        click.echo(f"cleaned: {warning}", err=True)


def _read(kind: str, path: Path, options: ImportOptions, currency: str) -> ImportReport:
    """The import report of the file at ``path``: vCard by its suffix, else CSV. A bad
    row stores nothing unless ``--keep-good``: the importer raises, naming the rows."""
    from accountcare.adapters import importers

    data = path.read_bytes()
    if kind == "accounts":
        return importers.read_accounts_csv(data, options=options)
    if kind == "orders":
        return importers.read_orders_csv(data, options=options, currency=currency)
    if path.suffix.lower() in (".vcf", ".vcard"):
        return importers.read_vcards(data, options=options)
    return importers.read_contacts_csv(data, options=options)


def _store(store: Store, report: ImportReport, account_id: str | None, keep_good: bool) -> int:
    """Write the report; the ``--account`` named is created when new. Returns the
    number of accounts added beyond the report's."""
    from accountcare.adapters.importers import write_import
    from accountcare.domain.accounts import Account

    extra = []
    if account_id is not None and store.account(account_id) is None:
        extra.append(Account(id=account_id, name=account_id))
    write_import(report, store, keep_good=keep_good, accounts=extra)
    return len(extra)

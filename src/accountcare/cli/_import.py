"""The ``import`` command: contacts (CSV or vCard), accounts, orders and reps (CSV) into
the store, merged into what is stored (see
[`accountcare.services.importing`][accountcare.services.importing])."""

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
from accountcare.cli._output import print_rows
from accountcare.errors import ConfigurationError

if TYPE_CHECKING:  # imported by the command, to keep start-up short
    from accountcare.adapters.importers import ImportOptions, ImportReport
    from accountcare.ports.store import Store
    from accountcare.services.importing import ImportResult

__all__ = ["import_"]

KINDS = ("contacts", "accounts", "orders", "reps")
# The flag that sets each import option, to name it in an error.
_FLAGS = {
    "encoding": "--encoding",
    "date_order": "--date-order",
    "consent": "--consent",
    "account_column": "--account-column",
    "phone_region": "--country",
    "country": "--country",
    "time_zone": "--time-zone",
    "locale": "--locale",
    "account_id": "--account",
    "source": "FILE",
}


# -- import ------------------------------------------------------------------------------


@cli.command("import")
@click.argument("kind", metavar="contacts|accounts|orders|reps")
@click.argument("file", metavar="FILE")
@click.option("--encoding", default=None, help="The file's encoding (gb18030, big5, cp949...).")
@click.option("--date-order", default=None, metavar="DMY|MDY|YMD", help="How to read 02/03/1980.")
@click.option("--consent", default=None, metavar="email,sms", help="Consent every row gave.")
@click.option("--account-column", default=None, metavar="COLUMN", help="Column of account ids.")
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
    encoding: str | None,
    date_order: str | None,
    consent: str | None,
    account_column: str | None,
    country: str,
    time_zone: str,
    locale: str,
    currency: str,
    account_id: str | None,
    keep_good: bool,
) -> None:
    """Import contacts (CSV or vCard), accounts, orders or reps (CSV) from FILE.

    Companies are matched to stored accounts by name, whatever their legal form, case or
    width; contacts already stored are merged, never erased; a company that matches
    several accounts is listed with its candidates.
    """
    from accountcare.adapters.importers import ImportFailed, ImportOptions
    from accountcare.services import paused_collector

    if kind not in KINDS:
        raise UserError(f"import: unknown kind {kind!r}; use contacts, accounts, orders or reps")
    path = existing_file("FILE", file)
    if date_order is not None and date_order.upper() not in ("DMY", "MDY", "YMD"):
        raise UserError(f"--date-order: {date_order!r} is not DMY, MDY or YMD")
    if account_column is not None and kind != "contacts":
        raise UserError("--account-column: only contacts files have an account-id column")
    try:
        options = ImportOptions(
            as_of=settings.as_of,
            country=country.upper(),
            time_zone=time_zone,
            locale=locale,
            account_id=account_id,
            keep_good=keep_good,
            encoding=encoding,
            date_order=date_order.upper() if date_order else None,
            consent=consent or frozenset(),
            source=path.name,
            account_column=account_column,
        )
        # A bounded bulk job in a process of our own: the collector pause pays.
        with paused_collector():
            report = _read(kind, path, options, currency)
            with settings.store() as store:
                result = _store(kind, store, report, options)
    except (ImportFailed, ConfigurationError) as error:
        raise UserError(_flagged(str(error))) from None
    _show(settings, kind, path, result)


def _flagged(message: str) -> str:
    """``message`` with the import option it names written as its flag."""
    message = message.replace("pass keep_good=True", "pass --keep-good")
    for field, flag in _FLAGS.items():
        for quoted in (f"import option {field!r}", f"import option '{field}'"):
            if quoted in message:
                return message.replace(quoted, flag)
    if "encoding" in message and "--encoding" not in message:
        return f"{message} (--encoding)"
    return message


def _read(kind: str, path: Path, options: ImportOptions, currency: str) -> ImportReport:
    """The import report of the file at ``path``: vCard by its suffix, else CSV. A bad
    row stores nothing unless ``--keep-good``: the importer raises, naming the rows."""
    from accountcare.adapters import importers
    from accountcare.adapters.importers.reps_csv import read_reps_csv

    data = path.read_bytes()
    if kind == "accounts":
        return importers.read_accounts_csv(data, options=options)
    if kind == "orders":
        return importers.read_orders_csv(data, options=options, currency=currency)
    if kind == "reps":
        return read_reps_csv(data, options=options)
    if path.suffix.lower() in (".vcf", ".vcard"):
        return importers.read_vcards(data, options=options)
    return importers.read_contacts_csv(data, options=options)


def _store(kind: str, store: Store, report: ImportReport, options: ImportOptions) -> ImportResult:
    """The report merged into the store, in one transaction."""
    from accountcare.services import importing

    keep_good = options.keep_good
    if kind == "contacts":
        return importing.import_contacts(
            store,
            report,
            keep_good=keep_good,
            default_account=options.account_id,
            account_field=options.account_column or "account_id",
        )
    if kind == "accounts":
        return importing.import_accounts(store, report, keep_good=keep_good)
    if kind == "orders":
        return importing.import_orders(store, report, keep_good=keep_good)
    return importing.import_reps(store, report, keep_good=keep_good)


def _show(settings: Settings, kind: str, path: Path, result: ImportResult) -> None:
    report = result.report
    new = result.added if kind == "contacts" else result.created
    rows: list[tuple[str, object]] = [
        ("rows read", report.rows),
        (f"{kind} new", new),
        (f"{kind} updated", result.merged),
        (f"{kind} unchanged", result.unchanged),
        (f"{kind} stored", new + result.merged),
    ]
    if kind == "contacts":
        rows += [
            ("companies matched to accounts", result.matched),
            ("companies ambiguous", len(result.ambiguous)),
            ("accounts created", result.created),
            ("accounts stored", result.created),
            ("duplicates merged", len(report.merges)),
        ]
    rows += [
        ("rows skipped", len(result.problems)),
        ("values cleaned", len(report.warnings)),
    ]
    if result.adopted:
        rows.append(("accounts adopted", len(result.adopted)))
    print_rows(settings, rows, ("what", "count"), f"import {kind} from {path.name}")
    for ambiguity in result.ambiguous:
        click.echo(f"ambiguous: {ambiguity}", err=True)
    for made, erp in result.adopted:
        click.echo(
            f"adopted: account {made} is now {erp} (its records moved, {made} retired)", err=True
        )
    for problem in result.problems:
        click.echo(f"skipped: {problem}", err=True)
    for warning in report.warnings:
        click.echo(f"cleaned: {warning}", err=True)

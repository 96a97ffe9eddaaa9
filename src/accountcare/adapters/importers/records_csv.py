"""CSV imports of accounts and orders (contacts are in :mod:`.csv_import`).

Money is read as :class:`~decimal.Decimal`; every bad value of every row is reported with
its line and column, under the all-or-nothing rule of :mod:`.report`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from accountcare.adapters.importers.dates import parse_day
from accountcare.adapters.importers.drafts import ImportOptions
from accountcare.adapters.importers.report import ImportReport, Problem, finish
from accountcare.adapters.importers.table import RowCheck, Table, cell, column_positions
from accountcare.adapters.importers.text import Source, decode, read_bytes
from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Order
from accountcare.domain.currency import ISO_4217
from accountcare.errors import InvalidRecord

__all__ = ["read_accounts_csv", "read_orders_csv"]

_ORDER_COLUMNS = {
    "id": "id",
    "account_id": "account_id",
    "ordered_on": "ordered_on",
    "amount": "amount",
    "currency": "currency",
    "quantity": "quantity",
    "margin": "margin",
    "product": "product",
    "contract_id": "contract_id",
}
_ACCOUNT_COLUMNS = {
    "id": "id",
    "name": "name",
    "short_name": "short_name",
    "owner": "owner",
    "industry": "industry",
    "region": "region",
    "stage": "stage",
    "tags": "tags",
    "strategic": "strategic",
    "cooperation_since": "cooperation_since",
}
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_TRUE = {"true", "yes", "y", "1", "是", "예"}
_FALSE = {"false", "no", "n", "0", "", "否", "아니오"}


def read_orders_csv(
    source: Source,
    *,
    options: ImportOptions,
    columns: Mapping[str, str] | None = None,
    currency: str = "USD",
) -> ImportReport:
    """Orders from a CSV file: ``id, account_id, ordered_on, amount`` (needed), ``currency,
    quantity, margin, product, contract_id`` (optional). ``columns`` renames: ``{"amount":
    "Total"}``. Amounts are read as :class:`~decimal.Decimal` (``1,234.50`` is accepted).

    >>> from datetime import date
    >>> data = b"id,account_id,ordered_on,amount,currency\\no-1,acme,2026-05-04,1200.50,CNY\\n"
    >>> read_orders_csv(data, options=ImportOptions(as_of=date(2026, 11, 22))).orders[0].amount
    Decimal('1200.50')
    """
    table = Table(decode(read_bytes(source), options.encoding))
    at = column_positions(
        table, _ORDER_COLUMNS, columns, ("id", "account_id", "ordered_on", "amount")
    )
    orders: list[Order] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    rows = 0
    for line, row in table.rows():
        rows += 1
        check = RowCheck(table, at, line)
        fail = check.fail
        value: dict[str, Any] = {}

        for field in ("id", "account_id", "product", "contract_id"):
            value[field] = cell(row, at[field])
        for field in ("id", "account_id"):
            if not value[field]:
                fail(field, "is missing")
        if value["id"] in seen:
            fail("id", f"repeats the order id of line {seen[value['id']]}", value["id"])
        try:
            value["ordered_on"] = parse_day(cell(row, at["ordered_on"]))
        except ValueError as exc:
            fail("ordered_on", str(exc), cell(row, at["ordered_on"]))
        for field in ("amount", "margin"):
            raw = cell(row, at[field])
            if raw or field == "amount":
                try:
                    value[field] = _money(raw)
                except ValueError as exc:
                    fail(field, str(exc), raw)
        code = (cell(row, at["currency"]) or currency).upper()
        if code not in ISO_4217:
            fail("currency", "is not an ISO 4217 currency code", code)
        raw_quantity = cell(row, at["quantity"]) or "1"
        if not raw_quantity.isdigit():
            fail("quantity", "is not a whole number of at least 0", raw_quantity)
        if check.problems:
            problems.extend(check.problems)
            continue
        try:
            orders.append(
                Order(
                    id=value["id"],
                    account_id=value["account_id"],
                    ordered_on=value["ordered_on"],
                    amount=value["amount"],
                    margin=value.get("margin"),
                    currency=code,
                    quantity=int(raw_quantity),
                    product=value["product"],
                    contract_id=value["contract_id"] or None,
                )
            )
            seen[value["id"]] = line
        except InvalidRecord as exc:
            problems.append(Problem("line", line, exc.field, exc.problem))
    report = ImportReport(orders=tuple(orders), problems=tuple(problems), rows=rows)
    return finish(report, keep_good=options.keep_good)


def _money(raw: str) -> Decimal:
    text = raw.replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError("is not a finite amount of money")
    return amount


def read_accounts_csv(
    source: Source, *, options: ImportOptions, columns: Mapping[str, str] | None = None
) -> ImportReport:
    """Accounts from a CSV file: ``id, name`` (needed), ``short_name, owner, industry,
    region, stage, tags`` (separated by ``;``), ``strategic`` (yes/no),
    ``cooperation_since`` (optional).

    >>> from datetime import date
    >>> data = b"id,name,tags\\nacme,Acme Trading,key;family\\n"
    >>> sorted(read_accounts_csv(data, options=ImportOptions(as_of=date(2026, 11, 22)))
    ...        .accounts[0].tags)
    ['family', 'key']
    """
    table = Table(decode(read_bytes(source), options.encoding))
    at = column_positions(table, _ACCOUNT_COLUMNS, columns, ("id", "name"))
    accounts: list[Account] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    rows = 0
    stages = {s.value: s for s in LifecycleStage}
    for line, row in table.rows():
        rows += 1
        cells = {field: cell(row, position) for field, position in at.items()}
        check = RowCheck(table, at, line)
        fail = check.fail

        for field in ("id", "name"):
            if not cells[field]:
                fail(field, "is missing")
        if cells["id"] in seen:
            fail("id", f"repeats the account id of line {seen[cells['id']]}", cells["id"])
        stage = stages.get(cells["stage"].casefold() or "customer")
        if stage is None:
            fail("stage", "is not one of " + ", ".join(stages), cells["stage"])
        strategic = cells["strategic"].casefold()
        if strategic not in _TRUE | _FALSE:
            fail("strategic", "is not yes or no", cells["strategic"])
        since = None
        if cells["cooperation_since"]:
            try:
                since = parse_day(cells["cooperation_since"])
            except ValueError as exc:
                fail("cooperation_since", str(exc), cells["cooperation_since"])
        if check.problems:
            problems.extend(check.problems)
            continue
        tags = [t.strip() for t in re.split(r"[;,]", cells["tags"]) if t.strip()]
        try:
            accounts.append(
                Account(
                    id=cells["id"],
                    name=cells["name"],
                    short_name=cells["short_name"],
                    owner=cells["owner"] or None,
                    industry=cells["industry"],
                    region=cells["region"],
                    stage=stage or LifecycleStage.CUSTOMER,
                    tags=tags,
                    strategic=strategic in _TRUE,
                    cooperation_since=since,
                )
            )
            seen[cells["id"]] = line
        except InvalidRecord as exc:
            problems.append(Problem("line", line, exc.field, exc.problem))
    report = ImportReport(accounts=tuple(accounts), problems=tuple(problems), rows=rows)
    return finish(report, keep_good=options.keep_good)

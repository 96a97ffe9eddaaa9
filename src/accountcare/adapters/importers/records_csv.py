"""CSV imports of accounts and orders (contacts are in `csv_import`).

Money is read as `Decimal`; every bad value of every row is reported with
its line and column, under the all-or-nothing rule of `report`. Ids are taken as
written (only the spaces around them are dropped) and the domain judges them (a control
character or an id longer than [`MAX_ID_LENGTH`][accountcare.domain.MAX_ID_LENGTH] is a
problem of its line and column), and so are amounts, whose full-width digits and signs
(``１２３．５０``, as CJK spreadsheets write them) are read as their ASCII forms; names
and the other one-line texts are cleaned of control characters, each cleaning a warning
of the report.

Columns are found by the field's own name (``id``, ``account_id``, ``ordered_on``...) or
by the names ERP systems write, compared without case and spaces:

- customer id (an account's ``id``, an order's ``account_id``): ``Customer ID``,
  ``Customer No.``, ``Customer Number``, ``Customer Code``, 客户编号, 客户代码, 客戶編號,
  거래처코드, 고객번호;
- account ``name``: ``Customer Name``, ``Account Name``, ``Company``, 客户名称, 客戶名稱,
  거래처명, 고객명; ``owner``: ``Owner``, ``Sales Rep``, ``Account Owner``,
  ``Salesperson``, 业务员, 業務員, 负责人, 담당자, 영업담당; ``industry`` 行业/업종,
  ``region`` 地区/지역, ``short_name`` 简称/약칭, ``tags`` 标签/태그;
- order ``id``: ``Order No.``, ``Order Number``, ``Order ID``, 订单号, 订单编号, 주문번호;
  ``ordered_on``: ``Order Date``, 订单日期, 下单日期, 주문일자; ``amount``: ``Amount``,
  ``Total``, 金额, 금액, 합계; ``currency`` 币种/통화, ``quantity`` ``Qty``/数量/수량,
  ``product`` ``Item``/产品/품목, ``contract_id`` ``Contract No.``/合同号/계약번호.

``columns`` names a column the file calls otherwise. Dates are read as
[`parse_day`][accountcare.adapters.importers.dates.parse_day] reads them (``2026年5月4日``,
``2026. 5. 4.``), and a ``04/05/2026`` needs the import's ``date_order``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs

from accountcare.adapters.importers.consent import FALSE, TRUE
from accountcare.adapters.importers.dates import parse_day
from accountcare.adapters.importers.drafts import CLEANED, ImportOptions
from accountcare.adapters.importers.report import ImportReport, Problem, finish
from accountcare.adapters.importers.table import RowCheck, Table, cell, column_positions, id_cell
from accountcare.adapters.importers.text import Source, decode, one_line, read_bytes
from accountcare.domain.accounts import Account, LifecycleStage
from accountcare.domain.activity import Order
from accountcare.domain.currency import ISO_4217
from accountcare.errors import InvalidRecord

__all__ = ["read_accounts_csv", "read_orders_csv"]

T = TypeVar("T")

# The header names ERP systems write for each field (compared without case and spaces).
_CUSTOMER_ID = ("Customer ID", "Customer No.", "Customer No", "Customer Number", "Customer Code",
                "客户编号", "客户代码", "客户号", "客戶編號", "客戶代碼", "거래처코드",
                "거래처 번호", "고객번호", "고객코드")  # fmt: skip
_ORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "order_id", "Order No.", "Order No", "Order Number", "Order ID", "订单号",
           "订单编号", "訂單編號", "訂單號碼", "주문번호"),
    "account_id": ("account_id", *_CUSTOMER_ID),
    "ordered_on": ("ordered_on", "Order Date", "订单日期", "下单日期", "訂單日期", "주문일자",
                   "주문일"),
    "amount": ("amount", "Amount", "Total", "金额", "金額", "订单金额", "금액", "합계"),
    "currency": ("currency", "Currency", "币种", "幣別", "货币", "통화"),
    "quantity": ("quantity", "Qty", "数量", "數量", "수량"),
    "margin": ("margin", "Margin", "毛利", "마진"),
    "product": ("product", "Product", "Item", "产品", "產品", "商品", "품목", "제품"),
    "contract_id": ("contract_id", "Contract No.", "Contract No", "Contract ID", "合同号",
                    "合同编号", "合約編號", "계약번호"),
}  # fmt: skip
_ACCOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "account_id", *_CUSTOMER_ID),
    "name": ("name", "Customer Name", "Account Name", "Company", "客户名称", "客戶名稱",
             "公司名称", "거래처명", "고객명", "회사명"),
    "short_name": ("short_name", "Short Name", "简称", "簡稱", "약칭"),
    "owner": ("owner", "Sales Rep", "Account Owner", "Salesperson", "业务员", "業務員",
              "负责人", "負責人", "销售代表", "담당자", "영업담당"),
    "industry": ("industry", "行业", "行業", "업종"),
    "region": ("region", "地区", "地區", "区域", "지역"),
    "stage": ("stage", "阶段", "단계"),
    "tags": ("tags", "标签", "標籤", "태그"),
    "strategic": ("strategic", "战略客户", "전략"),
    "cooperation_since": ("cooperation_since", "Customer Since", "合作开始日期", "合作日期",
                          "거래시작일"),
}  # fmt: skip
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
# An amount as people write it: ASCII digits, one optional sign, point and exponent.
_AMOUNT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
#: The most digits a quantity may have.
MAX_QUANTITY_DIGITS = 15
# Full-width ASCII forms (U+FF01-U+FF5E) and the ideographic space, as their ASCII
# characters: exactly what NFKC makes of them, without its other foldings (it would also
# read a superscript ``²`` or a circled ``①`` as a digit, which no amount is written with).
_NARROW = {c: unicodedata.normalize("NFKC", chr(c)) for c in (0x3000, *range(0xFF01, 0xFF5F))}
_FALSE = FALSE | {""}


def _read(
    table: Table,
    at: Mapping[str, int | None],
    kind: type[T],
    needed: tuple[str, ...],
    fields: Callable[[list[str], RowCheck], dict[str, Any]],
    texts: tuple[str, ...],
    ids: tuple[str, ...],
) -> tuple[list[T], ImportReport]:
    """The ``kind`` records of ``table``, and a report of the problems of its bad rows,
    its number of rows, its warnings and the line of each record by id (the records are
    the caller's to add to it): the ``needed`` cells must not be empty (the ``ids`` ones
    as written, see [`id_cell`][accountcare.adapters.importers.table.id_cell]), an id
    must not repeat an earlier row's, the ``texts`` cells are cleaned to one line, and
    ``fields`` reads the rest (failing on the row's check)."""
    records: list[T] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    seen: dict[str, int] = {}
    rows = 0
    noun = kind.__name__.lower()
    cleaned = [(position, f) for f in texts if (position := at[f]) is not None]
    for line, row, suspect in table.rows():
        rows += 1
        check = RowCheck(table, at, line)
        if suspect:
            for position, field in cleaned:
                if position < len(row):
                    value = row[position]
                    row[position] = one_line(value)
                    if row[position] is not value:
                        warnings.append(check.problem(field, CLEANED, value))
        for field in needed:
            if not (id_cell if field in ids else cell)(row, at[field]):
                check.fail(field, "is missing")
        ident = id_cell(row, at["id"])
        if ident in seen:
            check.fail("id", f"repeats the {noun} id of line {seen[ident]}", ident)
        values = fields(row, check)
        if check.problems:
            problems.extend(check.problems)
            continue
        try:
            records.append(kind(**values))
        except InvalidRecord as exc:
            refused = values.get(exc.field)
            text = "" if refused is None else str(refused)
            check.fail(exc.field, exc.problem, "" if text in exc.problem else text)
            problems.extend(check.problems)
        else:
            seen[ident] = line
    origins = {i: ("line", n) for i, n in seen.items()}
    report = ImportReport(
        problems=tuple(problems), rows=rows, warnings=tuple(warnings), origins=origins
    )
    return records, report


def read_orders_csv(
    source: Source,
    *,
    options: ImportOptions,
    columns: Mapping[str, str] | None = None,
    currency: str = "USD",
) -> ImportReport:
    """Orders from a CSV file: ``id, account_id, ordered_on, amount`` (needed), ``currency,
    quantity, margin, product, contract_id`` (optional). ``columns`` renames: ``{"amount":
    "Total"}``. Amounts are read as `Decimal` (``1,234.50`` is accepted).

    >>> from datetime import date
    >>> data = b"id,account_id,ordered_on,amount,currency\\no-1,acme,2026-05-04,1200.50,CNY\\n"
    >>> read_orders_csv(data, options=ImportOptions(as_of=date(2026, 11, 22))).orders[0].amount
    Decimal('1200.50')
    """
    table = Table(decode(read_bytes(source), options.encoding))
    at = column_positions(
        table, _ORDER_COLUMNS, columns, ("id", "account_id", "ordered_on", "amount")
    )

    def fields(row: list[str], check: RowCheck) -> dict[str, Any]:
        value: dict[str, Any] = {f: id_cell(row, at[f]) for f in ("id", "account_id")}
        value["product"] = cell(row, at["product"])
        value["contract_id"] = id_cell(row, at["contract_id"]) or None
        try:
            value["ordered_on"] = parse_day(cell(row, at["ordered_on"]), options.date_order)
        except ValueError as exc:
            check.fail("ordered_on", str(exc), cell(row, at["ordered_on"]))
        for field in ("amount", "margin"):
            raw = cell(row, at[field])
            if raw or field == "amount":
                try:
                    value[field] = _money(raw)
                except ValueError as exc:
                    check.fail(field, str(exc), raw)
        value["currency"] = (cell(row, at["currency"]) or currency).upper()
        if value["currency"] not in ISO_4217:
            check.fail("currency", "is not an ISO 4217 currency code", value["currency"])
        written = cell(row, at["quantity"]) or "1"
        quantity = written if written.isascii() else written.translate(_NARROW)
        if quantity.isascii() and quantity.isdigit() and len(quantity) <= MAX_QUANTITY_DIGITS:
            value["quantity"] = int(quantity)
        else:  # the row is not built: it needs no quantity
            check.fail(
                "quantity",
                f"is not a whole number of at least 0 (at most {MAX_QUANTITY_DIGITS} digits)",
                written,
            )
        return value

    orders, report = _read(
        table, at, Order, ("id", "account_id"), fields, ("product",), ("id", "account_id")
    )
    report = attrs.evolve(report, orders=tuple(orders))
    return finish(report, keep_good=options.keep_good, source=options.source)


def _money(raw: str) -> Decimal:
    """The amount ``raw`` writes (``1,234.50`` too, and in full-width forms); the domain
    judges its size."""
    text = (raw if raw.isascii() else raw.translate(_NARROW)).replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if not _AMOUNT.match(text):  # NaN, Infinity, 1_000, other scripts' digits...
        raise ValueError("is not an amount of money")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("is not an amount of money") from None


def read_accounts_csv(
    source: Source, *, options: ImportOptions, columns: Mapping[str, str] | None = None
) -> ImportReport:
    """Accounts from a CSV file: ``id, name`` (needed), ``short_name, owner, industry,
    region, stage, tags`` (separated by ``;``), ``strategic`` (yes/no),
    ``cooperation_since`` (optional). The report's ``provided`` names, per account, the
    fields whose cells were not empty.

    >>> from datetime import date
    >>> data = b"id,name,tags\\nacme,Acme Trading,key;family\\n"
    >>> sorted(read_accounts_csv(data, options=ImportOptions(as_of=date(2026, 11, 22)))
    ...        .accounts[0].tags)
    ['family', 'key']
    """
    table = Table(decode(read_bytes(source), options.encoding))
    at = column_positions(table, _ACCOUNT_COLUMNS, columns, ("id", "name"))
    stages = {s.value: s for s in LifecycleStage}
    given: dict[str, frozenset[str]] = {}

    def fields(row: list[str], check: RowCheck) -> dict[str, Any]:
        cells = {field: cell(row, position) for field, position in at.items()}
        given[id_cell(row, at["id"])] = frozenset(f for f, text in cells.items() if text)
        value: dict[str, Any] = {f: cells[f] for f in ("name", "short_name", "industry", "region")}
        value["id"] = id_cell(row, at["id"])
        value["owner"] = id_cell(row, at["owner"]) or None
        value["stage"] = stages.get(cells["stage"].casefold() or "customer")
        if value["stage"] is None:
            check.fail("stage", "is not one of " + ", ".join(stages), cells["stage"])
        strategic = cells["strategic"].casefold()
        if strategic not in TRUE | _FALSE:
            check.fail("strategic", "is not yes or no", cells["strategic"])
        value["strategic"] = strategic in TRUE
        value["cooperation_since"] = None
        if cells["cooperation_since"]:
            try:
                value["cooperation_since"] = parse_day(
                    cells["cooperation_since"], options.date_order
                )
            except ValueError as exc:
                check.fail("cooperation_since", str(exc), cells["cooperation_since"])
        value["tags"] = [t.strip() for t in re.split(r"[;,]", cells["tags"]) if t.strip()]
        return value

    texts = ("name", "short_name", "industry", "region", "tags")
    accounts, report = _read(table, at, Account, ("id", "name"), fields, texts, ("id",))
    provided = {a.id: given[a.id] for a in accounts}
    report = attrs.evolve(report, accounts=tuple(accounts), provided=provided)
    return finish(report, keep_good=options.keep_good, source=options.source)

"""The import use case: what the records a file was read into (an
[`ImportReport`][accountcare.adapters.importers.ImportReport]) mean for the records
already stored, written in one transaction.

- A contact's company resolves to the one stored account whose name (or short name) is
  the same company ([`normalise_company`][accountcare.policies.identity.normalise_company]),
  or to one an earlier row of the same import created; only a company that matches
  nothing creates an account. An account made earlier from a company name (an ``a-...``
  id) yields to the one account with a real id for the same company. A company that
  matches several accounts is reported with its candidates and never guessed: under the
  all-or-nothing rule the import is refused, with ``keep_good`` its contacts are left out.
- A contact whose account came from an account-id column must name a stored account.
- A contact that is already stored (same id, else E.164 number, else email address) is
  merged into it by [`merge_contact`][accountcare.policies.identity.merge_contact], which
  erases nothing: importing the same file twice changes nothing the second time.
- An accounts file adopts the accounts contacts created earlier for the same company
  (``a-...`` ids): their contacts, orders, interactions and complaints move to the new id.

Each import logs one INFO line on ``accountcare.services.importing`` with its counts
(rows read, matched, created, merged, problems), and a WARNING for the rows the store
made it skip (how many, and the first reason); never a value of the file.

>>> from datetime import date
>>> from accountcare.adapters.importers import ImportOptions, read_accounts_csv
>>> from accountcare.adapters.memory import MemoryStore
>>> store, options = MemoryStore(), ImportOptions(as_of=date(2026, 11, 2))
>>> data = "id,name\\nC1001,上海华东电子有限公司\\n".encode()
>>> import_accounts(store, read_accounts_csv(data, options=options)).counts()["created"]
1
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import timedelta

import attrs

from accountcare.adapters.importers.drafts import DERIVED_PREFIX
from accountcare.adapters.importers.report import (
    ImportFailed,
    ImportReport,
    Problem,
    log_skipped,
)
from accountcare.domain.accounts import Account
from accountcare.domain.activity import Order
from accountcare.domain.contacts import Contact
from accountcare.policies.identity import (
    DEFAULT_SUFFIXES,
    CompanyIndex,
    CompanyMatch,
    ContactIndex,
    merge_account,
    merge_contact,
    merge_rep,
    normalise_company,
)
from accountcare.ports.store import Batch, Store, WriteReport

__all__ = [
    "Ambiguity",
    "ImportResult",
    "import_accounts",
    "import_contacts",
    "import_orders",
    "import_reps",
]

log = logging.getLogger(__name__)


@attrs.frozen
class Ambiguity:
    """A company name that matches several stored accounts: where it was read, the name,
    and the candidates (ids and names).

    >>> str(Ambiguity("line 7", "한빛소프트", (("C1002", "Hanbit Soft"), ("C1003", "(주)한빛"))))
    "line 7: company '한빛소프트' matches 2 accounts: C1002 (Hanbit Soft), C1003 ((주)한빛)"
    """

    where: str
    company: str
    candidates: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        shown = ", ".join(f"{i} ({name})" for i, name in self.candidates)
        return (
            f"{self.where}: company {self.company!r} matches {len(self.candidates)} "
            f"accounts: {shown}"
        )


@attrs.frozen
class ImportResult:
    """What an import did to the store.

    ``matched`` counts the companies (or records) that were already stored, ``created``
    the accounts (or records) added, ``ambiguous`` the company names that matched several
    accounts, ``merged`` the stored records the file changed, ``unchanged`` those it
    gave nothing new; ``added`` counts new contacts. ``adopted`` maps each account made
    earlier from a company name to the account that took it over, and ``retired`` lists
    those accounts, deleted in the same transaction once their records moved.
    """

    report: ImportReport
    matched: int = 0
    created: int = 0
    ambiguous: tuple[Ambiguity, ...] = ()
    merged: int = 0
    unchanged: int = 0
    added: int = 0
    problems: tuple[Problem, ...] = ()
    adopted: tuple[tuple[str, str], ...] = ()
    retired: tuple[str, ...] = ()
    written: WriteReport = attrs.field(factory=WriteReport)

    def counts(self) -> dict[str, int]:
        """The counts, by name, for a table."""
        return {
            "matched": self.matched,
            "created": self.created,
            "ambiguous": len(self.ambiguous),
            "merged": self.merged,
            "unchanged": self.unchanged,
            "added": self.added,
        }


def _where(report: ImportReport, record_id: str, noun: str) -> tuple[str, int]:
    """The unit and number of the row that holds ``record_id`` ((noun 'id', 0) when the
    report does not say)."""
    return report.origins.get(record_id, (f"{noun} {record_id!r}", 0))


def _judge(report: ImportReport, problems: list[Problem], keep_good: bool) -> None:
    """Raise [`ImportFailed`][accountcare.adapters.importers.ImportFailed] for the
    problems found against the store, unless the good records are to be kept (then
    log the rows they skip: the reader logged its own)."""
    every = (*report.problems, *problems)
    if every and not keep_good:
        log_skipped(report.source, every, kept=False)
        raise ImportFailed(
            attrs.evolve(report, contacts=(), accounts=(), orders=(), reps=(), problems=every)
        )
    log_skipped(report.source, problems, kept=True)


def _logged(kind: str, result: ImportResult) -> ImportResult:
    """``result``, its counts logged at INFO: numbers and the file's name only."""
    log.info(
        "imported %s from %s: %d read, %d matched, %d created, %d added, %d merged, "
        "%d unchanged, %d problems",
        kind, result.report.source or "a report", result.report.rows, result.matched,
        result.created, result.added, result.merged, result.unchanged, len(result.problems),
    )  # fmt: skip
    for old, new in result.adopted:
        log.debug("account %s adopted by %s and retired", old, new)
    return result


def _preferring_real(found: CompanyMatch) -> CompanyMatch:
    """``found``, with an account made from a company name (an ``a-`` id: a stand-in
    until the accounts file names the company) yielding to the one real account among
    the candidates."""
    real = [a for a in found.candidates if not a.id.startswith(DERIVED_PREFIX)]
    if found.ambiguous and len(real) == 1:
        return CompanyMatch(real[0], found.candidates)
    return found


def import_contacts(
    store: Store,
    report: ImportReport,
    *,
    keep_good: bool = False,
    default_account: str | None = None,
    account_field: str = "account_id",
    suffixes: Sequence[str] = DEFAULT_SUFFIXES,
) -> ImportResult:
    """Store the contacts of ``report``, each under the account its company means, merged
    into the stored contact it is.

    ``account_field`` names the file's account-id column in the problem of a row whose
    account is not stored.

    ``default_account`` is the account of contacts whose row named no company (created,
    named by its id, when it is not stored and a new contact needs it); a contact merged
    into a stored one keeps the stored account.

    >>> from datetime import date
    >>> from accountcare.adapters.importers import ImportOptions, read_contacts_csv
    >>> from accountcare.adapters.memory import MemoryStore
    >>> store = MemoryStore()
    >>> _ = store.write(Batch(accounts=[Account(id="C1001", name="上海华东电子有限公司")]))
    >>> data = "Name,Mobile,Company\\n王伟,138 0013 8000,上海华东电子\\n".encode()
    >>> report = read_contacts_csv(data, options=ImportOptions(as_of=date(2026, 11, 2),
    ...                                                        country="CN"))
    >>> result = import_contacts(store, report)
    >>> result.matched, result.created, [c.name for c in store.contacts("C1001")]
    (1, 0, ['王伟'])
    >>> import_contacts(store, report).unchanged
    1
    """
    stored_accounts = store.accounts()
    stored_ids = {a.id for a in stored_accounts}
    companies = CompanyIndex(stored_accounts, suffixes)
    derived = {a.id: a for a in report.accounts}
    targets: dict[str, str | Ambiguity] = {}  # derived account id -> account id or why not
    created: dict[str, Account] = {}
    created_keys: dict[str, str] = {}
    problems: list[Problem] = []
    ambiguous: list[Ambiguity] = []
    matched = 0
    if default_account is not None and default_account not in stored_ids:
        created[default_account] = Account(id=default_account, name=default_account)
    # The stored contacts by account, then id: of two that match, the first is kept.
    people = ContactIndex(sorted(store.contacts_of(), key=lambda c: (c.account_id, c.id)))
    changed: dict[str, Contact] = {}
    unchanged = added = 0
    for contact in report.contacts:
        provided: Collection[str] = report.provided.get(contact.id, frozenset())
        unit, number = _where(report, contact.id, "contact")
        account_id = contact.account_id
        if account_id in derived:
            target = targets.get(account_id)
            if target is None:
                company = derived[account_id]
                found = _preferring_real(companies.resolve(company.name))
                if found.account is not None:
                    target, matched = found.account.id, matched + 1
                elif found.ambiguous:
                    where = f"{unit} {number}" if number else unit
                    target = Ambiguity(
                        where, company.name, tuple((a.id, a.name) for a in found.candidates)
                    )
                    ambiguous.append(target)
                else:
                    key = normalise_company(company.name, suffixes)
                    target = created_keys.setdefault(key, company.id)
                    if target == company.id:
                        created[company.id] = company
                        companies.add(company)
                targets[account_id] = target
            if isinstance(target, Ambiguity):
                names = ", ".join(i for i, _ in target.candidates)
                problems.append(
                    Problem(unit, number, "company", f"matches several accounts ({names}); "
                            "give the account id", target.company)
                )  # fmt: skip
                continue
            account_id = target
            provided = {*provided, "account_id"}
        elif account_id != default_account:
            if account_id not in stored_ids:
                problems.append(
                    Problem(unit, number, account_field, "names no stored account", account_id)
                )
                continue
            provided = {*provided, "account_id"}
        imported = attrs.evolve(contact, account_id=account_id)
        kept = people.match(imported)
        if kept is None:
            changed[imported.id] = imported
            people.add(imported)
            added += 1
            continue
        if imported.account_id in created:
            # A company name that matched no account is weaker evidence than the stored
            # contact's account: the person stays where they are.
            provided = set(provided) - {"account_id"}
        merged = merge_contact(kept, imported, provided)
        if merged == kept:
            unchanged += 1
        else:
            changed[merged.id] = merged
            people.add(merged)
    _judge(report, problems, keep_good)
    contacts = tuple(changed.values())
    used = {c.account_id for c in contacts}
    accounts = tuple(a for a in created.values() if a.id in used)
    written = store.write(Batch(accounts=accounts, contacts=contacts))
    result = ImportResult(
        report,
        matched=matched,
        created=len(accounts),
        ambiguous=tuple(ambiguous),
        merged=len(contacts) - added,
        unchanged=unchanged,
        added=added,
        problems=(*report.problems, *problems),
        written=written,
    )
    return _logged("contacts", result)


def import_accounts(
    store: Store,
    report: ImportReport,
    *,
    keep_good: bool = False,
    suffixes: Sequence[str] = DEFAULT_SUFFIXES,
) -> ImportResult:
    """Store the accounts of ``report``, each merged into the stored account with its id
    ([`merge_account`][accountcare.policies.identity.merge_account]: what the file left
    empty keeps its stored value); an account that is the same company as accounts made
    earlier from contacts' company names adopts them: their contacts, orders,
    interactions and complaints move to it and the account made earlier is retired, all
    in the same transaction.

    >>> from accountcare.adapters.memory import MemoryStore
    >>> store = MemoryStore()
    >>> _ = store.write(Batch(accounts=[Account(id="a-1f", name="上海华东电子")],
    ...                       contacts=[Contact(id="c-1", account_id="a-1f", name="王伟")]))
    >>> erp = ImportReport(accounts=(Account(id="C1001", name="上海华东电子有限公司"),))
    >>> import_accounts(store, erp).adopted
    (('a-1f', 'C1001'),)
    >>> store.contact("c-1").account_id
    'C1001'
    """
    stored = store.accounts()
    earlier = CompanyIndex([a for a in stored if a.id.startswith(DERIVED_PREFIX)], suffixes)
    accounts: list[Account] = []
    adopted: list[tuple[str, str]] = []
    matched = created = unchanged = 0
    by_id = {a.id: a for a in stored}
    for account in report.accounts:
        kept = by_id.get(account.id)
        if kept is not None:
            matched += 1
            account = merge_account(kept, account, report.provided.get(account.id, ()))
            if account == kept:
                unchanged += 1
                continue
        else:
            created += 1
        if not account.id.startswith(DERIVED_PREFIX):
            olds = {a.id: a for n in (account.name, account.short_name) if n.strip()
                    for a in earlier.resolve(n).candidates}  # fmt: skip
            for old_id, old in sorted(olds.items()):
                earlier.remove(old_id)
                adopted.append((old_id, account.id))
                # What the team curated on the account made earlier (its stage, owner,
                # tags, notes...) stays, unless the file says otherwise.
                given = {*report.provided.get(account.id, ()), "name"}
                account = merge_account(attrs.evolve(old, id=account.id), account, given)
        accounts.append(account)
    _judge(report, [], keep_good)
    moved = _moved(store, dict(adopted))
    batch = attrs.evolve(moved, accounts=accounts, retired_accounts=[old for old, _ in adopted])
    written = store.write(batch)
    result = ImportResult(
        report,
        matched=matched,
        created=created,
        merged=matched - unchanged,
        unchanged=unchanged,
        problems=report.problems,
        adopted=tuple(adopted),
        retired=tuple(old for old, _ in adopted),
        written=written,
    )
    return _logged("accounts", result)


def _moved(store: Store, to: Mapping[str, str]) -> Batch:
    """The records of the accounts ``to`` maps, each under the account it maps to: one
    read of each kind of record, however many accounts move."""
    if not to:
        return Batch()
    olds = sorted(to)
    return Batch(
        contacts=[attrs.evolve(c, account_id=to[c.account_id]) for c in store.contacts_of(olds)],
        orders=[attrs.evolve(o, account_id=to[o.account_id]) for o in store.orders_of(olds)],
        interactions=[
            attrs.evolve(i, account_id=to[i.account_id]) for i in store.interactions_of(olds)
        ],
        complaints=[
            attrs.evolve(c, account_id=to[c.account_id]) for c in store.complaints_of(olds)
        ],
        loss_reviews=[
            attrs.evolve(r, account_id=to[r.account_id])
            for r in store.loss_reviews()
            if r.account_id in to
        ],
    )


def import_orders(store: Store, report: ImportReport, *, keep_good: bool = False) -> ImportResult:
    """Store the orders of ``report``; each must name a stored account.

    >>> from datetime import date
    >>> from decimal import Decimal
    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.domain import Order
    >>> order = Order(id="o-1", account_id="C1001", ordered_on=date(2026, 5, 4),
    ...               amount=Decimal("1200.50"), currency="CNY")
    >>> try:
    ...     import_orders(MemoryStore(), ImportReport(orders=(order,)))
    ... except ImportFailed as failed:
    ...     print(failed.report.problems[0])
    order 'o-1': field 'account_id' names no stored account ('C1001')
    """
    problems: list[Problem] = []
    accounts = {a.id for a in store.accounts()}
    good = []
    for order in report.orders:
        if order.account_id not in accounts:
            unit, number = _where(report, order.id, "order")
            problems.append(
                Problem(unit, number, "account_id", "names no stored account", order.account_id)
            )
        else:
            good.append(order)
    _judge(report, problems, keep_good)
    stored: dict[str, Order] = {}
    if good:  # the stored orders of the file's days, in one query
        first = min(o.ordered_on for o in good)
        last = max(o.ordered_on for o in good)
        stored = {o.id: o for o in store.orders_between(first, last + timedelta(days=1))}
    changed = [o for o in good if stored.get(o.id) != o]
    written = store.write(Batch(orders=changed))
    kept = sum(1 for o in good if o.id in stored)
    same = len(good) - len(changed)
    result = ImportResult(
        report,
        matched=kept,
        created=len(good) - kept,
        merged=kept - same,
        unchanged=same,
        problems=(*report.problems, *problems),
        written=written,
    )
    return _logged("orders", result)


def import_reps(store: Store, report: ImportReport, *, keep_good: bool = False) -> ImportResult:
    """Store the reps of ``report``, each merged into the stored rep with its id
    ([`merge_rep`][accountcare.policies.identity.merge_rep]: what the file left empty
    keeps its stored value).

    >>> from accountcare.adapters.memory import MemoryStore
    >>> from accountcare.domain.team import Rep
    >>> store = MemoryStore()
    >>> import_reps(store, ImportReport(reps=(Rep(id="rep-li", name="Li Na"),))).created
    1
    """
    _judge(report, [], keep_good)
    held = {r.id: r for r in store.reps()}
    stored = {r.id: r for r in report.reps if r.id in held}
    merged = [
        merge_rep(held[r.id], r, report.provided.get(r.id, ())) if r.id in held else r
        for r in report.reps
    ]
    same = [r for r in merged if held.get(r.id) == r]
    changed = [r for r in merged if r not in same]
    written = store.write(Batch(reps=changed))
    result = ImportResult(
        report,
        matched=len(stored),
        created=len(report.reps) - len(stored),
        merged=len(stored) - len(same),
        unchanged=len(same),
        problems=report.problems,
        written=written,
    )
    return _logged("reps", result)

"""The in-memory store: a real store for tests, notebooks and short-lived scripts.

It keeps the values themselves (they are immutable), checks batches exactly as the
database stores do, and is safe to share between threads. Nothing survives the process.

>>> from accountcare.domain import Account
>>> from accountcare.ports.store import Batch
>>> store = MemoryStore()
>>> _ = store.write(Batch(accounts=[Account(id="acme", name="Acme")]))
>>> store.account("acme").name
'Acme'
"""

from __future__ import annotations

import heapq
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from accountcare.adapters._rows import (
    HOLDINGS,
    Checked,
    check,
    check_references,
    check_retired,
    write_report,
)
from accountcare.domain.accounts import Account
from accountcare.domain.activity import (
    Complaint,
    Interaction,
    InteractionKind,
    Order,
    OrderTotal,
    order_totals,
)
from accountcare.domain.care import CareSchedule
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.outbox import OutboxEntry, OutboxStatus
from accountcare.domain.team import Company, Rep
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.visits import VisitPlan
from accountcare.domain.warnings import LostAccountReview
from accountcare.ports.store import Batch, WriteReport, wanted_accounts, wanted_keys

__all__ = ["MemoryStore"]

R = TypeVar("R", Contact, Order, Interaction, Complaint)


class MemoryStore:
    """A [`Store`][accountcare.ports.store.Store] held in dictionaries."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._contacts: dict[str, Contact] = {}
        self._orders: dict[str, Order] = {}
        self._interactions: dict[str, Interaction] = {}
        self._complaints: dict[str, Complaint] = {}
        self._tiers: dict[tuple[str, date, str], TierAssignment] = {}
        self._plans: dict[str, VisitPlan] = {}
        self._schedules: dict[str, CareSchedule] = {}
        self._outbox: dict[str, OutboxEntry] = {}
        self._reps: dict[str, Rep] = {}
        self._company: Company | None = None
        self._reviews: dict[tuple[str, date], LostAccountReview] = {}

    def write(self, batch: Batch) -> WriteReport:
        with self._lock:
            checked = check(batch)
            check_references(checked, lambda ids: {i for i in ids if i in self._accounts})
            check_retired(checked.retired_accounts, self._held(checked))
            # Everything is checked before the first change: all or nothing.
            self._accounts.update((a.id, a) for a in checked.accounts)
            self._contacts.update((c.id, c) for c in checked.contacts)
            self._orders.update((o.id, o) for o in checked.orders)
            self._interactions.update((i.id, i) for i in checked.interactions)
            self._complaints.update((c.id, c) for c in checked.complaints)
            self._tiers.update(((t.policy, d, t.account_id), t) for d, t in checked.tiers)
            self._plans.update(checked.visit_plans)
            self._schedules.update(checked.care_schedules)
            self._reps.update((r.id, r) for r in checked.reps)
            if checked.company is not None:
                self._company = checked.company
            self._reviews.update(((r.account_id, r.found_on), r) for r in checked.loss_reviews)
            present = {m.key for m in checked.outbox if m.key in self._outbox}
            for message in checked.outbox:
                if message.key not in present:
                    self._outbox[message.key] = OutboxEntry.queued(message)
            retired = set(checked.retired_accounts)
            if retired:
                for key in [k for k in self._tiers if k[2] in retired]:
                    del self._tiers[key]
                for found in [k for k in self._reviews if k[0] in retired]:
                    del self._reviews[found]
                for account_id in retired:
                    self._accounts.pop(account_id, None)
            return write_report(checked, present)

    def _held(self, checked: Checked) -> dict[str, dict[str, int]]:
        """What each retired account holds once ``checked`` is applied, by table."""
        retired = set(checked.retired_accounts)
        held: dict[str, dict[str, int]] = {}
        if not retired:
            return held
        for table, _ in HOLDINGS:
            written: tuple[Contact | Order | Interaction | Complaint, ...] = getattr(checked, table)
            stored: dict[str, Contact | Order | Interaction | Complaint] = getattr(
                self, f"_{table}"
            )
            after = {**stored, **{r.id: r for r in written}}  # the batch's replace the stored
            held[table] = Counter(r.account_id for r in after.values() if r.account_id in retired)
        return held

    def account(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def accounts(self) -> tuple[Account, ...]:
        with self._lock:
            return tuple(sorted(self._accounts.values(), key=lambda a: a.id))

    def accounts_by_owner(self, owner: str) -> tuple[Account, ...]:
        return tuple(a for a in self.accounts() if a.owner == owner)

    def accounts_in_tier(
        self, policy: str, tier: str, as_of: date | None = None
    ) -> tuple[Account, ...]:
        with self._lock:
            latest: dict[str, tuple[date, TierAssignment]] = {}
            for (name, day, account_id), assignment in self._tiers.items():
                if name != policy or (as_of is not None and day > as_of):
                    continue
                if account_id not in latest or latest[account_id][0] < day:
                    latest[account_id] = (day, assignment)
            ids = sorted(i for i, (_, a) in latest.items() if a.tier == tier)
            return tuple(self._accounts[i] for i in ids if i in self._accounts)

    def accounts_changed_since(self, instant: datetime) -> tuple[Account, ...]:
        return tuple(
            a for a in self.accounts() if a.updated_at is not None and a.updated_at >= instant
        )

    def contact(self, contact_id: str) -> Contact | None:
        return self._contacts.get(contact_id)

    def _of(
        self,
        records: Mapping[str, R],
        account_ids: Iterable[str] | None,
        key: Callable[[R], Any],
    ) -> tuple[R, ...]:
        """Those of ``records`` of the accounts ``account_ids`` (all when None), by ``key``."""
        wanted = wanted_accounts(account_ids)
        with self._lock:
            found = [r for r in records.values() if wanted is None or r.account_id in wanted]
        return tuple(sorted(found, key=key))

    def contacts(self, account_id: str) -> tuple[Contact, ...]:
        return self.contacts_of([account_id])

    def contacts_of(self, account_ids: Iterable[str] | None = None) -> tuple[Contact, ...]:
        return self._of(self._contacts, account_ids, lambda c: c.id)

    def accounts_page(self, after: str | None, limit: int) -> tuple[Account, ...]:
        with self._lock:
            later = (a for a in self._accounts.values() if after is None or a.id > after)
            return tuple(heapq.nsmallest(max(0, limit), later, key=lambda a: a.id))

    def orders(self, account_id: str) -> tuple[Order, ...]:
        return self.orders_of([account_id])

    def orders_between(self, start: date, end: date) -> tuple[Order, ...]:
        with self._lock:
            found = [o for o in self._orders.values() if start <= o.ordered_on < end]
        return tuple(sorted(found, key=lambda o: (o.ordered_on, o.id)))

    def orders_of(self, account_ids: Iterable[str] | None = None) -> tuple[Order, ...]:
        return self._of(self._orders, account_ids, lambda o: (o.ordered_on, o.id))

    def order_totals(self, start: date, end: date) -> tuple[OrderTotal, ...]:
        return order_totals(self.orders_between(start, end))

    def interactions_of(self, account_ids: Iterable[str] | None = None) -> tuple[Interaction, ...]:
        return self._of(self._interactions, account_ids, lambda i: (i.occurred_at, i.id))

    def last_interactions(self, kind: InteractionKind) -> tuple[Interaction, ...]:
        latest: dict[str, Interaction] = {}
        with self._lock:
            for touch in self._interactions.values():
                if touch.kind is not kind:
                    continue
                best = latest.get(touch.account_id)
                if best is None or (touch.occurred_at, touch.id) > (best.occurred_at, best.id):
                    latest[touch.account_id] = touch
        return tuple(latest[a] for a in sorted(latest))

    def interactions(self, account_id: str) -> tuple[Interaction, ...]:
        return self.interactions_of([account_id])

    def complaints(self, account_id: str) -> tuple[Complaint, ...]:
        return self.complaints_of([account_id])

    def complaints_of(self, account_ids: Iterable[str] | None = None) -> tuple[Complaint, ...]:
        return self._of(self._complaints, account_ids, lambda c: (c.opened_at, c.id))

    def tier_assignments(self, policy: str, as_of: date) -> tuple[TierAssignment, ...]:
        with self._lock:
            found = [a for (p, d, _), a in self._tiers.items() if p == policy and d == as_of]
        return tuple(sorted(found, key=lambda a: a.account_id))

    def visit_plan(self, name: str) -> VisitPlan | None:
        return self._plans.get(name)

    def care_schedule(self, name: str) -> CareSchedule | None:
        return self._schedules.get(name)

    def rep(self, rep_id: str) -> Rep | None:
        return self._reps.get(rep_id)

    def reps(self) -> tuple[Rep, ...]:
        with self._lock:
            return tuple(sorted(self._reps.values(), key=lambda r: r.id))

    def company(self) -> Company | None:
        return self._company

    def loss_reviews(self, account_id: str | None = None) -> tuple[LostAccountReview, ...]:
        with self._lock:
            found = [r for k, r in self._reviews.items() if account_id in (None, k[0])]
        return tuple(sorted(found, key=lambda r: (r.account_id, r.found_on)))

    def outbox_entry(self, key: str) -> OutboxEntry | None:
        return self._outbox.get(key)

    def outbox(self, status: OutboxStatus | None = None) -> tuple[OutboxEntry, ...]:
        with self._lock:
            found = [e for e in self._outbox.values() if status is None or e.status is status]
        return tuple(sorted(found, key=lambda e: (e.next_attempt_at, e.key)))

    def queued_keys(self, keys: Iterable[str]) -> frozenset[str]:
        with self._lock:
            return frozenset(k for k in wanted_keys(keys) if k in self._outbox)

    def claim_outbox(
        self,
        now: datetime,
        limit: int,
        lease: timedelta,
        *,
        channels: frozenset[Channel] | None = None,
    ) -> tuple[OutboxEntry, ...]:
        wanted = frozenset(Channel if channels is None else map(Channel, channels))
        with self._lock:
            # The first ``limit`` only, without sorting everything that waits.
            due = heapq.nsmallest(
                max(0, limit),
                (e for e in self._outbox.values() if e.message.channel in wanted and e.is_due(now)),
                key=lambda e: (e.next_attempt_at, e.key),
            )
            claimed = tuple(e.claimed(now, lease) for e in due)
            self._outbox.update((e.key, e) for e in claimed)
            return claimed

    def retry_outbox(self, key: str, now: datetime) -> OutboxEntry | None:
        with self._lock:
            current = self._outbox.get(key)
            if current is None or current.status is not OutboxStatus.DEAD:
                return None
            self._outbox[key] = revived = current.revived(now)
            return revived

    def settle_outbox(self, entry: OutboxEntry) -> bool:
        with self._lock:
            current = self._outbox.get(entry.key)
            if (
                current is None
                or current.status is not OutboxStatus.IN_FLIGHT
                or current.attempts != entry.attempts
            ):
                return False
            self._outbox[entry.key] = entry
            return True

"""Use case: a rep's worklist, the care tasks that are actions for a rep.

A care task is a message to the customer (the outbox sends it) or an action for a rep: a
call, a visit, a gift, checking the contact data, by
[`CareRules.is_rep_action`][accountcare.domain.care_rules.CareRules.is_rep_action]. The
actions stay in the stored care schedule; [`worklist`][accountcare.services.worklist.worklist]
lists them for the accounts' owner with whom to reach and what to do (the rendered
template: for a call, the call script), and
[`rep_worklist`][accountcare.services.worklist.rep_worklist] reads them from a store.

Consent is asked again when the worklist is made: the action of a contact who opted out
or withdrew the consent to its channel after the schedule was made is left out, and the
[`Worklist`][accountcare.services.worklist.Worklist] says how many were and why
(``left_out``).

>>> from datetime import date
>>> from accountcare.adapters.memory import MemoryStore
>>> from accountcare.sample import sample_book
>>> from accountcare.services.book import save_book
>>> from accountcare.services.care import schedule_and_enqueue
>>> store = MemoryStore()
>>> save_book(store, sample_book(accounts=20, as_of=date(2026, 11, 2)))
>>> run = schedule_and_enqueue(store, start=date(2026, 11, 2), end=date(2026, 12, 2),
...                            name="current")
>>> items = rep_worklist(store)
>>> len(items) == len(run.rep_actions) > 0
True
>>> all(item.key not in run.queued.enqueued for item in items)
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time

import attrs

from accountcare.domain.accounts import Account
from accountcare.domain.care import CareKind, CareSchedule, CareTask
from accountcare.domain.care_rules import DEFAULT_CARE_RULES, CareRules
from accountcare.domain.contacts import Channel, Contact
from accountcare.domain.messages import Message
from accountcare.domain.team import Rep
from accountcare.errors import ConfigurationError, InvalidRecord
from accountcare.policies.care.templates import TemplateBook
from accountcare.ports.store import Store
from accountcare.services.book import load_book
from accountcare.services.outbox import withheld_because

__all__ = ["WorkItem", "Worklist", "rep_worklist", "worklist"]


@attrs.frozen
class WorkItem:
    """One action for a rep: the care task, who does it (``rep_id``, the account's owner,
    and the rep's display name), whom it is for and how to reach them, and ``what`` to do
    (the rendered template text; for a call, the call script).

    >>> from datetime import time
    >>> task = CareTask("c-1", "acme", date(2027, 3, 2), time(9), "Asia/Shanghai",
    ...                 Channel.PHONE, CareKind.RELATIONSHIP_CALL, "call.A", "tier A")
    >>> item = WorkItem(task, "rep-li", "Li Na", "Acme", "Wang Wei", "+8613800138000",
    ...                 "Call Wang Wei about the spring order.")
    >>> item.on, item.kind.value, item.due_at.isoformat()
    (datetime.date(2027, 3, 2), 'relationship_call', '2027-03-02T01:00:00+00:00')
    """

    task: CareTask
    rep_id: str
    rep_name: str
    account_name: str
    contact_name: str
    phone: str
    what: str

    @property
    def key(self) -> str:
        """The care task's idempotency key, stable across runs."""
        return self.task.key

    @property
    def on(self) -> date:
        return self.task.on

    @property
    def local_time(self) -> time:
        return self.task.local_time

    @property
    def time_zone(self) -> str:
        return self.task.time_zone

    @property
    def due_at(self) -> datetime:
        return self.task.due_at

    @property
    def account_id(self) -> str:
        return self.task.account_id

    @property
    def contact_id(self) -> str:
        return self.task.contact_id

    @property
    def kind(self) -> CareKind:
        return self.task.kind

    @property
    def channel(self) -> Channel:
        return self.task.channel

    @property
    def reason(self) -> str:
        return self.task.reason


class Worklist(tuple[WorkItem, ...]):
    """The work items, in the order they are due, and ``left_out``: how many actions were
    left out because their contact may no longer be reached on their channel, by reason
    (most first), as ``(reason, count)`` pairs.

    >>> items = Worklist((), left_out=[("the contact opted out", 2)])
    >>> len(items), items.left_out
    (0, (('the contact opted out', 2),))
    """

    left_out: tuple[tuple[str, int], ...]

    def __new__(
        cls, items: Iterable[WorkItem] = (), left_out: Iterable[tuple[str, int]] = ()
    ) -> Worklist:
        made = super().__new__(cls, items)
        made.left_out = tuple(left_out)
        return made


def _phone(contact: Contact | None) -> str:
    if contact is None or not contact.phones:
        return ""
    phone = contact.phones[0]
    return phone.e164 or phone.raw


def worklist(
    schedule: CareSchedule,
    *,
    accounts: Iterable[Account],
    contacts: Iterable[Contact],
    what: Callable[[CareTask], str],
    reps: Iterable[Rep] = (),
    rep: str | None = None,
    start: date | None = None,
    end: date | None = None,
    rules: CareRules = DEFAULT_CARE_RULES,
) -> Worklist:
    """The rep actions of ``schedule`` on days in ``[start, end)`` (the schedule's own
    window by default), of the accounts ``rep`` owns (every rep's when None), in the
    order they are due. ``what`` gives the text of each task (what to do); ``reps`` give
    the display names. An action whose contact may no longer be reached on its channel
    ([`Contact.may_contact`][accountcare.domain.contacts.Contact.may_contact]: opted out,
    consent withdrawn) or is no longer among ``contacts`` is left out and counted in
    ``left_out``.

    >>> from datetime import time
    >>> call = CareTask("c-1", "acme", date(2027, 3, 2), time(9), "Asia/Shanghai",
    ...                 Channel.PHONE, CareKind.RELATIONSHIP_CALL, "call.A", "tier A")
    >>> mail = attrs.evolve(call, channel=Channel.EMAIL, kind=CareKind.BIRTHDAY,
    ...                     template_key="birthday")
    >>> schedule = CareSchedule(date(2027, 3, 1), date(2027, 4, 1), tasks=[call, mail])
    >>> (item,) = worklist(
    ...     schedule, accounts=[Account(id="acme", name="Acme", owner="rep-li")],
    ...     contacts=[Contact(id="c-1", account_id="acme", name="Wang Wei",
    ...                       consents=[Channel.PHONE])],
    ...     what=lambda task: "Ask how the new line runs.", reps=[Rep("rep-li", "Li Na")])
    >>> item.rep_name, item.account_name, item.contact_name, item.kind.value, item.what
    ('Li Na', 'Acme', 'Wang Wei', 'relationship_call', 'Ask how the new line runs.')
    >>> worklist(
    ...     schedule, accounts=[Account(id="acme", name="Acme", owner="rep-li")],
    ...     contacts=[Contact(id="c-1", account_id="acme", name="Wang Wei", opted_out=True)],
    ...     what=lambda task: "").left_out
    (('the contact opted out', 1),)
    """
    first = schedule.start if start is None else start
    last = schedule.end if end is None else end
    owners = {a.id: a for a in accounts}
    people = {c.id: c for c in contacts}
    names = {r.id: r.name for r in reps}
    items = []
    left_out: Counter[str] = Counter()
    for task in schedule.tasks:
        if not first <= task.on < last or not rules.is_rep_action(task.kind, task.channel):
            continue
        account = owners.get(task.account_id)
        owner = account.owner if account is not None and account.owner else ""
        if rep is not None and owner != rep:
            continue
        contact = people.get(task.contact_id)
        why = withheld_because(contact, task.channel)
        if why is not None:
            left_out[why] += 1
            continue
        assert contact is not None  # a contact not stored has a reason to leave it out
        items.append(
            WorkItem(
                task,
                owner,
                names.get(owner, ""),
                account.name if account is not None else "",
                contact.name,
                _phone(contact),
                what(task),
            )
        )
    items.sort(key=lambda item: (item.due_at, item.rep_id, item.key))
    return Worklist(items, left_out.most_common())


def rep_worklist(
    store: Store,
    *,
    rep: str | None = None,
    start: date | None = None,
    end: date | None = None,
    name: str = "current",
    templates: TemplateBook | None = None,
    rules: CareRules = DEFAULT_CARE_RULES,
) -> Worklist:
    """The [`worklist`][accountcare.services.worklist.worklist] of the care schedule
    stored under ``name``, with each task rendered in the contact's language (a task with
    nothing to render it to, a visit to a contact with no phone, has no text). Raises
    [`ConfigurationError`][accountcare.errors.ConfigurationError] when no such schedule is
    stored.

    >>> from accountcare.adapters.memory import MemoryStore
    >>> rep_worklist(MemoryStore(), name="spring")
    Traceback (most recent call last):
    ...
    accountcare.errors.ConfigurationError: no care schedule named 'spring' is stored
    """
    from accountcare.services.care import signed_renderer

    schedule = store.care_schedule(name)
    if schedule is None:
        raise ConfigurationError(f"no care schedule named {name!r} is stored")
    book = load_book(store, interactions=False)
    render = signed_renderer(store, book, templates)

    def what(task: CareTask) -> str:
        try:
            message: Message = render(task)
        except InvalidRecord:  # no address on the task's channel: the rep finds one
            return ""
        return message.text

    return worklist(
        schedule,
        accounts=book.accounts,
        contacts=book.contacts,
        what=what,
        reps=store.reps(),
        rep=rep,
        start=start,
        end=end,
        rules=rules,
    )

"""Use case: the message a customer receives for a care task, rendered in the contact's
language and signed by the account's rep on behalf of your company.

The account's ``owner`` names the rep who signs, by display name in the contact's
language ([`Rep.name_for`][accountcare.domain.team.Rep.name_for]); the rep's id never reaches a
customer. Without a stored rep, or without your company, the signature still reads
well ([`signature`][accountcare.policies.care.templates.signature]). An after-sale or
contract touch names the product ordered (or the order's date), a complaint follow-up
the complaint's subject (or the day it was raised).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from accountcare.domain.activity import Complaint, Order
from accountcare.domain.book import Book
from accountcare.domain.care import CareKind, CareTask
from accountcare.domain.messages import Message
from accountcare.domain.team import Company, Rep
from accountcare.policies.care.templates import (
    LOCALES,
    TemplateBook,
    default_templates,
    format_date,
    resolve_locale,
)

__all__ = ["renderer"]

_ORDER_KINDS = frozenset(
    {CareKind.AFTER_SALE_USAGE, CareKind.AFTER_SALE_FEEDBACK, CareKind.CONTRACT_STATUS}
)

# An order without a product, in words: "placed on 1 March 2027".
_PLACED = {"en": "placed on {}", "zh-Hans": "{}下单", "zh-Hant": "{}下單", "ko": "{} 주문"}


def renderer(
    book: Book,
    templates: TemplateBook | None = None,
    *,
    reps: Iterable[Rep] = (),
    company: Company | None = None,
    links: Mapping[str, str] | None = None,
) -> Callable[[CareTask], Message]:
    """A function that renders a care task of ``book`` as a message, in the contact's
    locale, signed by the account's owner (one of ``reps``) for ``company``.

    ``links`` gives the ``${link}`` of a task by its template key or, failing that, its
    kind's value (``{"survey": "https://survey.example/2027"}``).

    >>> from datetime import date, time
    >>> from accountcare.domain import Account, Channel, Contact
    >>> from accountcare.domain.care import CareKind, CareTask
    >>> wang = Contact(id="c-1", account_id="acme", name="王伟", locale="zh-CN",
    ...                country="CN", emails=["wang@example.com"])
    >>> book = Book(accounts=[Account(id="acme", name="Acme", owner="rep-li")],
    ...             contacts=[wang])
    >>> li = Rep(id="rep-li", name="Li Na", names={"zh": "李娜"})
    >>> render = renderer(book, reps=[li], company=Company("Globex", names={"zh": "环球"}))
    >>> task = CareTask(contact_id="c-1", account_id="acme", on=date(2027, 2, 6),
    ...                 local_time=time(9), time_zone="Asia/Shanghai", channel=Channel.EMAIL,
    ...                 kind=CareKind.HOLIDAY_GREETING, template_key="holiday.lunar_new_year",
    ...                 occasion="lunar_new_year")
    >>> message = render(task)
    >>> message.subject, message.text.splitlines()[-2:], message.sender_name
    ('祝您春节快乐', ['李娜 敬上', '环球'], '李娜')
    """
    chosen = templates if templates is not None else default_templates()
    contacts = {c.id: c for c in book.contacts}
    accounts = {a.id: a for a in book.accounts}
    orders = {o.id: o for o in book.orders}
    complaints = {c.id: c for c in book.complaints}
    signers = {r.id: r for r in reps}
    by_key = dict(links or {})

    def render(task: CareTask) -> Message:
        account = accounts[task.account_id]
        contact = contacts[task.contact_id]
        written = resolve_locale(contact.locale, chosen.locales or LOCALES)
        return chosen.render(
            task,
            contact,
            account,
            rep=signers.get(account.owner) if account.owner is not None else None,
            company=company,
            link=by_key.get(task.template_key, by_key.get(task.kind.value, "")),
            occasion=_occasion(task, written, orders, complaints),
        )

    return render


def _occasion(
    task: CareTask, written: str, orders: Mapping[str, Order], complaints: Mapping[str, Complaint]
) -> str | None:
    """What an order or complaint touch is about, in words in the locale ``written``; None:
    the task's own."""
    order = orders.get(task.occasion) if task.kind in _ORDER_KINDS else None
    if order is not None:
        placed = _PLACED.get(written, "{}").format(format_date(order.ordered_on, written))
        return order.product or placed
    complaint = complaints.get(task.occasion)
    if task.kind is CareKind.COMPLAINT_FOLLOW_UP and complaint is not None:
        return complaint.subject or format_date(complaint.opened_at.date(), written)
    return None

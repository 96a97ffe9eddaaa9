"""Use case: the message a customer receives for a care task, rendered in the contact's
language and signed by the account's rep on behalf of your company.
"""

from __future__ import annotations

from accountcare.domain.book import Book
from accountcare.domain.care import CareTask
from accountcare.domain.messages import Message
from accountcare.policies.care.templates import TemplateBook, default_templates

__all__ = ["renderer"]


def renderer(book: Book, templates: TemplateBook | None = None) -> _Renderer:
    """A function that renders a care task of ``book`` as a message, in the contact's
    locale, signed by the account's owner."""
    return _Renderer(book, templates if templates is not None else default_templates())


class _Renderer:
    def __init__(self, book: Book, templates: TemplateBook) -> None:
        self._contacts = {c.id: c for c in book.contacts}
        self._accounts = {a.id: a for a in book.accounts}
        self._templates = templates

    def __call__(self, task: CareTask) -> Message:
        account = self._accounts[task.account_id]
        return self._templates.render(
            task, self._contacts[task.contact_id], account, rep_name=account.owner or ""
        )

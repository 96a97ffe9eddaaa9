"""Merging duplicates: two contacts sharing an E.164 mobile number, or another number or
an email address (compared without case) under the same name, are one person.

The earliest row keeps its name, birthday and account; later rows add the phones and
emails it did not have, and each merge is reported.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from accountcare.adapters.importers.report import Merge
from accountcare.domain.contacts import Birthday, Contact, PhoneNumber, channels_of_addresses
from accountcare.policies.identity import person_key

__all__ = ["People", "merge_keys"]


@attrs.define
class _Growth:
    """What later rows add to one person: made when the first of them arrives (most
    people have no duplicate), applied once at the end, so a number shared by thousands
    of rows (a switchboard) costs linear time, not quadratic."""

    held: set[str]  # the person's merge keys (see merge_keys)
    seen: set[str]  # the person's E.164 numbers and case-folded emails
    phones: list[PhoneNumber] = attrs.Factory(list)
    emails: list[str] = attrs.Factory(list)
    birthday: Birthday | None = None
    title: str = ""

    @classmethod
    def of(cls, first: Contact) -> _Growth:
        seen = {p.e164 for p in first.phones if p.e164} | {e.casefold() for e in first.emails}
        return cls(set(merge_keys(first)), seen)

    def absorb(
        self,
        phones: Iterable[PhoneNumber],
        emails: Iterable[str],
        birthday: Birthday | None,
        title: str,
        keys: Iterable[str],
    ) -> None:
        self.held.update(keys)
        seen = self.seen
        for phone in phones:
            if phone.e164 and phone.e164 not in seen:
                seen.add(phone.e164)
                self.phones.append(phone)
        for email in emails:
            folded = email.casefold()
            if folded not in seen:
                seen.add(folded)
                self.emails.append(email)
        self.birthday = self.birthday or birthday
        self.title = self.title or title

    def absorb_contact(self, contact: Contact) -> None:
        self.absorb(
            contact.phones, contact.emails, contact.birthday, contact.title, merge_keys(contact)
        )

    def applied_to(self, kept: Contact) -> Contact:
        birthday = kept.birthday or self.birthday
        title = kept.title or self.title
        if not self.phones and not self.emails and (birthday, title) == (kept.birthday, kept.title):
            return kept
        phones, emails = (*kept.phones, *self.phones), (*kept.emails, *self.emails)
        return attrs.evolve(
            kept,
            phones=phones,
            emails=emails,
            channels=channels_of_addresses(emails, phones),  # with the addresses added
            birthday=birthday,
            title=title,
        )


def merge_keys(contact: Contact) -> list[str]:
    """A contact's merge keys: its E.164 mobile numbers (a mobile is one person's), then
    its other numbers and its emails case-folded, each with the person's name (colleagues
    sharing a desk number or an ``info@`` address are not one person; see
    [`person_key`][accountcare.policies.identity.person_key])."""
    keys = [p.e164 for p in contact.phones if p.e164 and p.kind == "mobile"]
    if len(keys) < len(contact.phones) or contact.emails:
        name = person_key(contact.name)
        keys += [f"{p.e164}|{name}" for p in contact.phones if p.e164 and p.kind != "mobile"]
        keys += [f"{e.casefold()}|{name}" for e in contact.emails]
    return keys


@attrs.define
class People:
    """The people found so far, by number: the contact of the row each started on, and
    that row; what later rows added to some of them; who merged into whom."""

    unit: str
    firsts: list[Contact] = attrs.Factory(list)
    starts: list[int] = attrs.Factory(list)
    grown: dict[int, _Growth] = attrs.Factory(dict)  # only the people later rows added to
    gone: set[int] = attrs.Factory(set)  # merged into an earlier one by a row naming both
    index: dict[str, int] = attrs.Factory(dict)  # merge key -> person
    ids: dict[str, int] = attrs.Factory(dict)  # contact id -> row
    merges: list[Merge] = attrs.Factory(list)

    def start(self, contact: Contact, row: int, keys: list[str]) -> None:
        """A new person, first seen on ``row``."""
        self.ids[contact.id] = row
        person = len(self.firsts)
        for key in keys:
            self.index[key] = person
        self.firsts.append(contact)
        self.starts.append(row)

    def join(self, contact: Contact, row: int, keys: list[str], hits: list[int]) -> None:
        """The row's contact merged into the earliest person it shares a key with; any
        other person it names too merges into that one."""
        if len(hits) > 1:
            hits = sorted(set(hits))
        at = hits[0]
        target = self.grown.get(at)
        if target is None:
            target = self.grown[at] = _Growth.of(self.firsts[at])
        reason = _reason(next(k for k in keys if self.index.get(k) == at))
        kept_id = self.firsts[at].id
        self.merges.append(Merge(self.unit, self.starts[at], row, reason, kept_id))
        target.absorb_contact(contact)
        for other in hits[1:]:
            self.merges.append(
                Merge(self.unit, self.starts[at], self.starts[other], reason, kept_id)
            )
            extra = self.grown.pop(other, None)
            for key in merge_keys(self.firsts[other]) if extra is None else extra.held:
                self.index[key] = at
            target.absorb_contact(self.firsts[other])
            if extra is not None:
                target.absorb(extra.phones, extra.emails, extra.birthday, extra.title, extra.held)
            self.gone.add(other)
        for key in keys:
            self.index[key] = at

    def alive(self) -> list[Contact]:
        """Each person's contact with everything later rows added to it."""
        grown = self.grown
        return [
            first if n not in grown else grown[n].applied_to(first)
            for n, first in enumerate(self.firsts)
            if n not in self.gone
        ]


def _reason(key: str) -> str:
    shared = key.partition("|")[0]
    return f"phone {shared}" if shared.startswith("+") else f"email {shared}"

"""The people commands: ``accounts`` and ``contacts`` list the book, ``contacts consent``,
``withdraw``, ``opt-out`` and ``opt-in`` record a contact's consent with its evidence,
``company`` sets or shows the company whose name signs the care, and ``lost`` records
why an account was lost, which lets its win-back start."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

import attrs
import click

from accountcare.cli._group import Settings, UserError, cli, excel_option, pass_settings
from accountcare.cli._output import print_rows
from accountcare.domain.accounts import LifecycleStage
from accountcare.domain.care_rules import DEFAULT_CARE_RULES
from accountcare.domain.contacts import Channel, ConsentAction, ConsentEvent, Contact
from accountcare.domain.team import Company
from accountcare.domain.warnings import LostAccountReview, RootCause
from accountcare.errors import InvalidRecord
from accountcare.ports.store import Batch, Store

__all__ = ["accounts", "company", "contacts", "lost"]

_TIERS = ("A", "B", "C")


# -- accounts ----------------------------------------------------------------------------


@cli.command()
@click.option("--search", default=None, metavar="TEXT", help="Only accounts whose name has TEXT.")
@excel_option
@pass_settings
def accounts(settings: Settings, search: str | None) -> None:
    """List the accounts: id, name, owner, stage, latest ABC tier and contacts."""
    from accountcare.policies.identity import normalise_company

    wanted = normalise_company(search, suffixes=()) if search else ""
    with settings.store() as store:
        tiers = {a.id: t for t in _TIERS for a in store.accounts_in_tier("abc", t, settings.as_of)}
        people = Counter(c.account_id for c in store.contacts_of())
        rows = [
            (a.id, a.name, a.owner or "", a.stage.value, tiers.get(a.id, ""), people[a.id])
            for a in store.accounts()
            if not wanted
            or any(wanted in normalise_company(n, suffixes=()) for n in (a.name, a.short_name)
                   if n)
        ]  # fmt: skip
    header = ("id", "name", "owner", "stage", "abc tier", "contacts")
    title = f"{len(rows):,} accounts" + (f" matching {search!r}" if search else "")
    print_rows(settings, rows, header, title)


# -- contacts ----------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@click.option("--account", "account_id", default=None, metavar="ID", help="Only this account.")
@excel_option
@pass_settings
def contacts(settings: Settings, account_id: str | None) -> None:
    """List the contacts, or record their consent (see the commands below)."""
    if click.get_current_context().invoked_subcommand is not None:
        if account_id is not None:
            raise UserError("--account: lists contacts; give contact ids to the command instead")
        return
    with settings.store() as store:
        if account_id is not None and store.account(account_id) is None:
            raise UserError(f"--account: no account {account_id!r} is stored")
        wanted = None if account_id is None else [account_id]
        found = sorted(store.contacts_of(wanted), key=lambda c: (c.account_id, c.id))
    rows = [
        (c.id, c.name, c.account_id, ", ".join(p.e164 or p.raw for p in c.phones),
         ", ".join(c.emails), c.locale, ", ".join(sorted(ch.value for ch in c.consents)),
         "yes" if c.opted_out else "no")
        for c in found
    ]  # fmt: skip
    header = ("id", "name", "account", "phone", "email", "locale", "consents", "opted out")
    title = f"{len(rows):,} contacts" + (f" of {account_id}" if account_id else "")
    print_rows(settings, rows, header, title)


def _channels(raw: str) -> frozenset[Channel]:
    """The channels ``--channels`` lists, or a one-line error naming the flag."""
    names = {c.value: c for c in Channel}
    given = [n.strip().casefold() for n in raw.split(",") if n.strip()]
    unknown = [n for n in given if n not in names]
    if unknown or not given:
        what = f"{unknown[0]!r} is not a channel" if unknown else "names no channel"
        raise UserError(f"--channels: {what}; use {', '.join(names)} (comma-separated)")
    return frozenset(names[n] for n in given)


def _record(
    settings: Settings,
    action: ConsentAction,
    ids: Sequence[str],
    channels: frozenset[Channel],
    by: str | None,
    command: str,
) -> None:
    """Record one consent event on each contact ``ids`` names, all or none."""
    source = f"accountcare contacts {command}" + (f" by {by}" if by else "")
    try:
        event = ConsentEvent(settings.as_of, action, source, channels=channels)
    except InvalidRecord as error:
        flag = "--by" if error.field == "source" else "--channels"
        raise UserError(f"{flag}: {error.problem}") from None
    with settings.store() as store:
        found = _contacts(store, ids)
        changed = [c.recording(event) for c in found]
        store.write(Batch(contacts=changed))
    rows = [
        (c.id, c.name, ", ".join(sorted(ch.value for ch in c.consents)),
         "yes" if c.opted_out else "no")
        for c in changed
    ]  # fmt: skip
    title = f"contacts {command}: {len(rows)} recorded on {settings.as_of} ({source})"
    print_rows(settings, rows, ("id", "name", "consents", "opted out"), title)


def _contacts(store: Store, ids: Sequence[str]) -> list[Contact]:
    """The stored contacts ``ids`` name, each once; an unknown id is a one-line error."""
    found: dict[str, Contact] = {}
    for contact_id in ids:
        contact = store.contact(contact_id)
        if contact is None:
            raise UserError(f"ID: no contact {contact_id!r} is stored; nothing was recorded")
        found[contact.id] = contact
    return list(found.values())


_channels_option = click.option(
    "--channels", required=True, metavar="email,sms", help="The channels (comma-separated)."
)
_by_option = click.option("--by", default=None, metavar="NAME", help="Who learnt it.")
_ids = click.argument("ids", metavar="ID...", nargs=-1, required=True)


@contacts.command()
@_channels_option
@_by_option
@_ids
@pass_settings
def consent(settings: Settings, channels: str, by: str | None, ids: tuple[str, ...]) -> None:
    """Record that the contacts ID... consent to be reached on --channels."""
    _record(settings, ConsentAction.GIVEN, ids, _channels(channels), by, "consent")


@contacts.command()
@_channels_option
@_by_option
@_ids
@pass_settings
def withdraw(settings: Settings, channels: str, by: str | None, ids: tuple[str, ...]) -> None:
    """Record that the contacts ID... withdrew their consent for --channels."""
    _record(settings, ConsentAction.WITHDRAWN, ids, _channels(channels), by, "withdraw")


@contacts.command("opt-out")
@_by_option
@_ids
@pass_settings
def opt_out(settings: Settings, by: str | None, ids: tuple[str, ...]) -> None:
    """Record that the contacts ID... refuse every proactive touch."""
    _record(settings, ConsentAction.OPTED_OUT, ids, frozenset(), by, "opt-out")


@contacts.command("opt-in")
@_by_option
@_ids
@pass_settings
def opt_in(settings: Settings, by: str | None, ids: tuple[str, ...]) -> None:
    """Record that the contacts ID... may be touched again (consents still apply)."""
    _record(settings, ConsentAction.OPTED_IN, ids, frozenset(), by, "opt-in")


# -- company -----------------------------------------------------------------------------


@cli.command()
@click.argument("name", required=False, metavar="[NAME]")
@click.option(
    "--local",
    "local",
    multiple=True,
    metavar="LOCALE=NAME",
    help="The name in a language (repeat: --local zh=环球贸易 --local ko=글로벡스).",
)
@pass_settings
def company(settings: Settings, name: str | None, local: tuple[str, ...]) -> None:
    """Set the company whose name signs the care (or, with no NAME, show it)."""
    if name is None and local:
        raise UserError("--local: give the company's NAME too")
    names: dict[str, str] = {}
    for pair in local:
        locale, _, text = pair.partition("=")
        if not locale.strip() or not text.strip():
            raise UserError(f"--local: {pair!r} is not LOCALE=NAME")
        names[locale.strip()] = text.strip()
    with settings.store() as store:
        if name is None:
            found = store.company()
            if found is None:
                raise UserError("company: none is set; give its NAME to set it")
        else:
            try:
                found = Company(name.strip(), names=names)
            except InvalidRecord as error:
                flag = "NAME" if error.field == "name" else "--local"
                raise UserError(f"{flag}: {error.problem}") from None
            store.write(Batch(company=found))
    rows = [("name", found.name), *((f"name ({k})", v) for k, v in sorted(found.names.items()))]
    print_rows(settings, rows, ("what", "value"), "your company")


# -- lost --------------------------------------------------------------------------------


def _cause(raw: str) -> RootCause:
    """The root cause ``--cause`` names, or a one-line error naming the flag and the choices.

    >>> _cause("Need-Ended").value
    'need_ended'
    >>> _cause("cheap")
    Traceback (most recent call last):
    ...
    accountcare.cli._group.UserError: --cause: 'cheap' is not a root cause; use price, quality, service, delivery, competitor, relationship, need_ended, financial or other
    """  # noqa: E501
    causes = {c.value: c for c in RootCause}
    found = causes.get(raw.strip().casefold().replace("-", "_"))
    if found is None:
        *most, last = causes
        raise UserError(f"--cause: {raw!r} is not a root cause; use {', '.join(most)} or {last}")
    return found


@cli.command()
@click.argument("account_id", metavar="ACCOUNT_ID")
@click.option("--cause", required=True, metavar="CAUSE",
              help="Why it was lost: price, quality, service, delivery, competitor, "
              "relationship, need_ended, financial or other.")  # fmt: skip
@click.option("--evidence", required=True, metavar="TEXT", help="What shows it was the cause.")
@click.option("--by", default=None, metavar="NAME", help="Who found it (default: cli).")
@pass_settings
def lost(settings: Settings, account_id: str, cause: str, evidence: str, by: str | None) -> None:
    """Record why ACCOUNT_ID was lost, found on --as-of, and set its stage to lost.

    The care schedule then plans win-back attempts for it (a rep's calls or visits).
    """
    flags = {"account_id": "ACCOUNT_ID", "evidence": "--evidence", "found_by": "--by"}
    try:
        review = LostAccountReview(
            account_id, _cause(cause), evidence.strip(), by or "cli", settings.as_of
        )
    except InvalidRecord as error:
        raise UserError(f"{flags.get(error.field, error.field)}: {error.problem}") from None
    with settings.store() as store:
        account = store.account(account_id)
        if account is None:
            raise UserError(
                f"ACCOUNT_ID: no account {account_id!r} is stored (`accountcare accounts` "
                "lists them); nothing was recorded"
            )
        account = attrs.evolve(account, stage=LifecycleStage.LOST)
        store.write(Batch(accounts=[account], loss_reviews=[review]))
    first = review.found_on.toordinal() + DEFAULT_CARE_RULES.win_back_after_days
    rows = [
        ("account", f"{account.id} ({account.name})"),
        ("stage", account.stage.value),
        ("cause", review.cause.value),
        ("evidence", review.evidence),
        ("found", f"{review.found_on} by {review.found_by}"),
        ("win-back from", date.fromordinal(first).isoformat()),
    ]
    print_rows(settings, rows, ("what", "value"), f"lost: {account.id}")

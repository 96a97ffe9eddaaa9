"""The ``tasks`` command: the reps' worklist, the care tasks that are actions for a rep
(calls, visits, gifts, checking contact data), with what to do for each."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from accountcare.cli._group import Settings, UserError, cli, excel_option, parse_day, pass_settings
from accountcare.cli._output import print_rows
from accountcare.ports.store import Store

if TYPE_CHECKING:  # imported by the command, to keep start-up short
    from accountcare.services.worklist import Worklist

__all__ = ["tasks", "worklist_of"]

_HEADER = (
    "day", "local time", "zone", "rep", "rep name", "account", "account name", "contact",
    "contact name", "phone", "kind", "channel", "reason", "what to do", "key",
)  # fmt: skip

_TABLE = (
    "day", "local time", "zone", "rep", "account name", "contact name", "phone", "kind",
    "channel", "reason",
)  # fmt: skip


def worklist_of(
    store: Store,
    *,
    rep: str | None = None,
    start: date | None = None,
    end: date | None = None,
    name: str = "current",
) -> Worklist:
    """The worklist of the care schedule stored as ``name``, or a one-line error naming
    ``--name`` when there is none. Actions whose contact may no longer be reached on their
    channel are left out (counted in its ``left_out``).

    >>> from accountcare.adapters.memory import MemoryStore
    >>> worklist_of(MemoryStore(), name="spring")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    accountcare.cli._group.UserError: --name: no care schedule named 'spring' is stored; ...
    """
    from accountcare.services.worklist import rep_worklist

    if store.care_schedule(name) is None:
        raise UserError(
            f"--name: no care schedule named {name!r} is stored; run `accountcare care`"
        )
    return rep_worklist(store, rep=rep, start=start, end=end, name=name)


@cli.command()
@click.option("--rep", default=None, help="Only the accounts this rep owns.")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD",
              help="First day (default --as-of).")  # fmt: skip
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD",
              help="Day after the last (default: the end of the schedule).")  # fmt: skip
@click.option("--name", default="current", show_default=True, help="Which stored care schedule.")
@excel_option
@pass_settings
def tasks(
    settings: Settings, rep: str | None, start: str | None, end: str | None, name: str
) -> None:
    """The reps' worklist: each call, visit, gift or check of a stored care schedule, with
    whom to reach, how, why and what to do (for a call, the script).

    An action whose contact opted out or withdrew the consent to its channel since the
    schedule was made is left out; how many and why is printed on stderr.
    """
    first = parse_day("--from", start) if start is not None else settings.as_of
    last = parse_day("--to", end) if end is not None else None
    if last is not None and last <= first:
        raise UserError(f"--to: {last} is not after --from {first}")
    with settings.store() as store:
        items = worklist_of(store, rep=rep, start=first, end=last, name=name)
    for why, count in items.left_out:
        click.echo(f"{count:,} task{'' if count == 1 else 's'} left out: {why}", err=True)
    rows: list[tuple[str, ...]] = [
        (i.on.isoformat(), i.local_time.strftime("%H:%M"), i.time_zone, i.rep_id, i.rep_name,
         i.account_id, i.account_name, i.contact_id, i.contact_name, i.phone, i.kind.value,
         i.channel.value, i.reason, i.what, i.key)
        for i in items
    ]  # fmt: skip
    who = f"rep {rep}" if rep is not None else "every rep"
    title = f"{len(rows):,} tasks for {who} from {first}" + (f" to {last}" if last else "")
    header: tuple[str, ...] = _HEADER
    if settings.format == "table":  # what fits a terminal; csv and json carry every column
        header = _TABLE
        keep = [_HEADER.index(name) for name in _TABLE]
        rows = [tuple(row[i] for i in keep) for row in rows]
        title += " (what to do: --format csv or json)"
    print_rows(settings, rows, header, title)

"""Commands that work on the book: ``tier``, ``plan``, ``care``, ``health`` and ``alerts``."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from accountcare.cli._group import (
    Settings,
    UserError,
    cli,
    excel_option,
    existing_file,
    parse_day,
    pass_settings,
)
from accountcare.cli._output import emit, output_file, print_rows, write_csv
from accountcare.domain.activity import Order
from accountcare.domain.care_rules import DEFAULT_CARE_RULES
from accountcare.domain.tiers import TierAssignment
from accountcare.domain.warnings import Alert
from accountcare.errors import ConfigurationError, MissingExtra

__all__ = ["alerts", "care", "health", "plan", "tier"]


# -- tier --------------------------------------------------------------------------------


@cli.command()
@click.option("--method", default="abc", show_default=True, help="abc, rank, profit or score.")
@click.option("--from-csv", "from_csv", default=None, metavar="FILE", help="Tier a CSV instead.")
@click.option("--id-column", default="account_id", show_default=True)
@click.option("--value-column", default="value", show_default=True)
@click.option("--months", default=12, show_default=True, help="Months of orders measured.")
@click.option(
    "--output",
    default=None,
    metavar="FILE.csv",
    help="Write every assignment here (cells that look like formulas are written as text).",
)
@excel_option
@pass_settings
def tier(
    settings: Settings,
    method: str,
    from_csv: str | None,
    id_column: str,
    value_column: str,
    months: int,
    output: str | None,
) -> None:
    """Tier the book (or a CSV of values) and store the assignments."""
    from accountcare.services.tiering import TIER_METHODS, policy_for, retier

    if method not in TIER_METHODS:
        raise UserError(
            f"--method: unknown method {method!r}; use one of {', '.join(TIER_METHODS)}"
        )
    target = output_file("--output", output) if output is not None else None
    if from_csv is not None:
        values = _csv_values(existing_file("--from-csv", from_csv), id_column, value_column)
        assignments: Mapping[str, TierAssignment] = (
            policy_for(method).assign(values) if values else {}
        )
        kept = "not stored"
    else:
        with settings.store() as store:
            result = retier(
                store, method, as_of=settings.as_of, months=months, rates=settings.rates
            )
        values, assignments = dict(result.values), result.assignments
        kept = f"stored as {result.policy!r} on {settings.as_of}"
    title = f"{TIER_METHODS[method]}: {len(assignments):,} accounts, {kept}"
    _show_tiers(settings, title, assignments, values, target)


def _show_tiers(
    settings: Settings,
    title: str,
    assignments: Mapping[str, TierAssignment],
    values: Mapping[str, object],
    output: Path | None,
) -> None:
    """Every assignment (in ``--output`` if given); a table shows the tier counts."""
    rows = [
        (a.account_id, a.tier, values[a.account_id], a.reason.rule) for a in assignments.values()
    ]
    header = ("account_id", "tier", "value", "reason")
    if output is not None:
        write_csv(output, header, rows, excel=settings.excel)
    if settings.format != "table":
        print_rows(settings, rows, header)
        return
    counts = Counter(a.tier for a in assignments.values())
    total = len(rows) or 1
    summary = [(t, n, f"{n / total:.1%}") for t, n in sorted(counts.items())]
    emit(summary, ("tier", "accounts", "share"), fmt="table", title=title)
    if output is not None:
        click.echo(f"every assignment written to {output}")


def _csv_values(path: Path, id_column: str, value_column: str) -> dict[str, Decimal]:
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    for option, column in (("--id-column", id_column), ("--value-column", value_column)):
        if column not in columns:
            raise UserError(
                f"{option}: {path.name} has no column {column!r}; its columns are "
                + ", ".join(repr(c) for c in columns)
            )
    values: dict[str, Decimal] = {}
    for line, row in enumerate(reader, start=2):
        account = (row[id_column] or "").strip()
        raw = (row[value_column] or "").strip().replace(",", "")
        if not account:
            raise UserError(f"{path.name}, line {line}: column {id_column!r} is empty")
        if account in values:
            raise UserError(f"{path.name}, line {line}: account {account!r} appears twice")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise UserError(
                f"{path.name}, line {line}: {value_column!r} is not a number: {raw!r}"
            ) from None
        if not value.is_finite():
            raise UserError(f"{path.name}, line {line}: {value_column!r} is not finite: {raw!r}")
        values[account] = value
    return values


# -- plan --------------------------------------------------------------------------------


# What each reason a visit or a touch was left out means (UnplacedReason, DropReason).
_UNPLACED = {
    "capacity": "every working day in the window was full",
    "no_working_day": "no working day in the window",
    "spacing": "it would break the account's minimum interval",
    "no_owner": "the account has no rep",
    "no_calendar": "the rep has no work calendar",
    "next_plan": "due in the next plan",
}
_DROPPED = {
    "opted_out": "opted out",
    "no_consented_channel": "no consent on any suitable channel",
    "frequency_ceiling": "over the ceiling of touches",
    "duplicate": "the same touch is already scheduled that day",
    "outside_window": "outside the window",
}


def _why(what: str, reasons: Iterable[str], meaning: Mapping[str, str]) -> None:
    """One line on stderr: ``13 touches dropped: 9 opted out (opted_out), ...``."""
    counts = Counter(reasons)
    parts = (f"{n:,} {meaning.get(r, r)} ({r})" for r, n in counts.most_common())
    total = sum(counts.values())
    click.echo(f"{total:,} {what}" + (": " + ", ".join(parts) if total else ""), err=True)


@cli.command()
@click.option("--weeks", default=4, show_default=True, help="How many weeks to plan.")
@click.option("--rep", default=None, help="Only this rep's accounts.")
@click.option("--start", default=None, metavar="YYYY-MM-DD", help="First day (default --as-of).")
@click.option(
    "--name", default=None, help="Store the plan as.  [default: current, or current-REP with --rep]"
)
@click.option("--visits-per-day", default=4, show_default=True)
@click.option(
    "--show",
    type=click.Choice(("visits", "unplaced")),
    default="visits",
    show_default=True,
    help="List the visits placed, or those that did not fit and why.",
)
@excel_option
@pass_settings
def plan(
    settings: Settings,
    weeks: int,
    rep: str | None,
    start: str | None,
    name: str | None,
    visits_per_day: int,
    show: str,
) -> None:
    """Plan the visits of the next weeks, within each rep's capacity.

    The plan is stored as --name: "current" for the team, "current-REP" for one rep, so
    planning one rep never replaces the team's plan.
    """
    from accountcare.services.book import default_calendars, load_book
    from accountcare.services.planning import plan_and_save, plan_name
    from accountcare.services.tiering import current_tiers

    first = parse_day("--start", start) if start is not None else settings.as_of
    if weeks < 1:
        raise UserError(f"--weeks must be at least 1, got {weeks}")
    if visits_per_day < 1:
        raise UserError(f"--visits-per-day must be at least 1, got {visits_per_day}")
    name = name if name is not None else plan_name(rep)
    with settings.store() as store:
        book = load_book(store)
        if rep is not None and rep not in book.reps:
            raise UserError(f"--rep: no account is owned by {rep!r}")
        tiers = current_tiers(store, as_of=first, book=book, rates=settings.rates)
        result = plan_and_save(
            store,
            tiers,
            start=first,
            weeks=weeks,
            name=name,
            rep=rep,
            book=book,
            calendars=default_calendars(book, visits_per_day=visits_per_day),
        )
    title = (
        f"visit plan {name!r}: {len(result.visits):,} visits, {len(result.unplaced):,} did not fit"
    )
    _why("visits did not fit", (u.reason.value for u in result.unplaced), _UNPLACED)
    if show == "unplaced":
        left_out = sorted(result.unplaced, key=lambda u: (u.due_on, u.rep_id or "", u.account_id))
        print_rows(
            settings,
            [
                (
                    u.due_on.isoformat(),
                    u.account_id,
                    u.rep_id or "",
                    u.tier or "",
                    u.purpose.value,
                    u.reason.value,
                    u.detail,
                )
                for u in left_out
            ],
            ("due", "account", "rep", "tier", "purpose", "reason", "detail"),
            f"{title}; the visits that did not fit",
        )
        return
    rows = [
        (v.on.isoformat(), v.rep_id, v.account_id, v.tier or "", v.purpose.value, v.reason)
        for v in sorted(result.visits, key=lambda v: (v.on, v.rep_id, v.account_id))
    ]
    print_rows(settings, rows, ("date", "rep", "account", "tier", "purpose", "reason"), title)


# -- care --------------------------------------------------------------------------------


@cli.command()
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Day after the last.")
@click.option("--name", default="current", show_default=True, help="Store the schedule as.")
@click.option("--no-queue", is_flag=True, help="Do not queue the messages.")
@click.option(
    "--after",
    metavar="NAME",
    default=None,
    help="Continue the stored schedule NAME, which must end on --from: the touches near "
    "its end count against each contact's ceiling.",
)
@click.option(
    "--show",
    type=click.Choice(("tasks", "dropped")),
    default="tasks",
    show_default=True,
    help="List the tasks scheduled, or the touches dropped and why.",
)
@excel_option
@pass_settings
def care(
    settings: Settings,
    start: str,
    end: str,
    name: str,
    no_queue: bool,
    after: str | None,
    show: str,
) -> None:
    """Schedule greetings, calls and follow-ups in [--from, --to) and queue the messages.

    With --after NAME the window continues the stored schedule NAME (without it, the
    window starts afresh). How many touches were dropped for each reason is printed on
    stderr.
    """
    from accountcare.services.care import schedule_and_enqueue

    first, last = parse_day("--from", start), parse_day("--to", end)
    if last <= first:
        raise UserError(f"--to ({last}) must come after --from ({first})")
    with settings.store() as store:
        result = schedule_and_enqueue(
            store,
            start=first,
            end=last,
            name=name,
            enqueue=not no_queue,
            rates=settings.rates,
            after=after,
        )
    schedule = result.schedule
    dropped = list(schedule.dropped)
    title = (
        f"care {first} to {last}: {len(schedule.tasks):,} tasks, {len(dropped):,} dropped, "
        f"{len(result.queued.enqueued):,} queued"
    )
    _why("touches dropped", (d.reason.value for d in dropped), _DROPPED)
    if show == "dropped":
        print_rows(
            settings,
            [
                (
                    d.task.on.isoformat(),
                    d.task.contact_id,
                    d.task.kind.value,
                    d.task.channel.value,
                    d.reason.value,
                    d.detail,
                )
                for d in sorted(dropped, key=lambda d: (d.task.on, d.task.contact_id))
            ],
            ("date", "contact", "kind", "channel", "reason", "detail"),
            f"{title}; the touches dropped",
        )
        return
    rules = DEFAULT_CARE_RULES
    rows = [
        (
            t.on.isoformat(),
            t.local_time.strftime("%H:%M"),
            t.time_zone,
            t.contact_id,
            t.kind.value,
            t.channel.value,
            "rep (tasks)" if rules.is_rep_action(t.kind, t.channel) else "customer (outbox)",
            t.reason,
        )
        for t in schedule.tasks
    ]
    header = ("date", "local time", "zone", "contact", "kind", "channel", "goes to", "reason")
    print_rows(settings, rows, header, title)


# -- health and alerts -------------------------------------------------------------------


@cli.command()
@click.option("--top", default=20, show_default=True, help="Show the N weakest (0: all).")
@click.option("--plan", "plan_name", default=None, help="Count adherence to this stored plan.")
@excel_option
@pass_settings
def health(settings: Settings, top: int, plan_name: str | None) -> None:
    """Relationship health of every account, weakest first."""
    from accountcare.services.review import review_book

    with settings.store() as store:
        review = review_book(store, as_of=settings.as_of, plan=plan_name, rates=settings.rates)
    scores = review.weakest(top if top > 0 else len(review.health))
    rows = [(h.account_id, round(h.score, 1), "; ".join(h.reasons)) for h in scores]
    title = f"health as of {settings.as_of}: {len(rows)} of {len(review.health):,} accounts"
    print_rows(settings, rows, ("account", "score", "why"), title)


@cli.command()
@click.option("--months", default=3, show_default=True, help="Length of each period compared.")
@excel_option
@pass_settings
def alerts(settings: Settings, months: int) -> None:
    """Early warnings: declining top accounts, lapses, volatile buyers, rising complaints.

    With scipy installed (pip install 'accountcare[models]') and enough accounts, a
    purchase model adds low P(alive) and falling expected purchases; otherwise one line
    on stderr says why they are left out.
    """
    from accountcare.services.book import load_book
    from accountcare.services.review import review_book

    with settings.store() as store:
        book = load_book(store)
        review = review_book(
            store, as_of=settings.as_of, months=months, rates=settings.rates, book=book
        )
    found = sorted(
        (*review.alerts, *_model_alerts(book.orders, settings.as_of, review.current.start)),
        key=lambda a: (a.account_id, a.rule.value),
    )
    rows = [(a.account_id, a.rule.value, a.message) for a in found]
    title = f"{len(rows):,} alerts: {review.previous} vs {review.current}"
    print_rows(settings, rows, ("account", "rule", "message"), title)


def _model_alerts(orders: Iterable[Order], as_of: date, previous_as_of: date) -> tuple[Alert, ...]:
    """The purchase-model rules, or none with one line on stderr saying why."""
    from accountcare.policies.health.early_warning import model_alerts

    try:
        return model_alerts(orders, as_of=as_of, previous_as_of=previous_as_of)
    except MissingExtra:
        why = "scipy is not installed (pip install 'accountcare[models]')"
    except ConfigurationError as error:
        why = " ".join(str(error).split())
    click.echo(f"accountcare: purchase-model rules left out: {why}", err=True)
    return ()

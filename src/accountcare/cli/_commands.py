"""The subcommands of ``accountcare``: parse, call a service, print the result."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import click

from accountcare.cli._output import emit
from accountcare.domain.tiers import TierAssignment
from accountcare.errors import AccountcareError
from accountcare.ports.store import Store

__all__ = ["UserError", "cli", "run"]

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "csv", "json")


class UserError(AccountcareError):
    """Bad input on the command line: printed as one line, exit code 1."""


class Settings:
    """The global options, handed to every subcommand."""

    def __init__(
        self,
        db: str | None,
        fmt: str,
        as_of: date | None,
        rates: Mapping[str, Decimal] | None = None,
    ) -> None:
        self.db = db
        self.format = fmt
        self.rates = rates
        self.as_of = as_of if as_of is not None else date.today()
        self._fixed = as_of is not None

    def now(self) -> datetime:
        """The instant "due" is measured against: now, or the end of ``--as-of``'s day."""
        if not self._fixed:
            return datetime.now(UTC)
        return datetime.combine(self.as_of, time.max, UTC)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """Open the store ``--db`` names (a file path, or an SQLAlchemy URL)."""
        store = open_store(self.db)
        try:
            yield store
        finally:
            close = getattr(store, "close", None)  # the port does not require one
            if callable(close):
                close()


def open_store(db: str | None) -> Store:
    """The store at ``db``: an SQLAlchemy URL (``postgresql+psycopg://...``) or a path to
    an SQLite file (default: the user's data directory)."""
    if db is not None and "://" in db:
        from accountcare.adapters.sql import SqlStore

        return SqlStore(db)
    from accountcare.adapters.sqlite import SqliteStore, default_path

    path = Path(db) if db is not None else default_path()
    if path.is_dir():
        raise UserError(f"--db: {str(path)!r} is a directory; give the path of a store file")
    if not path.parent.exists() and db is not None:
        raise UserError(f"--db: the folder {str(path.parent)!r} does not exist")
    return SqliteStore(path)


def parse_day(option: str, raw: str) -> date:
    """``raw`` as a calendar day (YYYY-MM-DD), or a :class:`UserError` naming ``option``."""
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise UserError(f"{option}: {raw!r} is not a valid date (YYYY-MM-DD): {error}") from None


def _existing_file(option: str, raw: str) -> Path:
    path = Path(raw)
    if not path.exists():
        raise UserError(f"{option}: no such file: {raw!r}")
    if path.is_dir():
        raise UserError(f"{option}: {raw!r} is a directory, not a file")
    return path


def run(argv: Sequence[str]) -> int:
    """Run the command line ``argv``; return the exit code (0, 1 user error, 2 usage)."""
    try:
        result = cli.main(args=list(argv), prog_name="accountcare", standalone_mode=False)
    except click.exceptions.UsageError as error:
        error.show()
        return 2
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.exceptions.Abort:
        click.echo("accountcare: aborted", err=True)
        return 1
    except click.ClickException as error:
        click.echo(f"accountcare: error: {error.format_message()}", err=True)
        return 1
    except (AccountcareError, OSError) as error:
        click.echo(f"accountcare: error: {_one_line(error)}", err=True)
        return 1
    return result if isinstance(result, int) else 0


def _one_line(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        text = f"{error.strerror}: {error.filename!r}"
    return " ".join(text.split())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    metavar="PATH|URL",
    default=None,
    envvar="ACCOUNTCARE_DB",
    help="The store: an SQLite file (default: in your data directory) or an SQLAlchemy URL.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="How results are printed.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    default=None,
    help="The day the work is done for (default: today).",
)
@click.option(
    "--rate",
    "rates",
    metavar="CUR=RATE",
    multiple=True,
    help="Exchange rate into your reporting currency, for books in several currencies "
    "(repeat: --rate CNY=0.14 --rate USD=1).",
)
@click.version_option(package_name="accountcare")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, fmt: str, as_of: str | None, rates: tuple[str, ...]
) -> None:
    """Key-account care from the command line: tier the book, plan visits, schedule care,
    review health and early warnings, and send what is due."""
    day = parse_day("--as-of", as_of) if as_of is not None else None
    ctx.obj = Settings(db, fmt, day, parse_rates(rates) if rates else None)


def parse_rates(pairs: Sequence[str]) -> dict[str, Decimal]:
    """``CUR=RATE`` pairs as a mapping, or a :class:`UserError` naming the bad one."""
    rates: dict[str, Decimal] = {}
    for pair in pairs:
        currency, _, raw = pair.partition("=")
        try:
            rate = Decimal(raw.strip())
        except InvalidOperation:
            rate = Decimal("NaN")
        code = currency.strip().upper()
        if not code or not rate.is_finite() or rate <= 0:
            raise UserError(f"--rate: {pair!r} is not CUR=RATE with a positive rate")
        rates[code] = rate
    return rates


pass_settings = click.make_pass_decorator(Settings)


@contextmanager
def _steps(settings: Settings, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on a terminal (stderr, gone when done); silence elsewhere."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if settings.format != "table" or not console.is_terminal:
        yield lambda step: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("starting", total=total)
        started = False

        def say(step: str) -> None:
            nonlocal started
            progress.update(task, description=step, advance=1 if started else 0)
            started = True

        yield say


# -- demo --------------------------------------------------------------------------------


@cli.command()
@click.option("--accounts", default=2_000, show_default=True, help="Accounts in the book.")
@click.option("--weeks", default=4, show_default=True, help="Weeks of visits to plan.")
@click.option("--care-days", default=30, show_default=True, help="Days of care to schedule.")
@pass_settings
def demo(settings: Settings, accounts: int, weeks: int, care_days: int) -> None:
    """Create a sample book in the store and run everything on it."""
    from accountcare.services.demo import run_demo

    if accounts < 1:
        raise UserError(f"--accounts must be at least 1, got {accounts}")
    with settings.store() as store, _steps(settings, total=6) as progress:
        report = run_demo(
            store,
            accounts=accounts,
            as_of=settings.as_of,
            weeks=weeks,
            care_days=care_days,
            name="current",
            progress=progress,
        )
    plan, care, review = report.plan, report.care.schedule, report.review
    counts = report.tiers.counts()
    kinds = Counter(t.kind.value for t in care.tasks)
    rules = Counter(a.rule.value for a in review.alerts)
    weakest = review.weakest(1)
    rows: list[tuple[str, object]] = [
        (
            "book",
            f"{report.accounts:,} accounts, {report.contacts:,} contacts, {report.orders:,} orders",
        ),
        ("tiers (ABC)", ", ".join(f"{t} {n:,}" for t, n in counts.items())),
        (
            f"visits planned ({weeks} weeks)",
            f"{len(plan.visits):,} placed, {len(plan.unplaced):,} did not fit",
        ),
        ("coverage of due visits", f"{plan.coverage:.0%}"),
        (f"care tasks ({care_days} days)", ", ".join(f"{k} {n:,}" for k, n in kinds.most_common())),
        ("care touches dropped", f"{len(care.dropped):,}"),
        ("messages queued", f"{len(report.care.queued.enqueued):,}"),
        ("early-warning alerts", ", ".join(f"{r} {n:,}" for r, n in rules.most_common()) or "none"),
        (
            "weakest account",
            f"{weakest[0].account_id} ({weakest[0].score:.0f}/100)" if weakest else "-",
        ),
    ]
    emit(rows, ("what", "result"), fmt=settings.format, title=f"accountcare demo, {settings.as_of}")


# -- import ------------------------------------------------------------------------------


@cli.command("import")
@click.argument("kind", metavar="contacts|accounts|orders")
@click.argument("file", metavar="FILE")
@click.option("--country", default="US", show_default=True, help="Country of the contacts.")
@click.option("--time-zone", default="UTC", show_default=True, help="IANA time zone.")
@click.option("--locale", default="en", show_default=True, help="Greeting language.")
@click.option("--currency", default="USD", show_default=True, help="Currency of orders.")
@click.option("--account", "account_id", default=None, help="Account of contacts with no company.")
@click.option("--keep-good", is_flag=True, help="Store the good rows even if others are bad.")
@pass_settings
def import_(
    settings: Settings,
    kind: str,
    file: str,
    country: str,
    time_zone: str,
    locale: str,
    currency: str,
    account_id: str | None,
    keep_good: bool,
) -> None:
    """Import contacts (CSV or vCard), accounts or orders (CSV) from FILE."""
    from accountcare.adapters.importers import (
        ImportOptions,
        read_accounts_csv,
        read_contacts_csv,
        read_orders_csv,
        read_vcards,
        write_import,
    )
    from accountcare.domain.accounts import Account

    if kind not in ("contacts", "accounts", "orders"):
        raise UserError(f"import: unknown kind {kind!r}; use contacts, accounts or orders")
    path = _existing_file("FILE", file)
    options = ImportOptions(
        as_of=settings.as_of,
        country=country,
        time_zone=time_zone,
        locale=locale,
        account_id=account_id,
        keep_good=keep_good,
    )
    data = path.read_bytes()
    if kind == "contacts":
        vcard = path.suffix.lower() in (".vcf", ".vcard")
        report = (
            read_vcards(data, options=options)
            if vcard
            else read_contacts_csv(data, options=options)
        )
    elif kind == "accounts":
        report = read_accounts_csv(data, options=options)
    else:
        report = read_orders_csv(data, options=options, currency=currency)
    if report.problems and not keep_good:
        first = report.problems[0]
        more = len(report.problems) - 1
        raise UserError(
            f"{path.name}: {first}"
            + (f" (and {more} more problems)" if more else "")
            + "; nothing was stored (use --keep-good to store the good rows)"
        )
    with settings.store() as store:
        extra = []
        if account_id is not None and store.account(account_id) is None:
            extra.append(Account(id=account_id, name=account_id))
        write_import(report, store, keep_good=keep_good, accounts=extra)
    rows = [
        ("rows read", report.rows),
        ("accounts stored", len(report.accounts) + len(extra)),
        ("contacts stored", len(report.contacts)),
        ("orders stored", len(report.orders)),
        ("duplicates merged", len(report.merges)),
        ("rows skipped", len(report.problems)),
    ]
    emit(rows, ("what", "count"), fmt=settings.format, title=f"import {kind} from {path.name}")
    for problem in report.problems:
        click.echo(f"skipped: {problem}", err=True)


# -- tier --------------------------------------------------------------------------------


@cli.command()
@click.option("--method", default="abc", show_default=True, help="abc, rank, profit or score.")
@click.option("--from-csv", "from_csv", default=None, metavar="FILE", help="Tier a CSV instead.")
@click.option("--id-column", default="account_id", show_default=True)
@click.option("--value-column", default="value", show_default=True)
@click.option("--months", default=12, show_default=True, help="Months of orders measured.")
@click.option("--output", default=None, metavar="FILE.csv", help="Write every assignment here.")
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
    if from_csv is not None:
        values = _csv_values(_existing_file("--from-csv", from_csv), id_column, value_column)
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
    rows = [
        (a.account_id, a.tier, values[a.account_id], a.reason.rule) for a in assignments.values()
    ]
    header = ("account_id", "tier", "value", "reason")
    if output is not None:
        _write_csv(output, header, rows)
    if settings.format == "table":
        counts = Counter(a.tier for a in assignments.values())
        total = len(rows) or 1
        summary = [(t, n, f"{n / total:.1%}") for t, n in sorted(counts.items())]
        emit(
            summary,
            ("tier", "accounts", "share"),
            fmt="table",
            title=f"{TIER_METHODS[method]}: {len(rows):,} accounts, {kept}",
        )
        if output is not None:
            click.echo(f"every assignment written to {output}")
    else:
        emit(rows, header, fmt=settings.format)


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


def _write_csv(target: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    path = Path(target)
    if path.is_dir():
        raise UserError(f"--output: {target!r} is a directory")
    temporary = path.with_name(f".{path.name}.partial")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(temporary, path)


# -- plan --------------------------------------------------------------------------------


@cli.command()
@click.option("--weeks", default=4, show_default=True, help="How many weeks to plan.")
@click.option("--rep", default=None, help="Only this rep's accounts.")
@click.option("--start", default=None, metavar="YYYY-MM-DD", help="First day (default --as-of).")
@click.option("--name", default="current", show_default=True, help="Store the plan as.")
@click.option("--visits-per-day", default=4, show_default=True)
@pass_settings
def plan(
    settings: Settings,
    weeks: int,
    rep: str | None,
    start: str | None,
    name: str,
    visits_per_day: int,
) -> None:
    """Plan the visits of the next weeks, within each rep's capacity."""
    from accountcare.services.book import default_calendars, load_book
    from accountcare.services.planning import plan_and_save
    from accountcare.services.tiering import current_tiers

    first = parse_day("--start", start) if start is not None else settings.as_of
    if weeks < 1:
        raise UserError(f"--weeks must be at least 1, got {weeks}")
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
    rows = [
        (v.on.isoformat(), v.rep_id, v.account_id, v.tier or "", v.purpose.value, v.reason)
        for v in sorted(result.visits, key=lambda v: (v.on, v.rep_id, v.account_id))
    ]
    emit(
        rows,
        ("date", "rep", "account", "tier", "purpose", "reason"),
        fmt=settings.format,
        title=f"visit plan {name!r}: {len(rows):,} visits, {len(result.unplaced):,} did not fit",
    )


# -- care --------------------------------------------------------------------------------


@cli.command()
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Day after the last.")
@click.option("--name", default="current", show_default=True, help="Store the schedule as.")
@click.option("--no-queue", is_flag=True, help="Do not queue the messages.")
@pass_settings
def care(settings: Settings, start: str, end: str, name: str, no_queue: bool) -> None:
    """Schedule greetings, calls and follow-ups in [--from, --to) and queue the messages."""
    from accountcare.services.care import schedule_and_enqueue

    first, last = parse_day("--from", start), parse_day("--to", end)
    if last <= first:
        raise UserError(f"--to ({last}) must come after --from ({first})")
    with settings.store() as store:
        result = schedule_and_enqueue(
            store, start=first, end=last, name=name, enqueue=not no_queue, rates=settings.rates
        )
    schedule = result.schedule
    rows = [
        (
            t.on.isoformat(),
            t.local_time.strftime("%H:%M"),
            t.time_zone,
            t.contact_id,
            t.kind.value,
            t.channel.value,
            t.reason,
        )
        for t in schedule.tasks
    ]
    emit(
        rows,
        ("date", "local time", "zone", "contact", "kind", "channel", "reason"),
        fmt=settings.format,
        title=f"care {first} to {last}: {len(rows):,} tasks, {len(schedule.dropped):,} dropped, "
        f"{len(result.queued.enqueued):,} queued",
    )


# -- health and alerts -------------------------------------------------------------------


@cli.command()
@click.option("--top", default=20, show_default=True, help="Show the N weakest (0: all).")
@click.option("--plan", "plan_name", default=None, help="Count adherence to this stored plan.")
@pass_settings
def health(settings: Settings, top: int, plan_name: str | None) -> None:
    """Relationship health of every account, weakest first."""
    from accountcare.services.review import review_book

    with settings.store() as store:
        review = review_book(store, as_of=settings.as_of, plan=plan_name, rates=settings.rates)
    scores = review.weakest(top if top > 0 else len(review.health))
    rows = [(h.account_id, round(h.score, 1), "; ".join(h.reasons)) for h in scores]
    emit(
        rows,
        ("account", "score", "why"),
        fmt=settings.format,
        title=f"health as of {settings.as_of}: {len(rows)} of {len(review.health):,} accounts",
    )


@cli.command()
@click.option("--months", default=3, show_default=True, help="Length of each period compared.")
@pass_settings
def alerts(settings: Settings, months: int) -> None:
    """Early warnings: declining top accounts, lapses, volatile buyers, rising complaints."""
    from accountcare.services.review import review_book

    with settings.store() as store:
        review = review_book(store, as_of=settings.as_of, months=months, rates=settings.rates)
    rows = [(a.account_id, a.rule.value, a.message) for a in review.alerts]
    emit(
        rows,
        ("account", "rule", "message"),
        fmt=settings.format,
        title=f"{len(rows):,} alerts: {review.previous} vs {review.current}",
    )


# -- notify ------------------------------------------------------------------------------


@cli.command()
@click.option("--send", is_flag=True, help="Send due messages (default: only list them).")
@click.option("--via", default="console", show_default=True, help="console or smtp.")
@click.option("--smtp-host", default="127.0.0.1", show_default=True)
@click.option("--smtp-port", default=25, show_default=True)
@click.option("--sender", default=None, help="From address (required with --via smtp).")
@click.option("--starttls", is_flag=True, help="Upgrade the SMTP connection with STARTTLS.")
@click.option("--limit", default=None, type=int, help="At most this many messages.")
@pass_settings
def notify(
    settings: Settings,
    send: bool,
    via: str,
    smtp_host: str,
    smtp_port: int,
    sender: str | None,
    starttls: bool,
    limit: int | None,
) -> None:
    """List the queued messages that are due (dry run), or send them with --send."""
    from accountcare.domain.outbox import OutboxStatus

    if via not in ("console", "smtp"):
        raise UserError(f"--via: unknown notifier {via!r}; use console or smtp")
    if via == "smtp" and send and not sender:
        raise UserError("--sender is required with --via smtp")
    now = settings.now()
    with settings.store() as store:
        if not send:
            due = [e for e in store.outbox(OutboxStatus.PENDING) if e.next_attempt_at <= now][
                :limit
            ]
            listed = [
                (
                    e.key,
                    e.message.channel.value,
                    e.message.recipient.name,
                    e.message.recipient.address,
                    e.message.due_at.isoformat(),
                    e.message.subject,
                )
                for e in due
            ]
            emit(
                listed,
                ("key", "channel", "to", "address", "due", "subject"),
                fmt=settings.format,
                title=f"{len(listed):,} messages due (dry run: use --send)",
            )
            return
        from accountcare.services.outbox import Dispatcher

        dispatcher = Dispatcher(
            store, _notifier(via, smtp_host, smtp_port, sender, starttls), clock=settings.now
        )
        report = dispatcher.dispatch_due(limit)
    rows = [
        ("sent", len(report.sent)),
        ("to retry", len(report.retried)),
        ("dead letters", len(report.dead)),
        ("skipped", len(report.skipped)),
    ]
    emit(rows, ("outcome", "messages"), fmt=settings.format, title=f"sent via {via}")


def _notifier(via: str, host: str, port: int, sender: str | None, starttls: bool) -> Any:
    if via == "smtp":
        from accountcare.adapters.notify.smtp import SmtpNotifier

        return SmtpNotifier(host, port, sender=sender or "", starttls=starttls)
    from accountcare.adapters.notify.console import ConsoleNotifier

    return ConsoleNotifier(sys.stderr)


# -- export ------------------------------------------------------------------------------


@cli.group()
def export() -> None:
    """Export stored plans and schedules to files."""


@export.command("ics")
@click.argument("file", metavar="FILE")
@click.option("--plan", "what", flag_value="plan", help="Export a stored visit plan.")
@click.option("--care", "what", flag_value="care", help="Export a stored care schedule.")
@click.option("--name", default="current", show_default=True, help="Which stored one.")
@pass_settings
def export_ics(settings: Settings, file: str, what: str | None, name: str) -> None:
    """Write a visit plan (--plan) or care schedule (--care) as an iCalendar FILE."""
    from accountcare.adapters import ics

    if what is None:
        raise UserError("export ics: say which, --plan or --care")
    target = Path(file)
    if target.is_dir():
        raise UserError(f"FILE: {file!r} is a directory")
    stamp = datetime.now(UTC).replace(microsecond=0)  # DTSTAMP: when the file was made
    with settings.store() as store:
        if what == "plan":
            plan = store.visit_plan(name)
            if plan is None:
                raise UserError(f"no visit plan named {name!r} is stored; run `accountcare plan`")
            names = {a.id: a.name for a in store.accounts()}
            data = ics.visit_plan_calendar(plan, stamp=stamp, account_names=names)
            count = len(plan.visits)
        else:
            schedule = store.care_schedule(name)
            if schedule is None:
                raise UserError(
                    f"no care schedule named {name!r} is stored; run `accountcare care`"
                )
            people = {c.id: c.name for a in store.accounts() for c in store.contacts(a.id)}
            data = ics.care_schedule_calendar(schedule, stamp=stamp, contact_names=people)
            count = len(schedule.tasks)
    temporary = target.with_name(f".{target.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    emit(
        [(str(target), count)],
        ("file", "events"),
        fmt=settings.format,
        title=f"exported {what} {name!r}",
    )

"""The ``accountcare`` group: its global options, the settings they make, and how a run ends.

Command modules register their commands on `cli`; this module imports none of them
(`accountcare.cli._commands` does, so the group is complete).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from accountcare.errors import AccountcareError
from accountcare.ports.store import Store, StoreError

__all__ = [
    "Settings",
    "UserError",
    "cli",
    "excel_option",
    "existing_file",
    "log_to_stderr",
    "open_store",
    "parse_day",
    "parse_rates",
    "pass_settings",
    "run",
]

FORMATS = ("table", "csv", "json")
# -v shows what each step did (INFO), -vv the details (DEBUG); by default only warnings.
_LEVELS = (logging.WARNING, logging.INFO, logging.DEBUG)
_LOG_FORMAT = "accountcare: %(levelname)s: %(name)s: %(message)s"
_EXCEL_HELP = "Write CSV for Excel: UTF-8 with a byte order mark and CRLF line ends."


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
        excel: bool = False,
    ) -> None:
        self.db = db
        self.format = fmt
        self.rates = rates
        self.excel = excel
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
    """The store at ``db``: an SQLAlchemy URL (``postgresql+psycopg://...``), a path to
    an SQLite file (default: the user's data directory), or SQLite's own URI for a file
    opened read-only (``file:book.sqlite3?mode=ro``). A store that cannot be opened is a
    one-line [`UserError`][accountcare.cli._group.UserError] naming ``--db``.

    >>> open_store("foo://bar")
    Traceback (most recent call last):
    ...
    accountcare.cli._group.UserError: --db: the database URL scheme foo:// is not supported; ...
    """
    try:
        if db is not None and db.startswith("file:"):
            from accountcare.adapters.sqlite import SqliteStore, from_uri

            path, read_only = from_uri(db)
            return SqliteStore(path, read_only=read_only)
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
    except StoreError as error:
        raise UserError(f"--db: {error}") from None


def parse_day(option: str, raw: str) -> date:
    """``raw`` as a calendar day (YYYY-MM-DD), or a `UserError` naming ``option``."""
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise UserError(f"{option}: {raw!r} is not a valid date (YYYY-MM-DD): {error}") from None


def existing_file(option: str, raw: str) -> Path:
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
@click.option("--excel", is_flag=True, help=_EXCEL_HELP)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log to stderr what the work did: -v for each step (INFO), -vv for details (DEBUG).",
)
@click.version_option(package_name="accountcare")
@click.pass_context
def cli(
    ctx: click.Context,
    db: str | None,
    fmt: str,
    as_of: str | None,
    rates: tuple[str, ...],
    excel: bool,
    verbose: int,
) -> None:
    """Key-account care from the command line: tier the book, plan visits, schedule care,
    review health and early warnings, and send what is due."""
    log_to_stderr(ctx, verbose)
    day = parse_day("--as-of", as_of) if as_of is not None else None
    ctx.obj = Settings(db, fmt, day, parse_rates(rates) if rates else None, excel=excel)


def log_to_stderr(ctx: click.Context, verbose: int) -> None:
    """Print the library's log records to stderr for the rest of ``ctx``: warnings only,
    INFO too when ``verbose`` is 1, DEBUG from 2 on. The command line is an application,
    so it may configure logging; the handler and the level are taken back when the
    command ends, so a host that runs commands in its own process keeps its setup.

    >>> with click.Context(cli) as ctx:
    ...     log_to_stderr(ctx, 2)
    ...     logging.getLogger("accountcare").level == logging.DEBUG
    True
    >>> logging.getLogger("accountcare").level == logging.NOTSET
    True
    """
    level = _LEVELS[min(verbose, len(_LEVELS) - 1)]
    logger = logging.getLogger("accountcare")
    handler = logging.StreamHandler(sys.stderr)  # the stream of this run (a test's too)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    handler.setLevel(level)
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(before)

    ctx.call_on_close(restore)


def _excel_given(ctx: click.Context, _: click.Parameter, value: bool) -> bool:
    settings = ctx.find_object(Settings)
    if value and settings is not None:
        settings.excel = True
    return value


excel_option = click.option(
    "--excel", is_flag=True, expose_value=False, callback=_excel_given, help=_EXCEL_HELP
)
"""The ``--excel`` flag of a command, the same as the group's: every CSV the command
writes (``--format csv``, ``--output``) is UTF-8 with a byte order mark and CRLF ends."""


def parse_rates(pairs: Sequence[str]) -> dict[str, Decimal]:
    """``CUR=RATE`` pairs as a mapping, or a `UserError` naming the bad one."""
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

"""The ``demo`` command: a sample book in the store, and everything run on it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from accountcare.cli._group import (
    Settings,
    UserError,
    cli,
    excel_option,
    pass_settings,
)
from accountcare.cli._output import print_rows
from accountcare.domain.care import DroppedTask

if TYPE_CHECKING:  # imported by the command that needs it, to keep start-up short
    from accountcare.services.demo import DemoReport

__all__ = ["demo"]


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
@click.option("--force", is_flag=True, help="Write into a store holding records of its own.")
@excel_option
@pass_settings
def demo(settings: Settings, accounts: int, weeks: int, care_days: int, force: bool) -> None:
    """Create a sample book in the store and run everything on it.

    Everything is written in one transaction at the end, so a demo that fails stores
    nothing; a store holding records the demo did not create is refused unless --force.
    """
    from accountcare.services import paused_collector
    from accountcare.services.demo import ForeignStore, run_demo

    for option, value in (("--accounts", accounts), ("--weeks", weeks), ("--care-days", care_days)):
        if value < 1:
            raise UserError(f"{option} must be at least 1, got {value}")
    # A bounded bulk job in a process of our own: the collector pause pays.
    with settings.store() as store, _steps(settings, total=7) as progress, paused_collector():
        try:
            report = run_demo(
                store,
                accounts=accounts,
                as_of=settings.as_of,
                weeks=weeks,
                care_days=care_days,
                name="current",
                force=force,
                progress=progress,
            )
        except ForeignStore as error:
            raise UserError(
                f"--db: {error}; give another --db, or --force to add the sample book to it"
            ) from None
    rows = _demo_rows(report, weeks, care_days)
    print_rows(settings, rows, ("what", "result"), f"accountcare demo, {settings.as_of}")


def _dropped(dropped: Sequence[DroppedTask]) -> str:
    """``165: opted_out 29, frequency_ceiling 41, ...``, or ``0``."""
    reasons = Counter(d.reason.value for d in dropped).most_common()
    listed = ", ".join(f"{reason} {n:,}" for reason, n in reasons)
    return f"{len(dropped):,}" + (f": {listed}" if listed else "")


def _demo_rows(report: DemoReport, weeks: int, care_days: int) -> list[tuple[str, object]]:
    plan, care, review = report.plan, report.care.schedule, report.review
    counts = report.tiers.counts()
    kinds = Counter(t.kind.value for t in care.tasks)
    rules = Counter(a.rule.value for a in review.alerts)
    weakest = review.weakest(1)
    book = f"{report.accounts:,} accounts, {report.contacts:,} contacts, {report.orders:,} orders"
    return [
        ("book", book),
        ("tiers (ABC)", ", ".join(f"{t} {n:,}" for t, n in counts.items())),
        (
            f"visits planned ({weeks} weeks)",
            f"{len(plan.visits):,} placed, {len(plan.unplaced):,} did not fit",
        ),
        ("coverage of due visits", f"{plan.coverage:.0%}"),
        (f"care tasks ({care_days} days)", ", ".join(f"{k} {n:,}" for k, n in kinds.most_common())),
        ("care touches dropped", _dropped(care.dropped)),
        ("messages queued", f"{len(report.care.queued.enqueued):,}"),
        ("early-warning alerts", ", ".join(f"{r} {n:,}" for r, n in rules.most_common()) or "none"),
        (
            "weakest account",
            f"{weakest[0].account_id} ({weakest[0].score:.0f}/100)" if weakest else "-",
        ),
    ]

"""Commands that take work out of the store: ``notify`` sends the messages that are due,
``export`` writes plans and schedules to files."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from typing import Any

import click

from accountcare.cli._group import Settings, UserError, cli, excel_option, pass_settings
from accountcare.cli._output import emit, output_file
from accountcare.ports.store import Store

__all__ = ["export", "export_ics", "notify"]


# -- notify ------------------------------------------------------------------------------


@cli.command()
@click.option("--send", is_flag=True, help="Send due messages (default: only list them).")
@click.option("--via", default="console", show_default=True, help="console or smtp.")
@click.option("--smtp-host", default="127.0.0.1", show_default=True)
@click.option("--smtp-port", default=25, show_default=True)
@click.option("--sender", default=None, help="From address (required with --via smtp).")
@click.option("--starttls", is_flag=True, help="Upgrade the SMTP connection with STARTTLS.")
@click.option("--limit", default=None, type=int, help="At most this many messages.")
@excel_option
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
    if via not in ("console", "smtp"):
        raise UserError(f"--via: unknown notifier {via!r}; use console or smtp")
    if via == "smtp" and send and not sender:
        raise UserError("--sender is required with --via smtp")
    with settings.store() as store:
        if not send:
            _list_due(settings, store, limit)
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
    emit(
        rows,
        ("outcome", "messages"),
        fmt=settings.format,
        excel=settings.excel,
        title=f"sent via {via}",
    )


def _list_due(settings: Settings, store: Store, limit: int | None) -> None:
    """The dry run: the pending messages due now, nothing sent."""
    from accountcare.domain.outbox import OutboxStatus

    now = settings.now()
    due = [e for e in store.outbox(OutboxStatus.PENDING) if e.next_attempt_at <= now][:limit]
    listed = [
        (e.key, e.message.channel.value, e.message.recipient.name, e.message.recipient.address,
         e.message.due_at.isoformat(), e.message.subject)
        for e in due
    ]  # fmt: skip
    emit(
        listed,
        ("key", "channel", "to", "address", "due", "subject"),
        fmt=settings.format,
        excel=settings.excel,
        title=f"{len(listed):,} messages due (dry run: use --send)",
    )


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
@excel_option
@pass_settings
def export_ics(settings: Settings, file: str, what: str | None, name: str) -> None:
    """Write a visit plan (--plan) or care schedule (--care) as an iCalendar FILE."""
    from accountcare.adapters import ics

    if what is None:
        raise UserError("export ics: say which, --plan or --care")
    target = output_file("FILE", file)
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
        excel=settings.excel,
        title=f"exported {what} {name!r}",
    )

"""Commands that take work out of the store: ``notify`` sends the messages that are due,
``outbox`` lists what was queued and re-queues dead letters, ``export`` writes plans,
schedules and worklists to files."""

from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import click

from accountcare.cli._group import Settings, UserError, cli, excel_option, pass_settings
from accountcare.cli._output import output_file, print_rows
from accountcare.domain.care_rules import MESSAGE_CHANNELS
from accountcare.domain.outbox import OutboxStatus
from accountcare.errors import ConfigurationError, MissingExtra
from accountcare.ports.store import Store

__all__ = ["export", "export_ics", "notify", "outbox", "outbox_retry"]


# -- notify ------------------------------------------------------------------------------

NOTIFIERS = ("console", "smtp", "webhook", "apprise")
_SMTP_PASSWORD = "ACCOUNTCARE_SMTP_PASSWORD"
_WEBHOOK_SECRET = "ACCOUNTCARE_WEBHOOK_SECRET"


@cli.command()
@click.option("--send", is_flag=True, help="Send due messages (default: only list them).")
@click.option(
    "--via",
    type=click.Choice(NOTIFIERS),
    default=None,
    help="How to send (required with --send).",
)
@click.option(
    "--smtp-host",
    envvar="ACCOUNTCARE_SMTP_HOST",
    default="127.0.0.1",
    show_default=True,
    help="SMTP server [env ACCOUNTCARE_SMTP_HOST].",
)
@click.option(
    "--smtp-port",
    envvar="ACCOUNTCARE_SMTP_PORT",
    type=int,
    default=None,
    help="SMTP port: 25, or 465 with --ssl, 587 with --starttls [env ACCOUNTCARE_SMTP_PORT].",
)
@click.option(
    "--smtp-user",
    envvar="ACCOUNTCARE_SMTP_USER",
    default=None,
    help="Log in as this user, with the password in ACCOUNTCARE_SMTP_PASSWORD "
    "[env ACCOUNTCARE_SMTP_USER].",
)
@click.option(
    "--ssl",
    "use_ssl",
    is_flag=True,
    envvar="ACCOUNTCARE_SMTP_SSL",
    help="Connect with TLS from the start [env ACCOUNTCARE_SMTP_SSL].",
)
@click.option(
    "--starttls",
    is_flag=True,
    envvar="ACCOUNTCARE_SMTP_STARTTLS",
    help="Upgrade the connection with STARTTLS [env ACCOUNTCARE_SMTP_STARTTLS].",
)
@click.option(
    "--sender",
    envvar="ACCOUNTCARE_SMTP_SENDER",
    default=None,
    help="From address, required with --via smtp [env ACCOUNTCARE_SMTP_SENDER].",
)
@click.option(
    "--webhook-url",
    envvar="ACCOUNTCARE_WEBHOOK_URL",
    default=None,
    help="Receiver of --via webhook, signed with the secret in "
    "ACCOUNTCARE_WEBHOOK_SECRET [env ACCOUNTCARE_WEBHOOK_URL].",
)
@click.option(
    "--apprise-url",
    "apprise_urls",
    multiple=True,
    metavar="URL",
    help="Apprise service URL of --via apprise (repeat for several).",
)
@click.option("--limit", default=None, type=int, help="At most this many messages.")
@excel_option
@pass_settings
def notify(
    settings: Settings, /, send: bool, via: str | None, limit: int | None, **options: Any
) -> None:
    """List the queued messages that are due (dry run), or send them with --send --via.

    A message on a channel the chosen notifier does not deliver (an SMS with --via smtp)
    is left queued for one that does. Exits 1 when messages were due and none was sent.
    """
    if send and via is None:
        raise click.UsageError(f"--send needs --via: one of {', '.join(NOTIFIERS)}")
    notifier = _notifier(via, **options) if send and via is not None else None
    with settings.store() as store:
        if notifier is None:
            _list_due(settings, store, limit)
            return
        from accountcare.services.outbox import Dispatcher

        try:
            report = Dispatcher(store, notifier, clock=settings.now).dispatch_due(limit)
        finally:
            close = getattr(notifier, "close", None)
            if callable(close):
                close()
        left = Counter(_channel(store, key) for key in report.left)
    rows: list[tuple[str, int]] = [
        ("sent", len(report.sent)),
        ("to retry", len(report.retried)),
        ("dead letters", len(report.dead)),
        ("skipped", len(report.skipped)),
        ("withheld: no consent", len(report.withheld)),
    ]
    rows += [(_left(channel), n) for channel, n in sorted(left.items())]
    print_rows(settings, rows, ("outcome", "messages"), f"sent via {via}")
    due = report.handled - len(report.withheld) + len(report.left)
    if due and not report.sent:
        why = ", ".join(f"{n:,} {_left(channel)}" for channel, n in sorted(left.items()))
        noun = "message was" if due == 1 else "messages were"
        click.echo(
            f"accountcare: error: {due:,} {noun} due and none was sent"
            + (f" ({why})" if why else ""),
            err=True,
        )
        raise click.exceptions.Exit(1)


def _left(channel: str) -> str:
    return f"left queued: no notifier for {channel}"


def _channel(store: Store, key: str) -> str:
    entry = store.outbox_entry(key)
    return entry.message.channel.value if entry is not None else "?"


def _list_due(settings: Settings, store: Store, limit: int | None) -> None:
    """The dry run: the pending messages due now, nothing sent."""
    now = settings.now()
    due = [e for e in store.outbox(OutboxStatus.PENDING) if e.next_attempt_at <= now][:limit]
    listed = [
        (e.key, e.message.channel.value, e.message.recipient.name, e.message.recipient.address,
         e.message.due_at.isoformat(), e.message.subject)
        for e in due
    ]  # fmt: skip
    header = ("key", "channel", "to", "address", "due", "subject")
    print_rows(
        settings, listed, header, f"{len(listed):,} messages due (dry run: use --send --via)"
    )


def _notifier(via: str, **options: Any) -> Any:
    """The notifier ``--via`` names, built from its options and secrets from the
    environment; bad settings are a one-line error naming the option."""
    try:
        return _build(via, **options)
    except (ConfigurationError, MissingExtra) as error:
        raise UserError(f"--via {via}: {error}") from None


def _build(
    via: str,
    *,
    smtp_host: str,
    smtp_port: int | None,
    smtp_user: str | None,
    use_ssl: bool,
    starttls: bool,
    sender: str | None,
    webhook_url: str | None,
    apprise_urls: tuple[str, ...],
) -> Any:
    if via == "smtp":
        from accountcare.adapters.notify.smtp import SmtpNotifier

        if not sender:
            raise UserError("--sender (or ACCOUNTCARE_SMTP_SENDER) is required with --via smtp")
        if use_ssl and starttls:
            raise UserError("--ssl and --starttls: choose one")
        password = os.environ.get(_SMTP_PASSWORD) or None
        if smtp_user and password is None:
            raise UserError(f"--smtp-user: set the password in {_SMTP_PASSWORD}")
        if password is not None and not smtp_user:
            raise UserError(f"{_SMTP_PASSWORD} is set: give --smtp-user to log in with it")
        port = smtp_port if smtp_port is not None else 465 if use_ssl else 587 if starttls else 25
        return SmtpNotifier(smtp_host, port, sender=sender, starttls=starttls, use_ssl=use_ssl,
                            username=smtp_user or None, password=password)  # fmt: skip
    if via == "webhook":
        from accountcare.adapters.notify.webhook import WebhookNotifier

        if not webhook_url:
            raise UserError("--webhook-url (or ACCOUNTCARE_WEBHOOK_URL) is required with webhook")
        secret = os.environ.get(_WEBHOOK_SECRET)
        if not secret:
            raise UserError(f"--via webhook: set the signing secret in {_WEBHOOK_SECRET}")
        return WebhookNotifier(webhook_url, secret=secret)
    if via == "apprise":
        from accountcare.adapters.notify.apprise import AppriseNotifier

        if not apprise_urls:
            raise UserError("--apprise-url is required with --via apprise")
        return AppriseNotifier(list(apprise_urls))
    from accountcare.adapters.notify.console import ConsoleNotifier

    return ConsoleNotifier(sys.stderr, channels=MESSAGE_CHANNELS)


# -- outbox ------------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@click.option(
    "--status",
    type=click.Choice(["pending", "in_flight", "sent", "dead"]),
    default=None,
    help="Only entries in this state.",
)
@excel_option
@pass_settings
def outbox(settings: Settings, status: str | None) -> None:
    """List the outbox (every message queued, and what became of it); `outbox retry KEY`
    queues dead letters again."""
    if click.get_current_context().invoked_subcommand is not None:
        return
    with settings.store() as store:
        entries = store.outbox(OutboxStatus(status) if status is not None else None)
    rows = [
        (e.key, e.message.channel.value, e.message.recipient.name, e.message.recipient.address,
         e.status.value, e.attempts, e.next_attempt_at.isoformat(), e.last_error)
        for e in entries
    ]  # fmt: skip
    header = ("key", "channel", "recipient", "address", "status", "attempts", "next attempt",
              "last error")  # fmt: skip
    title = f"{len(rows):,} outbox entries" + (f" {status}" if status else "")
    print_rows(settings, rows, header, title)


@outbox.command("retry")
@click.argument("keys", metavar="KEY...", nargs=-1, required=True)
@excel_option
@pass_settings
def outbox_retry(settings: Settings, keys: tuple[str, ...]) -> None:
    """Queue the dead letters KEY... again, due now with a fresh count of attempts."""
    now = settings.now()
    rows: list[tuple[str, str]] = []
    failed = 0
    with settings.store() as store:
        for key in dict.fromkeys(keys):
            if store.retry_outbox(key, now) is not None:
                rows.append((key, "queued again"))
                continue
            entry = store.outbox_entry(key)
            why = "no such outbox entry" if entry is None else f"{entry.status.value}, not dead"
            rows.append((key, f"not retried: {why}"))
            failed += 1
    print_rows(
        settings, rows, ("key", "result"), f"{len(rows) - failed:,} dead letters queued again"
    )
    if failed:
        click.echo(
            f"accountcare: error: {failed:,} of {len(rows):,} keys could not be retried "
            "(only dead letters can be)",
            err=True,
        )
        raise click.exceptions.Exit(1)


# -- export ------------------------------------------------------------------------------


@cli.group()
def export() -> None:
    """Export stored plans and schedules to files."""


@export.command("ics")
@click.argument("file", metavar="FILE")
@click.option("--plan", "what", flag_value="plan", help="Export a stored visit plan.")
@click.option("--care", "what", flag_value="care", help="Export a stored care schedule.")
@click.option(
    "--tasks", "what", flag_value="tasks", help="Export the reps' worklist of a care schedule."
)
@click.option("--rep", default=None, help="With --tasks: only this rep's worklist.")
@click.option("--name", default="current", show_default=True, help="Which stored one.")
@excel_option
@pass_settings
def export_ics(settings: Settings, file: str, what: str | None, rep: str | None, name: str) -> None:
    """Write a visit plan (--plan), care schedule (--care) or the reps' worklist (--tasks:
    one event per call, visit, gift or check) as an iCalendar FILE."""
    from accountcare.adapters import ics

    if what is None:
        raise UserError("export ics: say which, --plan, --care or --tasks")
    if rep is not None and what != "tasks":
        raise UserError("--rep goes with --tasks")
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
        elif what == "tasks":
            from accountcare.cli._worklist import worklist_of

            items = worklist_of(store, rep=rep, name=name)
            data = ics.worklist_calendar(items, stamp=stamp, name=f"Worklist {rep or ''}".strip())
            count = len(items)
        else:
            schedule = store.care_schedule(name)
            if schedule is None:
                raise UserError(
                    f"no care schedule named {name!r} is stored; run `accountcare care`"
                )
            people = {c.id: c.name for c in store.contacts_of()}
            data = ics.care_schedule_calendar(schedule, stamp=stamp, contact_names=people)
            count = len(schedule.tasks)
    temporary = target.with_name(f".{target.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    print_rows(settings, [(str(target), count)], ("file", "events"), f"exported {what} {name!r}")

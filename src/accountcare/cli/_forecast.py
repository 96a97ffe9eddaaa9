"""The ``forecast`` command: accounts by predicted lifetime value, with the reason."""

from __future__ import annotations

import re
from decimal import Decimal

import click

from accountcare.cli._group import Settings, UserError, cli, excel_option, pass_settings
from accountcare.cli._output import print_rows

__all__ = ["forecast", "horizon_days"]

_HORIZON = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mwd])\s*$")
_DAYS_PER_UNIT = {"m": 365.25 / 12, "w": 7.0, "d": 1.0}
_UNIT_WORDS = {"m": "months", "w": "weeks", "d": "days"}
_MODEL_NAMES = {"bgnbd": "BG/NBD", "pareto": "Pareto/NBD"}


def horizon_days(text: str) -> float:
    """The days of a horizon written as months, weeks or days (``12m``, ``52w``, ``365d``).

    >>> horizon_days("12m"), horizon_days("52w"), horizon_days("365d")
    (365.25, 364.0, 365.0)
    >>> horizon_days("a year")
    Traceback (most recent call last):
    ...
    accountcare.cli._group.UserError: --horizon: 'a year' is not months, weeks or days such as 12m, 52w or 365d
    """  # noqa: E501
    found = _HORIZON.match(text)
    days = float(found[1]) * _DAYS_PER_UNIT[found[2]] if found else 0.0
    if not days > 0:
        raise UserError(
            f"--horizon: {text!r} is not months, weeks or days such as 12m, 52w or 365d"
        )
    return days


def _money(value: float) -> Decimal:
    """``value`` to the cent, as a Decimal so that every digit is printed."""
    return Decimal(f"{value:.2f}")


@cli.command()
@click.option(
    "--model",
    type=click.Choice(tuple(_MODEL_NAMES)),
    default="bgnbd",
    show_default=True,
    help="The repeat-purchase model: BG/NBD or Pareto/NBD.",
)
@click.option(
    "--horizon",
    default="12m",
    show_default=True,
    metavar="N(m|w|d)",
    help="How far ahead to forecast, in months, weeks or days (12m, 52w, 365d).",
)
@click.option("--top", default=20, show_default=True, help="Show the N most valuable (0: all).")
@click.option(
    "--discount-rate",
    default=0.10,
    show_default=True,
    help="The annual rate future spend is discounted at.",
)
@excel_option
@pass_settings
def forecast(settings: Settings, model: str, horizon: str, top: int, discount_rate: float) -> None:
    """Accounts by predicted lifetime value: P(alive), purchases and spend to expect.

    Fits a repeat-purchase model and the Gamma-Gamma spend model to the orders before
    --as-of (needs scipy: pip install 'accountcare[models]').
    """
    from accountcare.services.forecast import forecast_book

    days = horizon_days(horizon)
    if top < 0:
        raise UserError(f"--top must be 0 (all) or more, got {top}")
    if not -1 < discount_rate < 10:
        raise UserError(f"--discount-rate must be above -1 and below 10, got {discount_rate}")
    with settings.store() as store:
        result = forecast_book(
            store,
            as_of=settings.as_of,
            model=model,
            horizon_days=days,
            discount_rate=discount_rate,
            rates=settings.rates,
        )
    shown = result.top(top)
    rows = [
        (
            r.account_id,
            r.name,
            round(r.p_alive, 3),
            round(r.expected_purchases, 2),
            _money(r.expected_spend),
            _money(r.clv),
            r.reason,
        )
        for r in shown
    ]
    found = _HORIZON.match(horizon)
    span = f"{found[1]} {_UNIT_WORDS[found[2]]}" if found else horizon
    header: tuple[str, ...] = (
        "account", "name", "p alive", "expected purchases", "spend per purchase", "clv", "reason"
    )  # fmt: skip
    shown_rows: list[tuple[object, ...]] = list(rows)
    if settings.format == "table":  # the reason, a paragraph, in CSV and JSON only
        header, shown_rows = header[:-1], [row[:-1] for row in rows]
    title = (
        f"{_MODEL_NAMES[model]} forecast as of {settings.as_of} for the next {span}: "
        f"{len(rows):,} of {len(result.accounts):,} accounts by CLV "
        f"({result.without_purchases:,} without purchases)"
    )
    print_rows(settings, shown_rows, header, title)

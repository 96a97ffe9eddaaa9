"""Plots for notebooks and reports (extra ``frames``: matplotlib).

Each function draws on a matplotlib ``Axes`` (a new figure when none is given) and
returns the axes, so a notebook can combine and restyle them.

- [`pareto_curve`][accountcare.adapters.plots.pareto_curve]: the Lorenz/Pareto curve of
  value with the tier cut-offs marked;
- [`visit_heatmap`][accountcare.adapters.plots.visit_heatmap]: a rep x week heat map of
  planned visits against capacity;
- [`care_touches`][accountcare.adapters.plots.care_touches]: care touches per week, stacked by kind.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from accountcare._imports import require
from accountcare.domain.care import CareKind, CareSchedule
from accountcare.domain.visits import VisitPlan

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["care_touches", "pareto_curve", "save", "visit_heatmap"]


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    pyplot = require("matplotlib.pyplot", "frames")
    new: Axes = pyplot.subplots(figsize=size, layout="constrained")[1]
    return new


def pareto_curve(
    values: Mapping[str, float],
    cutoffs: Sequence[float] = (0.80, 0.95),
    *,
    labels: Sequence[str] = ("A", "B", "C"),
    ax: Axes | None = None,
) -> Axes:
    """Cumulative share of value against the share of accounts, best first.

    ``cutoffs`` are the cumulative value shares where a tier ends (ABC's 80% and 95%);
    each is drawn as a horizontal line with the share of accounts it took.
    """
    positive = sorted((max(float(v), 0.0) for v in values.values()), reverse=True)
    total = sum(positive)
    ax = _axes(ax, (6.0, 4.5))
    if not positive or total == 0:
        ax.set_title("Pareto curve (no value to show)")
        return ax
    xs = [n / len(positive) for n in range(len(positive) + 1)]
    ys = [running / total for running in itertools.accumulate(positive, initial=0.0)]
    ax.plot(xs, ys, color="#1f4e79", linewidth=2, label="cumulative share of value")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="equal shares")
    for step, (cutoff, label) in enumerate(zip(cutoffs, labels, strict=False)):
        reached = next((x for x, y in zip(xs, ys, strict=True) if y >= cutoff), 1.0)
        ax.axhline(cutoff, color="#c00000", linestyle="--", linewidth=1)
        ax.vlines(reached, 0, cutoff, color="#c00000", linestyle=":", linewidth=1)
        ax.annotate(
            f"{label} ends at {cutoff:.0%} of value\n({reached:.1%} of accounts)",
            xy=(reached, cutoff),
            xytext=(min(reached + 0.05, 0.62), cutoff - 0.12 - 0.13 * step),
            arrowprops={"arrowstyle": "->", "color": "#c00000"},
            fontsize=8,
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )
    ax.set_xlabel("share of accounts (largest first)")
    ax.set_ylabel("cumulative share of value")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Pareto curve of {len(positive):,} accounts")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def _week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def visit_heatmap(plan: VisitPlan, *, ax: Axes | None = None) -> Axes:
    """Planned visits as a share of capacity, per rep (rows) and week (columns).

    Uses the plan's weekly [`Utilisation`][accountcare.domain.visits.Utilisation]; each cell is
    annotated with ``planned/capacity``; a week without capacity (holidays, leave) is
    grey and marked "off".
    """
    weekly = [u for u in plan.utilisation if u.period == "week"]
    reps = sorted({u.rep_id for u in weekly})
    weeks = sorted({u.starts_on for u in weekly})
    ax = _axes(ax, (max(6.0, 0.9 * len(weeks) + 2.5), max(3.0, 0.45 * len(reps) + 1.8)))
    if not reps or not weeks:
        ax.set_title("Visit plan (no utilisation to show)")
        return ax
    colormaps = require("matplotlib", "frames").colormaps
    cmap = colormaps["YlOrRd"].with_extremes(bad="#d9d9d9")
    cell = {(u.rep_id, u.starts_on): u for u in weekly}
    nan = float("nan")
    grid = [
        [cell[(r, w)].ratio if (r, w) in cell and cell[(r, w)].capacity else nan for w in weeks]
        for r in reps
    ]
    image = ax.imshow(grid, aspect="auto", cmap=cmap, vmin=0.0, vmax=1.0)
    if len(reps) * len(weeks) <= 400:  # beyond that the numbers would not be legible
        for (rep, week), u in cell.items():
            text = f"{u.planned}/{u.capacity}" if u.capacity else "off"
            colour = "white" if u.capacity and u.ratio > 0.6 else "black"
            ax.text(weeks.index(week), reps.index(rep), text, ha="center", va="center",
                    fontsize=8, color=colour)  # fmt: skip
    _weeks_axis(ax, weeks, "%d %b", 1, 8)
    ax.set_yticks(range(len(reps)), reps, fontsize=8)
    ax.set_ylabel("rep")
    _title(ax, "Planned visits against capacity", plan.start, plan.end)
    ax.figure.colorbar(image, ax=ax, label="share of capacity used")
    return ax


def _weeks_axis(ax: Axes, weeks: list[date], label: str, step: int, size: int) -> None:
    """Every ``step``-th week labelled on the x axis, one position per week."""
    labels = [w.strftime(label) for w in weeks[::step]]
    ax.set_xticks(range(0, len(weeks), step), labels, rotation=45, ha="right", fontsize=size)
    ax.set_xlabel("week starting (Monday)")


def _title(ax: Axes, what: str, start: date, end: date) -> None:
    """``what``, and the window ``[start, end)`` as its first and last day."""
    last = end - timedelta(days=1)
    ax.set_title(f"{what}, {start:%d %b %Y} to {last:%d %b %Y}", fontsize=10)


def care_touches(schedule: CareSchedule, *, ax: Axes | None = None) -> Axes:
    """Care touches per week, stacked by kind, with dropped touches as a line."""
    ax = _axes(ax, (9.5, 4.2))
    counts: Counter[tuple[date, CareKind]] = Counter(
        (_week_of(task.on), task.kind) for task in schedule.tasks
    )
    dropped: Counter[date] = Counter(_week_of(d.task.on) for d in schedule.dropped)
    weeks = sorted({w for w, _ in counts} | set(dropped))
    if not weeks:
        ax.set_title("Care schedule (no touches to show)")
        return ax
    kinds = [k for k in CareKind if any(kind is k for _, kind in counts)]
    bottom = [0] * len(weeks)
    positions = list(range(len(weeks)))
    for kind in kinds:
        heights = [counts.get((w, kind), 0) for w in weeks]
        ax.bar(positions, heights, bottom=bottom, label=kind.value.replace("_", " "), width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.plot(
        positions,
        [dropped.get(w, 0) for w in weeks],
        color="black",
        marker=".",
        linewidth=1,
        label="dropped (with reason)",
    )
    _weeks_axis(ax, weeks, "%d %b %y", max(1, len(weeks) // 13), 7)
    ax.set_ylabel("touches")
    ax.set_xlim(-0.6, len(weeks) - 0.4)
    _title(ax, "Care touches per week by kind", schedule.start, schedule.end)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def save(ax: Any, path: str | os.PathLike[str]) -> None:
    """Save the figure holding ``ax`` as a PNG (for docs and reports)."""
    ax.figure.savefig(path, dpi=120, bbox_inches="tight")

"""CSV imports of reps (the account team): ``id, name`` (needed), ``email, phone, title,
locale`` (optional), and the name in other languages in ``name:<locale>`` columns
(``name:zh``, ``name:ko``, ``name:zh-Hant``).

Every bad value of every row is reported with its line and column, under the
all-or-nothing rule of `report`.
"""

from __future__ import annotations

from accountcare.adapters.importers.drafts import ImportOptions
from accountcare.adapters.importers.report import ImportReport, Problem, finish
from accountcare.adapters.importers.table import RowCheck, Table, cell, column_positions, id_cell
from accountcare.adapters.importers.text import Source, decode, read_bytes
from accountcare.domain.team import Rep
from accountcare.errors import InvalidRecord

__all__ = ["read_reps_csv"]

_FIELDS = ("id", "name", "email", "phone", "title", "locale")


def read_reps_csv(source: Source, *, options: ImportOptions) -> ImportReport:
    """Reps from a CSV file, with their names in other languages.

    >>> from datetime import date
    >>> data = "id,name,email,name:zh\\nrep-li,Li Na,li@globex.cn,李娜\\n".encode()
    >>> (li,) = read_reps_csv(data, options=ImportOptions(as_of=date(2026, 11, 2))).reps
    >>> li.name_for("zh-Hans"), li.email, li.locale
    ('李娜', 'li@globex.cn', 'en')
    """
    table = Table(decode(read_bytes(source), options.encoding))
    at = column_positions(table, {f: f for f in _FIELDS}, None, ("id", "name"))
    localised = [
        (position, name, name.partition(":")[2].strip())
        for position, name in enumerate(table.header)
        if name.casefold().startswith("name:")
    ]
    reps: list[Rep] = []
    problems: list[Problem] = []
    origins: dict[str, tuple[str, int]] = {}
    provided: dict[str, frozenset[str]] = {}
    rows = 0
    for line, row, _ in table.rows():
        rows += 1
        check = RowCheck(table, at, line)
        found = check.problems
        values = {f: id_cell(row, at[f]) if f == "id" else cell(row, at[f]) for f in _FIELDS}
        for needed in ("id", "name"):
            if not values[needed]:
                check.fail(needed, "is missing")
        if values["id"] in origins:
            repeated = f"repeats the rep id of line {origins[values['id']][1]}"
            found.append(Problem("line", line, "id", repeated, values["id"]))
        names: dict[str, str] = {}
        for position, column, locale in localised:
            if not locale:
                check.fail(column, "names no locale after 'name:'")
            elif value := cell(row, position):
                names[locale] = value
        if not found:
            try:
                rep = Rep(**{f: v for f, v in values.items() if v or f in ("id", "name")},
                          names=names)  # fmt: skip
            except InvalidRecord as exc:
                check.fail(exc.field, exc.problem)
            else:
                reps.append(rep)
                origins[rep.id] = ("line", line)
                given = {f for f, v in values.items() if v} | ({"names"} if names else set())
                provided[rep.id] = frozenset(given)
        problems.extend(found)
    report = ImportReport(
        reps=tuple(reps), problems=tuple(problems), rows=rows, origins=origins, provided=provided
    )
    return finish(report, keep_good=options.keep_good, source=options.source)

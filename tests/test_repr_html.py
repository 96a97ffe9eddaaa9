"""Results show as readable HTML tables in Jupyter (``_repr_html_``), escaped and truncated."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from accountcare.domain import _html
from accountcare.domain._html import DEFAULT_ROWS, cell_text, html_table
from accountcare.domain.care import CareKind, CareSchedule, CareTask, DroppedTask, DropReason
from accountcare.domain.contacts import Channel
from accountcare.domain.health import COMPONENTS, HealthComponents, HealthScore, HealthWeights
from accountcare.domain.visits import (
    UnplacedReason,
    UnplacedVisit,
    Visit,
    VisitPlan,
    VisitPurpose,
)
from accountcare.domain.warnings import Alert, AlertRule
from accountcare.policies.tiers.abc import AbcPolicy

RIGHT = "text-align: right"


class _Tables(HTMLParser):
    """Captions and rows (lists of unescaped cell texts) of every table in a fragment."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.captions: list[str] = []
        self.headers: list[list[str]] = []
        self.rows: list[list[list[str]]] = []
        self.styles: list[list[list[str | None]]] = []  # each cell's style, row by row
        self._text: list[str] | None = None
        self._row: list[str] = []
        self._styles: list[str | None] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.headers.append([])
            self.rows.append([])
            self.styles.append([])
        elif tag == "tr":
            self._row, self._styles = [], []
        elif tag in ("td", "th", "caption"):
            self._text = []
            if tag == "td":
                self._styles.append(dict(attrs).get("style"))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "caption") and self._text is not None:
            text = "".join(self._text)
            if tag == "caption":
                self.captions.append(text)
            elif tag == "th":
                self.headers[-1].append(text)
            else:
                self._row.append(text)
            self._text = None
        elif tag == "tr" and self._row:
            self.rows[-1].append(self._row)
            self.styles[-1].append(self._styles)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def test_html_table_escapes_cells_headers_and_caption() -> None:
    markup = html_table(
        ("<name>", "a & b"),
        [("<script>alert('x')</script>", 'say "hi" & bye')],
        caption="<b>bold</b>",
    )
    assert "<script>" not in markup
    assert "<b>" not in markup
    assert "&lt;script&gt;" in markup
    tables = _Tables(markup)
    assert tables.captions == ["<b>bold</b>"]
    assert tables.headers == [["<name>", "a & b"]]
    assert tables.rows == [[["<script>alert('x')</script>", 'say "hi" & bye']]]


def test_html_table_shows_at_most_limit_rows_and_says_how_many_more() -> None:
    rows = [(n, f"acct-{n}") for n in range(25)]
    tables = _Tables(html_table(("n", "account"), rows, limit=20))
    shown = tables.rows[0]
    assert [r[1] for r in shown[:20]] == [f"acct-{n}" for n in range(20)]
    assert shown[20] == ["... and 5 more"]
    assert len(shown) == 21
    assert tables.captions == ["25 rows"]


def test_html_table_has_no_more_line_when_everything_fits() -> None:
    rows = [(n,) for n in range(DEFAULT_ROWS)]
    markup = html_table(("n",), rows)
    assert "more" not in markup
    assert len(_Tables(markup).rows[0]) == DEFAULT_ROWS


def test_html_table_with_total_does_not_consume_rows_past_the_limit() -> None:
    def rows() -> Iterator[tuple[int]]:
        for n in range(3):
            yield (n,)
        raise AssertionError("read past the rows shown")

    tables = _Tables(html_table(("n",), rows(), limit=3, total=1000))
    assert tables.rows[0][-1] == ["... and 997 more"]


def test_html_table_writes_cells_for_people() -> None:
    row = (None, True, Decimal("1234.50"), date(2027, 1, 4), Channel.EMAIL, CareKind.HOLIDAY_GIFT)
    cells = _Tables(html_table(tuple("abcdef"), [row])).rows[0][0]
    assert cells == ["", "yes", "1,234.50", "2027-01-04", "email", "holiday gift"]


def test_tiering_shows_the_ranking_best_first_with_counts() -> None:
    values = {f"acct-{n:02d}": 1000 - n * 10 for n in range(30)}
    tiering = AbcPolicy().assign(values)
    tables = _Tables(tiering._repr_html_())
    rows = tables.rows[0]
    assert len(rows) == DEFAULT_ROWS + 1
    assert rows[-1] == ["... and 10 more"]
    assert rows[0][:3] == ["1", "acct-00", tiering["acct-00"].tier]
    assert [r[1] for r in rows[:DEFAULT_ROWS]] == list(tiering)[:DEFAULT_ROWS]
    counts = tiering.counts()
    assert all(f"{tier} {n}" in tables.captions[0] for tier, n in counts.items())


def _plan() -> VisitPlan:
    visit = Visit(
        "acme",
        "rep-li",
        date(2027, 1, 4),
        VisitPurpose.ROUTINE,
        reason="tier A <every 14 days>",
        tier="A",
    )
    left_out = UnplacedVisit(
        "globex", "rep-li", VisitPurpose.ROUTINE, date(2027, 1, 5), UnplacedReason.CAPACITY
    )
    return VisitPlan(date(2027, 1, 4), date(2027, 1, 11), (visit,), (left_out,))


def test_visit_plan_shows_visits_and_those_left_out() -> None:
    tables = _Tables(_plan()._repr_html_())
    assert len(tables.rows) == 2
    assert tables.rows[0] == [
        ["2027-01-04", "rep-li", "acme", "A", "routine", "no", "tier A <every 14 days>"]
    ]
    assert tables.rows[1][0][:3] == ["2027-01-05", "rep-li", "globex"]
    assert tables.rows[1][0][5] == "capacity"
    assert "2027-01-04 to 2027-01-10" in tables.captions[0]
    assert "coverage 50.0%" in tables.captions[0]


def test_care_schedule_shows_tasks_and_drops() -> None:
    task = CareTask(
        "c-1",
        "acme",
        date(2027, 2, 6),
        time(9),
        "Asia/Shanghai",
        Channel.MESSENGER,
        CareKind.HOLIDAY_GREETING,
        "holiday.lunar_new_year",
        reason="Spring Festival",
    )
    drop = DroppedTask(task, DropReason.FREQUENCY_CEILING, "2 touches in 7 days & more")
    schedule = CareSchedule(date(2027, 2, 1), date(2027, 3, 1), (task,), (drop,))
    tables = _Tables(schedule._repr_html_())
    assert tables.rows[0][0][:7] == [
        "2027-02-06",
        "09:00:00",
        "Asia/Shanghai",
        "c-1",
        "acme",
        "holiday greeting",
        "messenger",
    ]
    assert tables.rows[1][0][3:] == ["frequency ceiling", "2 touches in 7 days & more"]
    assert "1 tasks, 1 dropped" in tables.captions[0]


def test_health_score_shows_each_component_with_weight_and_reason() -> None:
    components = HealthComponents(1.0, 0.5, 1.0, 0.8, 0.6, 1.0)
    reasons = tuple(f"{name} <why>" for name in COMPONENTS)
    score = HealthScore("acme", 82.5, components, HealthWeights(), reasons)
    tables = _Tables(score._repr_html_())
    assert [row[0] for row in tables.rows[0]] == list(COMPONENTS)
    assert tables.rows[0][1] == ["recency", "0.5", "25.0%", "recency <why>"]
    assert tables.styles[0][1] == [None, RIGHT, RIGHT, None]
    assert tables.captions == ["Health of acme: 82.5 / 100"]


def test_alert_shows_its_figures_under_the_message() -> None:
    alert = Alert(
        "acme",
        AlertRule.DECLINING_TOP_ACCOUNT,
        {"previous": Decimal("12000.00"), "current": Decimal("4000.00")},
        "revenue fell by 67%",
    )
    tables = _Tables(alert._repr_html_())
    assert tables.rows[0] == [["previous", "12,000.00"], ["current", "4,000.00"]]
    assert tables.captions == ["acme: declining top account. revenue fell by 67%"]


@pytest.mark.parametrize("limit", [0, 1, 7])
def test_html_table_row_count_follows_the_limit(limit: int) -> None:
    rows = [(n,) for n in range(10)]
    shown = _Tables(html_table(("n",), rows, limit=limit)).rows[0]
    assert shown[:limit] == [[str(n)] for n in range(limit)]
    assert shown[limit:] == [[f"... and {10 - limit} more"]]


def test_instants_are_shown_in_iso_form() -> None:
    moment = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
    assert _Tables(html_table(("at",), [(moment,)])).rows[0] == [["2027-01-04T09:30:00+00:00"]]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (0.25, "0.25"),
        (0.123456, "0.1235"),
        (1.0, "1"),
        (9999.5, "9,999.5"),
        (528078.07, "528,078.07"),
        (-3.5, "-3.5"),
        (1e-7, "1e-07"),
    ],
)
def test_floats_are_shown_short_with_thousands_separators(value: float, text: str) -> None:
    assert cell_text(value) == text


def test_docstring_example_runs() -> None:
    failures, tried = doctest.testmod(_html)
    assert tried
    assert not failures


def test_numbers_are_right_aligned_and_everything_else_is_not() -> None:
    row = ("acme", 3, 1234.5, Decimal("19.90"), True, None, date(2027, 1, 4))
    tables = _Tables(html_table(tuple("abcdefg"), [row]))
    assert tables.styles[0][0] == [None, RIGHT, RIGHT, RIGHT, None, None, None]


def test_shares_read_as_percentages_in_the_columns_named() -> None:
    rows = [("acme", 0.125, 0.125), ("globex", 1, 0.0), ("initech", None, 0.3333)]
    tables = _Tables(html_table(("account", "share", "score"), rows, shares={"share"}))
    assert tables.rows[0] == [
        ["acme", "12.5%", "0.125"],
        ["globex", "100.0%", "0"],
        ["initech", "", "0.3333"],
    ]
    assert tables.styles[0][2] == [None, None, RIGHT]


def test_tiering_shows_shares_before_as_percentages_right_aligned() -> None:
    tiering = AbcPolicy().assign({"acme": 500, "globex": 300, "initech": 200})
    tables = _Tables(tiering._repr_html_())
    assert [row[4] for row in tables.rows[0]] == ["0.0%", "50.0%", "80.0%"]
    assert [row[3] for row in tables.rows[0]] == ["500", "300", "200"]
    assert tables.styles[0][0][:5] == [RIGHT, None, None, RIGHT, RIGHT]
    assert tables.styles[0][0][5] is None  # the rule, in words


def test_a_script_in_an_account_id_or_reason_is_shown_as_text() -> None:
    hostile = "<script>alert('x')</script>"
    tiering = AbcPolicy().assign({hostile: 800, "a&b": 100})
    markup = tiering._repr_html_()
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert [row[1] for row in _Tables(markup).rows[0]] == [hostile, "a&b"]
    visit = Visit("acme", "rep-li", date(2027, 1, 4), VisitPurpose.ROUTINE, reason=hostile)
    plan = VisitPlan(date(2027, 1, 4), date(2027, 1, 11), (visit,))
    markup = plan._repr_html_()
    assert "<script>" not in markup
    assert _Tables(markup).rows[0][0][-1] == hostile


def test_alert_figures_are_right_aligned() -> None:
    alert = Alert(
        "acme",
        AlertRule.DECLINING_TOP_ACCOUNT,
        {"previous": Decimal("12000.00"), "current": Decimal("4000.00")},
        "revenue fell by 67%",
    )
    assert _Tables(alert._repr_html_()).styles[0] == [[None, RIGHT], [None, RIGHT]]

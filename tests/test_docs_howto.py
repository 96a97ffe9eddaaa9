"""The how-to guides' code runs as written: each guide's ``python`` blocks, in order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from accountcare.testing import check_monotone

DOCS = Path(__file__).resolve().parents[1] / "docs" / "howto"


def python_blocks(page: str) -> list[str]:
    """The fenced ``python`` code blocks of a docs page, in order."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def run(blocks: list[str], page: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": f"howto_{page}"}
    exec(compile("\n\n".join(blocks), str(DOCS / page), "exec"), namespace)
    return namespace


@pytest.mark.slow
def test_own_tier_policy_guide_runs_and_its_tests_pass(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks("own-tier-policy.md")
    assert len(blocks) >= 5
    namespace = run(blocks, "own-tier-policy.md")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("policy 'first-n' splits a tie: with values")
    assert printed[1] == "{'acme': 'key', 'globex': 'key', 'hooli': 'ordinary', 'initech': 'key'}"
    tests = {name: f for name, f in namespace.items() if name.startswith("test_")}
    assert set(tests) == {
        "test_top_accounts_obeys_the_tier_laws",
        "test_only_a_tie_at_the_boundary_adds_key_accounts",
    }
    for check in tests.values():
        check()


def test_own_tier_policy_guide_catches_a_broken_policy() -> None:
    """The guide's checks are not vacuous: a policy that inverts the order fails them."""
    namespace = run(python_blocks("own-tier-policy.md")[:2], "own-tier-policy.md")
    top_accounts = namespace["TopAccounts"]
    law_violation = namespace["LawViolation"]

    class Upside(top_accounts):  # type: ignore[misc, valid-type]
        def assign(self, values: dict[str, Any]) -> Any:
            return super().assign({k: -v for k, v in values.items()})

    with pytest.raises(law_violation, match="is not monotone"):
        check_monotone(Upside(n=2), max_examples=50)


def test_smtp_guide_sends_every_greeting_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify_servers import smtp_server

    blocks = python_blocks("smtp-greetings.md")
    worker = [b for b in blocks if "threading.Event" in b]
    assert len(worker) == 1  # the long-running loop is shown, not run here
    monkeypatch.chdir(tmp_path)
    with smtp_server() as (port, recorder):
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        namespace = run([b for b in blocks if b not in worker], "smtp-greetings.md")
    emails, report = namespace["emails"], namespace["report"]
    assert emails
    assert namespace["again"].enqueued == ()
    assert sorted(report.sent) == sorted(task.key for task in emails)
    assert report.retried == report.dead == ()
    assert sorted(recorder.keys()) == sorted(report.sent)
    kinds = {task.kind.value for task in emails}
    assert kinds <= {"birthday", "holiday_greeting"}
    subjects = {str(m["Subject"]) for m in recorder.messages}
    assert any(not s.isascii() for s in subjects)  # CJK greetings arrive intact
    assert (tmp_path / "care.sqlite3").exists()


def test_notebook_guide_plans_the_month(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = run(python_blocks("notebook-visits.md"), "notebook-visits.md")
    plan, calendars = namespace["plan"], namespace["calendars"]
    assert len(plan.visits) == len(namespace["visits"]) > 0
    assert {c.rep_id for c in calendars} == {v.rep_id for v in plan.visits}
    on_leave = [v for v in plan.visits if v.rep_id == "rep-06" and v.on in calendars[5].leave]
    assert on_leave == []
    assert len(namespace["left_out"]) == len(plan.unplaced)
    assert namespace["ax"].get_title().startswith("Planned visits against capacity")

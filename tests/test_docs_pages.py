"""The tutorial, the embedding guide and the explanation pages run as written: every
Python block of a page, in order, in one namespace, as a reader would paste them, in a
temporary working directory (the files a page writes land there)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
PAGES = ["tutorial.md", "howto/embed.md"]
EXPLANATION_PAGES = [
    "tiers.md",
    "storage.md",
    "notifications.md",
    "importing.md",
    "visits.md",
    "relationships.md",
    "early-warning.md",
    "care.md",
    "calendar-export.md",
    "models.md",
]


def _python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text("utf-8"), flags=re.S)


def _run_page(page: str) -> tuple[dict[str, object], str]:
    """Every block of ``page`` in one namespace: the namespace and what was printed."""
    namespace: dict[str, object] = {"__name__": f"docs.{page}"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in _python_blocks(page):
            exec(compile(block, str(DOCS / page), "exec"), namespace)
    return namespace, printed.getvalue()


@pytest.mark.parametrize("page", PAGES + EXPLANATION_PAGES)
def test_every_python_block_runs(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(_python_blocks(page)) >= 3
    monkeypatch.chdir(tmp_path)
    _, printed = _run_page(page)
    assert printed.strip(), "the page's examples print what they show"


def test_the_tutorial_shows_tiers_plans_care_and_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace, _ = _run_page("tutorial.md")
    abc, plan, care = namespace["abc"], namespace["plan"], namespace["care"]
    assert sorted(abc.counts()) == ["A", "B", "C"]  # type: ignore[attr-defined]
    assert plan.visits  # type: ignore[attr-defined]
    assert care.tasks  # type: ignore[attr-defined]


def test_the_embedding_guide_sends_through_its_own_notifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace, _ = _run_page("howto/embed.md")
    inbox, report = namespace["inbox"], namespace["report"]
    sent = set(report.sent)  # type: ignore[attr-defined]
    assert sent
    assert sent <= set(inbox.inbox)  # type: ignore[attr-defined]

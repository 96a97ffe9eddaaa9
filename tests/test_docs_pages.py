"""The tutorial and the embedding guide run as written: every Python block of a page,
in order, in one namespace, as a reader would paste them."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parent.parent / "docs"
PAGES = ["tutorial.md", "howto/embed.md"]


def _python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text("utf-8"), flags=re.S)


@pytest.mark.parametrize("page", PAGES)
def test_every_python_block_runs(page: str) -> None:
    blocks = _python_blocks(page)
    assert len(blocks) >= 3
    namespace: dict[str, object] = {"__name__": f"docs.{page}"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, str(DOCS / page), "exec"), namespace)
    assert printed.getvalue().strip(), "the page's examples print what they show"


def test_the_tutorial_shows_tiers_plans_care_and_review() -> None:
    namespace: dict[str, object] = {"__name__": "docs.tutorial"}
    with contextlib.redirect_stdout(io.StringIO()):
        for block in _python_blocks("tutorial.md"):
            exec(compile(block, "tutorial.md", "exec"), namespace)
    abc, plan, care = namespace["abc"], namespace["plan"], namespace["care"]
    assert sorted(abc.counts()) == ["A", "B", "C"]  # type: ignore[attr-defined]
    assert plan.visits  # type: ignore[attr-defined]
    assert care.tasks  # type: ignore[attr-defined]


def test_the_embedding_guide_sends_through_its_own_notifier() -> None:
    namespace: dict[str, object] = {"__name__": "docs.embed"}
    with contextlib.redirect_stdout(io.StringIO()):
        for block in _python_blocks("howto/embed.md"):
            exec(compile(block, "embed.md", "exec"), namespace)
    inbox, report = namespace["inbox"], namespace["report"]
    sent = set(report.sent)  # type: ignore[attr-defined]
    assert sent
    assert sent <= set(inbox.inbox)  # type: ignore[attr-defined]

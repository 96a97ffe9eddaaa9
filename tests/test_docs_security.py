"""docs/security.md names, for each guarantee, the tests that pin it: every one exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"`((?:tests|src)/[\w/]+\.py)::(?:\w+::)?(\w+)`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def test_every_guarantee_names_a_test_that_exists() -> None:
    text = PAGE.read_text(encoding="utf-8")
    references = REFERENCE.findall(text)
    assert len(references) >= 40, "the page names the tests that pin its guarantees"
    missing = [
        f"{file}::{name}"
        for file, name in references
        if not (ROOT / file).exists() or name not in _test_names(ROOT / file)
    ]
    assert missing == []


def test_every_guarantee_is_pinned() -> None:
    """Each paragraph that states a guarantee (opens with a bold sentence) names a test."""
    text = PAGE.read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.startswith("**")]
    unpinned = [p.split("**")[1] for p in paragraphs if not REFERENCE.search(p)]
    assert unpinned == []

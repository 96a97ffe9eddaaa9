"""MkDocs hook: show doctest examples in docstrings as Python console code.

Docstrings carry runnable examples as bare doctest blocks (``>>> ...`` lines and their
output). Markdown would read ``>>>`` as three nested block quotes and ``['A', 'B']`` as a
link, so this hook adds a small Markdown preprocessor that fences every doctest block
outside existing code fences as ``pycon``. It runs for the pages and for the docstrings
mkdocstrings renders (which reuse the site's Markdown extensions).
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from mkdocs.plugins import event_priority

_FENCE = re.compile(r"^\s*(```|~~~)")
_PROMPT = re.compile(r"^(\s*)>>>( |$)")


class _DoctestFences(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        fence: str | None = None
        i = 0
        while i < len(lines):
            line = lines[i]
            marker = _FENCE.match(line)
            if marker and (fence is None or marker.group(1) == fence):
                fence = marker.group(1) if fence is None else None
                out.append(line)
                i += 1
                continue
            prompt = _PROMPT.match(line) if fence is None else None
            if prompt is None:
                out.append(line)
                i += 1
                continue
            indent = prompt.group(1)
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out.extend([f"{indent}```pycon", *block, f"{indent}```", ""])
        return out


class _DoctestExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # Before the fenced-code preprocessors (priority 25 and 30) so they see our fences.
        md.preprocessors.register(_DoctestFences(md), "doctest_fences", 40)


@event_priority(100)  # before mkdocstrings reads the Markdown extensions
def on_config(config: Any) -> Any:
    config.markdown_extensions.append(_DoctestExtension())
    return config

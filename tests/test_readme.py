"""The README's promises: its Python tour runs, its commands exist, and CI runs the
README's test command exactly."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_python_tour_runs_and_prints_what_it_says() -> None:
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in _blocks("python"):
            exec(compile(block, "README.md", "exec"), namespace)
    lines = printed.getvalue().splitlines()
    assert lines[0] == "{'acme': 'A', 'globex': 'B', 'initech': 'C', 'hooli': 'C'}"
    assert len(lines) >= 6


def test_ci_runs_the_readme_test_command_exactly() -> None:
    setup = _blocks("bash")[0]
    test_command = next(
        line
        for line in setup.splitlines()
        if line and not line.startswith("#") and "pytest" in line
    )
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_every_command_in_the_tour_exists() -> None:
    from accountcare.cli._commands import cli

    tours = _blocks("bash")[1:]
    assert len(tours) >= 2  # the demo's tour, and a real book's
    for line in "".join(tours).splitlines():
        words = shlex.split(line, comments=True)
        assert words[0] == "accountcare"
        options = iter(words[1:])
        for word in options:
            if word in ("--db", "--format", "--as-of"):
                next(options)
            elif not word.startswith("-"):
                assert word in cli.commands, line
                break

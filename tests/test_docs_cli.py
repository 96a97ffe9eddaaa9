"""docs/cli.md names every command, subcommand and long option the command line has."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from accountcare.cli._commands import cli

PAGE = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")


def _commands(group: click.Group, path: str = "accountcare") -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{path} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{path} {name}")


def test_every_command_and_option_is_documented() -> None:
    missing = []
    for path, command in [("accountcare", cli), *_commands(cli)]:
        words = path.split()[1:]
        if words and f"`{words[-1]}" not in PAGE and f" {words[-1]} " not in PAGE:
            missing.append(path)
        for parameter in command.params:
            long = [o for o in parameter.opts if o.startswith("--")]
            if isinstance(parameter, click.Option) and long and long[0] not in PAGE:
                missing.append(f"{path} {long[0]}")
    assert not missing, missing

"""The real-book walkthrough runs as written: every ``$`` command of docs/real-book.md, in
order, as a subprocess in a folder holding the files of tests/fixtures/real, prints what
the page shows (a line ``…`` stands for lines the page leaves out), and the file excerpts
are lines of those files. The mail relay the page names is an SMTP server on loopback,
and the emails the page shows are what it received.

After a change of what the commands print, rewrite the page's output with
``ACCOUNTCARE_WRITE_DOCS=1 pytest tests/test_docs_real_book.py`` (a ``<!-- trim: H/T, ...
-->`` line before a block keeps the first H and last T lines of each command's output,
``-`` all of them), then read the prose around it again."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from notify_servers import smtp_server
from real_book_helpers import FIXTURES, fresh_folder

pytestmark = pytest.mark.slow

PAGE = Path(__file__).parent.parent / "docs" / "real-book.md"
SESSION = re.compile(r"^(?:<!-- trim: ([^>]*) -->\n)?```console\n(.*?)^```", re.S | re.M)
EXCERPT = re.compile(r"^(?<!-->\n)```text\n(.*?)^```", re.S | re.M)
RECEIVED = re.compile(r"^<!-- received: (\S+) -->\n```text\n(.*?)^```", re.S | re.M)
ELIDED = "…"
WIDTH = "120"  # the terminal the output was taken from
WRITE = os.environ.get("ACCOUNTCARE_WRITE_DOCS") == "1"


def _steps(text: str) -> list[tuple[str, list[str]]]:
    """Each command of the page with the lines shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for session in SESSION.finditer(text):
        for line in session.group(2).splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                steps[-1][1].append(line.rstrip())
    return steps


def shown_email(message: EmailMessage) -> str:
    """An email as the page shows it: its sender, recipient and subject, and its text."""
    body = message.get_body(("plain",))
    assert body is not None
    text = str(body.get_content()).replace("\r\n", "\n").strip()
    heads = [f"{name}: {message[name]}" for name in ("From", "To", "Subject")]
    return "\n".join(heads) + "\n\n" + text + "\n"


def _missing(shown: list[str], printed: list[str]) -> list[str]:
    """The lines of ``shown`` that are not, in that order, lines of ``printed``."""
    rest = iter(printed)
    return [line for line in shown if line != ELIDED and line not in rest]


def _trimmed(lines: list[str], spec: str) -> list[str]:
    """``lines`` cut as ``spec`` (``H/T`` or ``-``) says."""
    if spec == "-":
        return lines
    head, tail = (int(n) for n in spec.split("/"))
    if len(lines) <= head + tail + 1:
        return lines
    return [*lines[:head], ELIDED, *lines[len(lines) - tail :]] if tail else [*lines[:head], ELIDED]


def _rewritten(text: str, printed: list[list[str]], mails: list[EmailMessage]) -> str:
    """The page with each command's output (``printed``, in order) and each received
    email as they are now."""
    outputs = iter(printed)

    def session(found: re.Match[str]) -> str:
        specs = [s.strip() for s in (found.group(1) or "").split(",") if s.strip()]
        lines, n = [], 0
        for line in found.group(2).splitlines():
            if line.startswith("$ "):
                lines.append(line)
                if not line[2:].startswith("export "):
                    lines += _trimmed(next(outputs), specs[n] if n < len(specs) else "-")
                    n += 1
        trim = f"<!-- trim: {found.group(1)} -->\n" if found.group(1) else ""
        return trim + "```console\n" + "".join(f"{line}\n" for line in lines) + "```"

    def received(found: re.Match[str]) -> str:
        shown = [shown_email(m) for m in mails if found.group(1) in str(m["To"])]
        return f"<!-- received: {found.group(1)} -->\n```text\n{shown[0]}```"

    return RECEIVED.sub(received, SESSION.sub(session, text))


def test_the_excerpts_are_lines_of_the_fixture_files() -> None:
    lines = {
        line
        for fixture in FIXTURES.iterdir()
        for line in fixture.read_text(encoding="utf-8-sig").splitlines()
    }
    excerpts = EXCERPT.findall(PAGE.read_text(encoding="utf-8"))
    assert len(excerpts) >= 5
    wrong = [line for block in excerpts for line in block.splitlines() if line not in lines]
    assert not wrong, wrong


def test_every_command_runs_and_prints_what_the_page_shows(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    steps = _steps(text)
    assert len(steps) >= 20
    folder = fresh_folder(tmp_path).parent
    environment = {**os.environ, "COLUMNS": WIDTH}
    for name in [n for n in environment if n.startswith("ACCOUNTCARE_")]:
        del environment[name]
    wrong: list[str] = []
    outputs: list[list[str]] = []
    with smtp_server() as (port, recorder):
        relay = {"ACCOUNTCARE_SMTP_HOST": "127.0.0.1", "ACCOUNTCARE_SMTP_PORT": str(port)}
        for command, shown in steps:
            words = shlex.split(command)
            if words[0] == "export":
                pairs = dict(word.split("=", 1) for word in words[1:])
                environment.update({k: relay.get(k, v) for k, v in pairs.items()})
                continue
            assert words[0] == "accountcare", command
            done = subprocess.run(
                [sys.executable, "-m", "accountcare", *words[1:]],
                cwd=folder,
                env=environment,
                capture_output=True,
                text=True,
                timeout=120,
            )
            printed = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
            outputs.append(printed)
            if done.returncode != 0:
                wrong.append(f"$ {command}\nexit {done.returncode}: {done.stderr}")
            elif (missing := _missing(shown, printed)) and not WRITE:
                wrong.append(
                    f"$ {command}\nnot printed: {missing}\nprinted:\n" + "\n".join(printed)
                )
    assert not wrong, "\n\n".join(wrong)
    if WRITE:
        text = _rewritten(text, outputs, recorder.messages)
        PAGE.write_text(text, encoding="utf-8")
        steps = _steps(text)
    sent = [line for command, shown in steps if "--send" in command for line in shown]
    assert any(re.search(rf"│ sent +│ {len(recorder.messages)} ", line) for line in sent)
    assert recorder.messages, "the page's greetings reached the relay"
    received = RECEIVED.findall(text)
    assert received
    for address, shown_text in received:
        mails = [shown_email(m) for m in recorder.messages if address in str(m["To"])]
        assert shown_text in mails, f"no email to {address} reads as the page shows"

"""``accountcare demo --accounts 10000`` end to end, as a user runs it, and where its time goes.

Rows: the command as a subprocess (a fresh SQLite file each run, best of 2); the same
work in-process, step by step (from the demo's progress callback), inside
``paused_collector()`` as the command runs it, and in total without the pause (the
library's default); reference: starting the interpreter and importing everything the
command imports, measured in the same run.
Target: the command within 10 s on the 2-core machine.

    python benchmarks/bench_demo.py [ACCOUNTS]
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _report import table
from accountcare.adapters.sqlite import SqliteStore
from accountcare.services import paused_collector
from accountcare.services.demo import run_demo

AS_OF = date(2026, 11, 2)


def _command(accounts: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        args = [sys.executable, "-m", "accountcare", "--db", f"{folder}/demo.sqlite3",
                "--as-of", AS_OF.isoformat(), "demo", "--accounts", str(accounts)]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        return time.perf_counter() - started


def _startup() -> float:
    code = "import accountcare.cli._commands, accountcare.services.demo, rich.table"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def _steps(accounts: int, paused: bool) -> list[tuple[str, float]]:
    marks: list[tuple[str, float]] = []
    pause = paused_collector() if paused else contextlib.nullcontext()
    with tempfile.TemporaryDirectory() as folder, SqliteStore(Path(folder) / "d.sqlite3") as s:
        with pause:
            run_demo(s, accounts=accounts, as_of=AS_OF, progress=lambda step: marks.append(
                (step, time.perf_counter())))  # fmt: skip
        ended = time.perf_counter()
    times = [t for _, t in marks] + [ended]
    return [(step, times[i + 1] - t) for i, (step, t) in enumerate(marks)]


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    startup = min(_startup() for _ in range(3))
    command = min(_command(accounts) for _ in range(2))
    steps = _steps(accounts, paused=True)  # as the command runs them
    unpaused = sum(seconds for _, seconds in _steps(accounts, paused=False))
    rows: list[list[object]] = [
        [
            f"accountcare demo --accounts {accounts:,} (subprocess)",
            command,
            command / startup,
            f"within 10 s: {'yes' if command <= 10 else 'no'}",
        ],
        ["reference: interpreter start and imports", startup, 1.0, ""],
    ]
    rows += [
        [f"  in-process step: {step}", seconds, seconds / startup, ""] for step, seconds in steps
    ]
    rows.append(
        ["  in-process, every step, the collector left alone", unpaused, unpaused / startup, ""]
    )
    print(table("The demo", ["case", "seconds", "ratio to reference", "target"], rows))


if __name__ == "__main__":
    main()

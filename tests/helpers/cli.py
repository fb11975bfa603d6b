"""The `ontherecord` command as tests run it: `main(argv)` in this process, or the real entry
point in a process of its own; and what its output must look like."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import ROOT


@dataclass
class Result:
    """What one run of the command gave: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_main(capture, args: list[str]) -> Result:
    """`ontherecord.cli.main(args)` in this process, its output caught by capfd or capsys."""
    from ontherecord.cli import main

    capture.readouterr()  # what was printed before is not this run's
    try:
        code = main(args)
    except SystemExit as e:  # argparse: --help exits 0, a usage error 2
        code = e.code if isinstance(e.code, int) else int(e.code is not None)
    out, err = capture.readouterr()
    return Result(code, out, err)


def start_process(*args: str, archive: Path | None = None) -> subprocess.Popen:
    """Start the real command, `python -m ontherecord`, in a process of its own."""
    env = dict(os.environ)
    if archive is not None:
        env["ONTHERECORD_ARCHIVE"] = str(archive)
    return subprocess.Popen([sys.executable, "-m", "ontherecord", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_process(*args: str, archive: Path | None = None, timeout: float = 600) -> Result:
    """Run the real command in a process of its own, to its end."""
    process = start_process(*args, archive=archive)
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        process.kill()
    return Result(process.returncode, out, err)


def ok(result) -> str:
    """The output of a run that must have succeeded."""
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def one_line_error(result, code: int | None = 1) -> str:
    """The one error line of a run that must have failed (with this exit code, if given)."""
    if code is None:
        assert result.returncode != 0, result
    else:
        assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ontherecord: error: "), lines[0]
    return lines[0]


def rows(output: str) -> list[list[str]]:
    """Tab-separated output as rows of fields."""
    return [line.split("\t") for line in output.splitlines()]

"""What the tests share besides fixtures: files, the example sessions, pages, servers, the CLI.

`conftest.py` holds fixtures only; everything else a test file needs from another lives here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def snapshot(root: Path) -> dict[str, int]:
    """Every file under a folder with its size: to show that a failed command changed nothing."""
    return {str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*"))
            if p.is_file()}


def needs_shared(*parts: str) -> Path:
    """A file from ../shared/data, or skip the test when the shared data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path

"""Times as people write them and as links carry them, and the time now for records."""

from __future__ import annotations

import datetime as dt
import math
import re

from ontherecord.errors import InputError

HMS = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
UNITS = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$")


def clock(seconds: float, decimal: str = ".") -> str:
    """Format seconds as HH:MM:SS.mmm (or with a comma for SRT)."""
    ms = round(max(seconds, 0.0) * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{decimal}{ms:03d}"


def hms(seconds: float) -> str:
    """H:MM:SS with the hour always written (0:01:05), as a citation gives its times."""
    h, m, s = clock(seconds)[:8].split(":")
    return f"{int(h)}:{m}:{s}"


def link_time(seconds: float) -> str:
    """The ?t= value for a moment: rounded down to 0.1 s, so a link never starts after it."""
    return f"{math.floor(seconds * 10) / 10:.1f}"


def parse_time(raw: str) -> float:
    """Seconds from ?t= written as 83, 83.5, 1:23, 1:02:03 or 1h2m3s."""
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        # float() also reads "nan" and "inf", which are no moment in a recording.
        if math.isfinite(seconds):
            return max(seconds, 0.0)
    for pattern in (HMS, UNITS):
        m = pattern.match(raw)
        if m and any(m.groups()):
            h, mi, s = (float(g) if g else 0.0 for g in m.groups())
            return h * 3600 + mi * 60 + s
    raise InputError(f"t={raw!r} is not a time: use seconds (83) or h:mm:ss (1:02:03)")


def now_iso() -> str:
    """The time now as ISO 8601 UTC to the second, as every record of the archive writes it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

"""WebVTT captions read back by webvtt-py, an independent parser."""

from __future__ import annotations

import webvtt


def seconds(stamp: str) -> float:
    """HH:MM:SS.mmm as seconds."""
    h, m, s = stamp.split(":")
    return round(int(h) * 3600 + int(m) * 60 + float(s), 3)


def vtt_cues(vtt: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue of a WebVTT file."""
    return [(seconds(c.start), seconds(c.end), c.text) for c in webvtt.from_string(vtt).captions]

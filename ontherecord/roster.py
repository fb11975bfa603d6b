"""Who was at the table: a session's roster as staff write it, and how many voices there were.

A roster line is "Name, side, role" (side and role may be left off); on the command line a
person is "Name;side;role", and a roster file is CSV with those columns. One set of rules
checks a roster wherever it comes from, as session details are checked (ontherecord.details).
"""

from __future__ import annotations

import csv
from pathlib import Path

from ontherecord.errors import InputError
from ontherecord.model import SIDES, RosterMember
from ontherecord.text import one_line

MAX_NAME = 100  # characters in a person's name or role, on a roster or a speaker
MAX_PEOPLE = 50
MAX_VOICES = 50


def member(fields: list[str]) -> RosterMember:
    """A roster member from the fields of one line: name, then side and role if given."""
    if len(fields) > 3:
        raise InputError(f"a roster line is Name, side, role; {fields!r} has more fields")
    name, side, role = (*(f.strip() for f in fields), "", "")[:3]
    return RosterMember(name, side or None, role or None)


def parse(text: str, sep: str = ",") -> list[RosterMember]:
    """A roster typed one person a line ("Name, side, role"); the role may hold commas."""
    return [member(line.split(sep, 2)) for line in text.splitlines() if line.strip()]


def read_csv(path: Path) -> list[RosterMember]:
    """A roster file: CSV rows of name, side, role, with or without a header row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise InputError(f"{path}: a roster file must be UTF-8 text (CSV)") from None
    if rows and rows[0][0].strip().casefold() == "name":
        rows = rows[1:]
    return [member(row) for row in rows]


def check(members: list[RosterMember]) -> list[RosterMember]:
    """A roster with names and roles tidied and sides known; InputError for the first bad line."""
    if len(members) > MAX_PEOPLE:
        raise InputError(f"a roster lists at most {MAX_PEOPLE} people")
    out: list[RosterMember] = []
    for n, person in enumerate(members, 1):
        name = one_line(person.name, MAX_NAME, f"the name on roster line {n}")
        if not name:
            raise InputError(f"roster line {n} has no name (write: Name, side, role)")
        side = (person.side or "").strip().lower() or None
        if side and side not in SIDES:
            raise InputError(f"roster line {n}: side {side!r} is not one of {', '.join(SIDES)}")
        if any(p.name.casefold() == name.casefold() for p in out):
            raise InputError(f"roster line {n}: {name} is on the roster twice")
        role = one_line(person.role or "", MAX_NAME, f"the role on roster line {n}") or None
        out.append(RosterMember(name, side, role))
    return out


def check_count(count: int | str | None) -> int | None:
    """How many voices staff heard (a number, or as typed in a form); None if not said.

    Blank is not said; otherwise it is 1 to MAX_VOICES.
    """
    if isinstance(count, str):
        text = count.strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()):
            raise InputError(f"the number of voices must be a whole number, not {text!r}")
        count = int(text)
    if count is not None and not 1 <= count <= MAX_VOICES:
        raise InputError(f"the number of voices must be from 1 to {MAX_VOICES}, not {count}")
    return count


def as_text(members: list[RosterMember]) -> str:
    """A roster as staff type it, one person a line, for a form to show."""
    return "\n".join(", ".join(x for x in (p.name, p.side or "", p.role or "")).rstrip(", ")
                     for p in members)

"""Email alert subscriptions, kept in the archive's small SQLite database (alerts.sqlite3).

A subscription is one address following one search (words and filters). It is pending until
the address confirms it (double opt-in), and only sessions made public after that are alerted.
The database also records which (subscription, session) pairs were dealt with, so an alert is
sent once, and the recent sign-ups that the rate limits count.

Every write is one transaction in WAL mode with full sync: a process killed at any moment
leaves each change wholly made or not made at all. Confirmation tokens are kept only as their
SHA-256; unsubscribe tokens are kept as they are, since every alert carries its link.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.query import Filters, build_query
from ontherecord.errors import InputError, OnTheRecordError
from ontherecord.timecode import now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    search TEXT NOT NULL,
    confirm_hash TEXT NOT NULL UNIQUE,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    confirmed_at TEXT,
    UNIQUE (address, search)
);
CREATE TABLE IF NOT EXISTS alerted (
    subscription INTEGER NOT NULL,
    session TEXT NOT NULL,
    hits INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (subscription, session)
);
CREATE TABLE IF NOT EXISTS signups (client TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS confirmations (address TEXT PRIMARY KEY, at REAL NOT NULL);
"""
# An address as mail servers take it: no spaces, quotes or brackets that could smuggle in a
# second recipient or a header; a dotted domain.
ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
MAX_ADDRESS = 254
MAX_FILTER = 200
# A confirmation link not followed within a week is dropped with its pending subscription.
PENDING_SECONDS = 7 * 24 * 3600
HOUR = 3600.0


class TooManySignUps(OnTheRecordError):
    """More sign-ups from one client in an hour than the limit allows."""


def check_address(raw: str) -> str:
    """An email address as stored (trimmed, lower case), or InputError if it is none."""
    address = raw.strip().lower()
    if len(address) > MAX_ADDRESS or not ADDRESS.fullmatch(address):
        raise InputError("that is not an email address: write it as name@example.org")
    return address


def _digest(text: str) -> str:
    """The SHA-256 of a token or client address, as stored in place of it."""
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Followed:
    """A followed search: the words and the filters of a /search, without a session."""

    query: str = ""
    filters: Filters = Filters()

    def checked(self) -> Followed:
        """The search itself if it can be run and says what to follow, else InputError."""
        if not self.query.strip() and self.filters == Filters():
            raise InputError("say what to follow: some words, or a speaker, topic or unit")
        if self.filters.session:
            raise InputError("an alert follows new sessions: it cannot be for one session")
        if any(len(value) > MAX_FILTER for value in self.filters.to_dict().values()):
            raise InputError(f"a filter is too long (at most {MAX_FILTER} characters)")
        build_query(self.query, self.filters)  # raises InputError for an unreadable query
        return self

    def key(self) -> str:
        """The search as stored: JSON with sorted keys, so one search is always one string."""
        return json.dumps({"q": self.query.strip(), **self.filters.to_dict()}, sort_keys=True)

    @classmethod
    def from_key(cls, key: str) -> Followed:
        """The search a stored key holds."""
        fields = json.loads(key)
        return cls(fields.pop("q"), Filters(**fields))

    def describe(self) -> str:
        """The search in words, as in: “salary” said by Jane Doe in Teachers."""
        chosen = self.filters
        parts = [f"“{self.query}”" if self.query else "anything"]
        parts += [f"{label} {value}" for label, value in (
            ("said by", chosen.speaker), ("by the", chosen.side and f"{chosen.side} side"),
            ("on", chosen.topic), ("in", chosen.unit),
            ("from", chosen.date_from), ("to", chosen.date_to)) if value]
        return " ".join(parts)


@dataclass(frozen=True)
class Subscription:
    """One address following one search."""

    id: int
    address: str
    followed: Followed
    unsubscribe_token: str
    confirmed_at: str | None


class Subscriptions:
    """The subscriptions database of an archive (Archive.alerts_path)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one write transaction: committed whole, or rolled back."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            db.execute("BEGIN IMMEDIATE")  # the write lock now: no read-then-write race
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def sign_up(self, address: str, followed: Followed, client: str, per_hour: int,
                every_minutes: float) -> str | None:
        """Record a pending subscription; its confirmation token, or None if no mail is due.

        No mail is due if the address already follows this search, or was sent a
        confirmation less than `every_minutes` ago; the visitor is told the same either way,
        so nobody can learn who subscribes. More than `per_hour` sign-ups from one client
        raise TooManySignUps.
        """
        now, key, client = time.time(), followed.key(), _digest(client)
        with self._transaction() as db:
            db.execute("DELETE FROM signups WHERE at < ?", (now - HOUR,))
            db.execute("DELETE FROM subscriptions WHERE confirmed_at IS NULL AND created < ?",
                       (now - PENDING_SECONDS,))
            (count,) = db.execute("SELECT count(*) FROM signups WHERE client = ?",
                                  (client,)).fetchone()
            if count >= per_hour:
                raise TooManySignUps("too many sign-ups from your connection: try again in "
                                     "an hour")
            db.execute("INSERT INTO signups VALUES (?, ?)", (client, now))
            last = db.execute("SELECT at FROM confirmations WHERE address = ?",
                              (address,)).fetchone()
            if last and last[0] > now - every_minutes * 60:
                return None
            existing = db.execute("SELECT confirmed_at FROM subscriptions WHERE address = ? "
                                  "AND search = ?", (address, key)).fetchone()
            if existing and existing[0]:
                return None
            token = secrets.token_urlsafe(32)
            if existing:  # pending: a new link replaces the old one
                db.execute("UPDATE subscriptions SET confirm_hash = ?, created = ? WHERE "
                           "address = ? AND search = ?", (_digest(token), now, address, key))
            else:
                db.execute("INSERT INTO subscriptions (address, search, confirm_hash, "
                           "unsubscribe_token, created) VALUES (?, ?, ?, ?, ?)",
                           (address, key, _digest(token), secrets.token_urlsafe(32), now))
            db.execute("INSERT OR REPLACE INTO confirmations VALUES (?, ?)", (address, now))
        return token

    def _select(self, where: str, *args) -> list[Subscription]:
        """The subscriptions that match a WHERE clause."""
        with self._transaction() as db:
            rows = db.execute("SELECT id, address, search, unsubscribe_token, confirmed_at "
                              f"FROM subscriptions WHERE {where} ORDER BY id", args).fetchall()
        return [Subscription(i, a, Followed.from_key(s), u, c) for i, a, s, u, c in rows]

    def by_confirmation(self, token: str) -> Subscription | None:
        """The subscription a confirmation link is for, if any."""
        found = self._select("confirm_hash = ?", _digest(token))
        return found[0] if found else None

    def by_unsubscribe(self, token: str) -> Subscription | None:
        """The subscription an unsubscribe link is for, if any."""
        found = self._select("unsubscribe_token = ?", token)
        return found[0] if found else None

    def confirmed(self) -> list[Subscription]:
        """Every confirmed subscription."""
        return self._select("confirmed_at IS NOT NULL")

    def confirm(self, token: str, public: Iterable[str]) -> Subscription | None:
        """Confirm a subscription by its link; it as confirmed, or None if there is none.

        The sessions `public` now are no news to it: they are recorded as dealt with, so only
        sessions made public from now on are alerted.
        """
        with self._transaction() as db:
            found = db.execute("SELECT id FROM subscriptions WHERE confirm_hash = ? AND "
                               "confirmed_at IS NULL", (_digest(token),)).fetchone()
            if found:
                now = now_iso()
                db.execute("UPDATE subscriptions SET confirmed_at = ? WHERE id = ?",
                           (now, found[0]))
                db.executemany("INSERT OR IGNORE INTO alerted VALUES (?, ?, 0, ?)",
                               [(found[0], session, now) for session in public])
        return self.by_confirmation(token)

    def unsubscribe(self, token: str, everything: bool = False) -> int:
        """Drop the subscription of an unsubscribe link (or all its address's); how many."""
        with self._transaction() as db:
            where = ("address = (SELECT address FROM subscriptions WHERE unsubscribe_token = ?)"
                     if everything else "unsubscribe_token = ?")
            ids = [i for (i,) in db.execute(f"SELECT id FROM subscriptions WHERE {where}",
                                            (token,))]
            for i in ids:
                db.execute("DELETE FROM alerted WHERE subscription = ?", (i,))
                db.execute("DELETE FROM subscriptions WHERE id = ?", (i,))
        return len(ids)

    def dealt_with(self) -> set[tuple[int, str]]:
        """The (subscription, session) pairs already alerted or found not to match."""
        with self._transaction() as db:
            return {(i, s) for i, s in db.execute("SELECT subscription, session FROM alerted")}

    def record(self, done: list[tuple[int, str, int]]) -> None:
        """Record (subscription, session, hits) pairs as dealt with, all at once."""
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO alerted VALUES (?, ?, ?, ?)",
                           [(*pair, now_iso()) for pair in done])


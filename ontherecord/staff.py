"""Staff accounts: who may publish and edit, with passwords hashed by scrypt.

Accounts live in the archive's staff.json, readable by its owner only. Repeated failed logins
lock an account for a while, so a password cannot be guessed at web speed.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass

from ontherecord.archive import Archive, write_json_atomic
from ontherecord.errors import InputError, NotFoundError
from ontherecord.timecode import now_iso

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # scrypt takes any length; this only stops a request meant to tie up a core
# scrypt at N=2^15, r=8 (32 MiB, ~0.1 s): OWASP's minimum is N=2^17 with p=1, or an equal cost.
SCRYPT = {"n": 2**15, "r": 8, "p": 1}
FAILURES_BEFORE_LOCK = 5
LOCK_MINUTES = 15

# One process serves many request threads; a login updates the file read-modify-write.
_lock = threading.Lock()


@dataclass
class Account:
    """One staff member who can sign in."""

    name: str
    password: str  # "scrypt$n$r$p$salt$hash", never the password itself
    created: str
    failures: int = 0
    locked_until: str | None = None


def load(archive: Archive) -> dict[str, Account]:
    """Every account, by name."""
    path = archive.staff_path
    if not path.is_file():
        return {}
    return {a["name"]: Account(**a) for a in json.loads(path.read_text("utf-8"))}


def _save(archive: Archive, accounts: dict[str, Account]) -> None:
    """Write the accounts atomically; mkstemp makes the file owner-only (0600)."""
    archive.root.mkdir(parents=True, exist_ok=True)
    write_json_atomic(archive.staff_path, [asdict(a) for a in accounts.values()])


def check_name(name: str) -> str:
    """A login name, lower-cased: letters, digits, dot, dash and underscore."""
    cleaned = name.strip().lower()
    if not NAME.match(cleaned):
        raise InputError(f"{name!r} is not a login name: use 1-40 letters, digits, '.', '-' "
                         "or '_', starting with a letter or digit")
    return cleaned


def check_password(password: str) -> None:
    """Refuse a password that is too short to hold up, or absurdly long."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"a password is at most {MAX_PASSWORD} characters")


def hash_password(password: str) -> str:
    """The password's scrypt hash with a fresh salt, in a self-describing form."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=64 * 2**20, **SCRYPT)
    b64 = base64.b64encode
    return "scrypt${n}${r}${p}$".format(**SCRYPT) + f"{b64(salt).decode()}${b64(digest).decode()}"


def matches(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from (compared in constant time)."""
    _, n, r, p, salt, digest = stored.split("$")
    found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                           p=int(p), maxmem=64 * 2**20)
    return hmac.compare_digest(found, base64.b64decode(digest))


def _now() -> dt.datetime:
    """The time now, in UTC."""
    return dt.datetime.now(dt.UTC)


def add(archive: Archive, name: str, password: str) -> Account:
    """Create an account; an existing name is refused (use set_password)."""
    name = check_name(name)
    check_password(password)
    with _lock:
        accounts = load(archive)
        if name in accounts:
            raise InputError(f"there is already a staff account {name!r}")
        accounts[name] = Account(name, hash_password(password), now_iso())
        _save(archive, accounts)
    return accounts[name]


def set_password(archive: Archive, name: str, password: str) -> None:
    """Give an account a new password; this also lifts a lock."""
    name = check_name(name)
    check_password(password)
    with _lock:
        accounts = load(archive)
        if name not in accounts:
            raise NotFoundError(f"no staff account {name!r}")
        account = accounts[name]
        account.password, account.failures, account.locked_until = hash_password(password), 0, None
        _save(archive, accounts)


def remove(archive: Archive, name: str) -> None:
    """Delete an account; its open logins end at their next request."""
    name = check_name(name)
    with _lock:
        accounts = load(archive)
        if accounts.pop(name, None) is None:
            raise NotFoundError(f"no staff account {name!r}")
        _save(archive, accounts)


@functools.cache
def _decoy() -> str:
    """A hash to check when the name is unknown.

    A wrong name then costs as long as a wrong password, so response times do not reveal
    which names exist.
    """
    return hash_password(secrets.token_hex(16))


def login(archive: Archive, name: str, password: str) -> str:
    """The account's name if the password is right; else InputError saying only that it failed.

    FAILURES_BEFORE_LOCK failures in a row lock the account for LOCK_MINUTES, even against the
    right password, and the message says so.
    """
    failed = InputError("wrong name or password")
    try:
        name = check_name(name)
    except InputError:
        raise failed from None
    with _lock:
        accounts = load(archive)
        account = accounts.get(name)
        if account is None or len(password) > MAX_PASSWORD:
            matches(_decoy(), password[:MAX_PASSWORD])
            raise failed
        now = _now()
        if account.locked_until and dt.datetime.fromisoformat(account.locked_until) > now:
            raise InputError(f"too many failed logins: this account is locked until "
                             f"{account.locked_until[11:16]} UTC")
        if matches(account.password, password):
            account.failures, account.locked_until = 0, None
            _save(archive, accounts)
            return name
        account.failures += 1
        if account.failures >= FAILURES_BEFORE_LOCK:
            until = now + dt.timedelta(minutes=LOCK_MINUTES)
            account.failures, account.locked_until = 0, until.isoformat(timespec="seconds")
        _save(archive, accounts)
    raise failed


def exists(archive: Archive, name: str) -> bool:
    """Whether an account of this name exists (a removed account's logins end)."""
    return name in load(archive)


def secret_key(archive: Archive) -> str:
    """The key that signs login cookies, made once per archive and kept in it (0600).

    Kept, so logins survive a restart and every server process of the archive agrees.
    """
    path = archive.secret_key_path
    if not path.is_file():
        archive.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".secret_key.", dir=archive.root)  # 0600
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        # A link fails if the key exists: two processes starting at once agree on the first.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        os.unlink(tmp)
    return path.read_text().strip()

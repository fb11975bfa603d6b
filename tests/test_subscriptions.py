"""Alert subscriptions in the archive's SQLite database: addresses and searches checked,
double opt-in, hashed confirmation tokens, rate limits, and writes that survive kill -9."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from index.query import Filters
from ontherecord.errors import InputError
from ontherecord.subscriptions import (
    Followed,
    Subscriptions,
    TooManySignUps,
    check_address,
)
from tests.helpers import ROOT

SALARY = Followed("salary")
SPEAKER = Followed("", Filters(speaker="Jane Doe", unit="Teachers"))


@pytest.fixture
def store(tmp_path) -> Subscriptions:
    return Subscriptions(tmp_path / "alerts.sqlite3")


def sign_up(store: Subscriptions, address: str, followed: Followed = SALARY,
            client: str = "127.0.0.1") -> str | None:
    """A sign-up with limits that never stop a test."""
    return store.sign_up(address, followed, client, per_hour=100, every_minutes=0)


@pytest.mark.parametrize("raw", ["Reporter@Example.ORG", "  a.b+news@mail.example.org  "])
def test_an_address_is_trimmed_and_lower_cased(raw):
    assert check_address(raw) == raw.strip().lower()


@pytest.mark.parametrize("raw", ["", "reporter", "reporter@localhost", "a b@example.org",
                                 "a@example.org\nBcc: x@example.org", "<a@example.org>",
                                 "a@example.org, b@example.org", "x" * 250 + "@example.org"])
def test_what_is_no_address_is_refused_in_one_line(raw):
    with pytest.raises(InputError) as e:
        check_address(raw)
    assert "\n" not in str(e.value)


def test_a_followed_search_must_say_something_and_be_readable():
    assert SALARY.checked() == SALARY and SPEAKER.checked() == SPEAKER
    for bad, says in [(Followed(""), "say what to follow"),
                      (Followed('"class size'), "unclosed quote"),
                      (Followed("x" * 501), "too long"),
                      (Followed("salary", Filters(session="2026-x")), "one session"),
                      (Followed("", Filters(unit="u" * 201)), "too long"),
                      (Followed("", Filters(date_from="last week")), "YYYY-MM-DD")]:
        with pytest.raises(InputError, match=says):
            bad.checked()


def test_a_search_is_stored_as_one_string_and_read_back():
    assert Followed.from_key(SPEAKER.key()) == SPEAKER
    assert Followed("  salary ").key() == SALARY.key()
    assert SPEAKER.describe() == "anything said by Jane Doe in Teachers"
    assert Followed("salary", Filters(side="union", date_from="2026-01-01")).describe() == \
        "“salary” by the union side from 2026-01-01"


def test_a_subscription_waits_for_its_confirmation(store):
    token = sign_up(store, "a@example.org")
    assert token and store.confirmed() == []
    pending = store.by_confirmation(token)
    assert pending and pending.confirmed_at is None and pending.followed == SALARY
    assert store.by_confirmation("not-a-token") is None
    confirmed = store.confirm(token, ["2026-03-10-a", "2026-10-14-b"])
    assert confirmed and confirmed.confirmed_at and store.confirmed() == [confirmed]
    # What was public then is no news: only sessions made public later are alerted.
    assert store.dealt_with() == {(confirmed.id, "2026-03-10-a"), (confirmed.id, "2026-10-14-b")}
    # A second click changes nothing.
    assert store.confirm(token, ["2026-11-01-c"]) == confirmed
    assert len(store.dealt_with()) == 2


def test_tokens_are_random_and_confirmation_tokens_are_kept_hashed(store):
    first, second = sign_up(store, "a@example.org"), sign_up(store, "b@example.org")
    assert first and second and first != second and len(first) >= 40
    dump = "\n".join(sqlite3.connect(store.path).iterdump())
    assert first not in dump and second not in dump


def test_no_confirmation_is_due_for_a_search_already_followed(store):
    token = sign_up(store, "a@example.org")
    assert token is not None
    store.confirm(token, [])
    assert sign_up(store, "a@example.org") is None
    assert len(store.confirmed()) == 1
    # Another search of the same address is a subscription of its own.
    assert sign_up(store, "a@example.org", SPEAKER)


def test_a_new_sign_up_of_a_pending_search_replaces_its_link(store):
    old = sign_up(store, "a@example.org")
    new = sign_up(store, "a@example.org")
    assert old and new and old != new
    assert store.confirm(old, []) is None and store.confirm(new, []) is not None


def test_one_confirmation_email_an_address_every_few_minutes(store):
    assert store.sign_up("a@example.org", SALARY, "1.2.3.4", 100, every_minutes=10)
    assert store.sign_up("a@example.org", SPEAKER, "5.6.7.8", 100, every_minutes=10) is None
    assert store.sign_up("b@example.org", SPEAKER, "5.6.7.8", 100, every_minutes=10)


def test_sign_ups_a_client_may_make_in_an_hour(store):
    for n in range(3):
        store.sign_up(f"{n}@example.org", SALARY, "1.2.3.4", per_hour=3, every_minutes=0)
    with pytest.raises(TooManySignUps, match="try again in an hour"):
        store.sign_up("4@example.org", SALARY, "1.2.3.4", per_hour=3, every_minutes=0)
    # Another client is not held back, and the refused one was not recorded.
    assert store.sign_up("4@example.org", SALARY, "9.9.9.9", per_hour=3, every_minutes=0)
    clients = sqlite3.connect(store.path).execute("SELECT client FROM signups").fetchall()
    assert len(clients) == 4 and ("1.2.3.4",) not in clients  # kept hashed


def test_unsubscribing_one_search_or_every_one(store):
    for followed in (SALARY, SPEAKER):
        token = sign_up(store, "a@example.org", followed)
        assert token
        store.confirm(token, [])
    other = sign_up(store, "b@example.org")
    assert other
    store.confirm(other, [])
    salary, speaker, theirs = store.confirmed()
    store.record([(salary.id, "2026-12-01-x", 2)])
    assert store.unsubscribe(salary.unsubscribe_token) == 1
    assert store.by_unsubscribe(salary.unsubscribe_token) is None
    assert store.dealt_with() == set()
    assert store.unsubscribe(salary.unsubscribe_token) == 0  # twice is no error
    sign_up(store, "a@example.org", Followed("strike"))  # pending: stopped with the rest
    assert store.unsubscribe(speaker.unsubscribe_token, everything=True) == 2
    assert store.confirmed() == [theirs]


def test_pairs_dealt_with_are_recorded_once(store):
    store.record([(1, "s1", 0), (2, "s1", 3)])
    store.record([(1, "s1", 5)])
    assert store.dealt_with() == {(1, "s1"), (2, "s1")}


def test_the_database_is_in_wal_mode_and_survives_kill_9(tmp_path):
    """A process killed mid-write leaves every sign-up it reported whole, and a sound file."""
    path = tmp_path / "alerts.sqlite3"
    script = textwrap.dedent(f"""\
        from ontherecord.subscriptions import Followed, Subscriptions
        store = Subscriptions({str(path)!r})
        n = 0
        while True:
            token = store.sign_up(f"{{n}}@example.org", Followed("salary"), str(n), 10, 0)
            store.confirm(token, ["s1"])
            print(n, flush=True)
            n += 1
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE)
    assert process.stdout
    reported = [process.stdout.readline() for _ in range(20)]
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert all(line.strip() for line in reported)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    confirmed = Subscriptions(path).confirmed()
    assert len(confirmed) >= 20
    assert [s.address for s in confirmed[:20]] == [f"{n}@example.org" for n in range(20)]
    assert all(s.followed == Followed("salary") and s.unsubscribe_token for s in confirmed)
    assert {(s.id, "s1") for s in confirmed} == Subscriptions(path).dealt_with()

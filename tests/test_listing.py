"""The session listing: dates checked, newest first, narrowed by unit and dates."""

from __future__ import annotations

import pytest

from ontherecord.errors import InputError
from ontherecord.listing import check_day, listing
from tests.helpers.browse import ESP, browse_archive


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    """The public browse sessions, from an archive of their own."""
    return browse_archive(tmp_path_factory.mktemp("listing") / "archive").public_sessions()


def ids(sessions) -> list[str]:
    """The sessions' ids, in order."""
    return [s.id for s in sessions]


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-1-5", "yesterday", "2026-01-05T00:00"])
def test_a_date_that_is_no_day_is_refused_by_name(bad):
    with pytest.raises(InputError, match=f"^from must be a date written YYYY-MM-DD, not '{bad}'$"):
        check_day(bad, "from")


def test_public_sessions_newest_first_narrowed_by_unit_and_dates(public):
    everything = ["2026-03-16-teachers-c", "2026-02-09-esp-b", "2026-01-12-teachers-a"]
    assert ids(listing(public)) == everything
    assert ids(listing(public, "teachers")) == [everything[0], everything[2]]
    assert ids(listing(public, f"  {ESP} ")) == [everything[1]]
    assert ids(listing(public, date_from="2026-02-09")) == everything[:2]
    assert ids(listing(public, date_to="2026-02-09")) == everything[1:]
    assert ids(listing(public, "Teachers", "2026-01-13", "2026-03-16")) == [everything[0]]
    assert listing(public, "School Board") == []  # its only session is closed


def test_a_range_that_ends_before_it_starts_is_refused(public):
    with pytest.raises(InputError, match="ends before it starts"):
        listing(public, date_from="2026-03-01", date_to="2026-02-01")

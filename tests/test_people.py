"""People across the public sessions: their slugs, sides, roles, sessions and talk time."""

from __future__ import annotations

import pytest

from ontherecord.errors import NotFoundError
from ontherecord.people import people, person, slug
from tests.helpers.browse import browse_archive, browse_sessions
from tests.helpers.transcripts import made_archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The browse sessions in an archive of their own."""
    return browse_archive(tmp_path_factory.mktemp("people") / "archive")


@pytest.mark.parametrize(("name", "expected"), [
    ("Dana Whitfield", "dana-whitfield"), ("  José   Núñez ", "jose-nunez"),
    ("Mark O'Brien-Smith", "mark-o-brien-smith"), ("ÅSA LÖF", "asa-lof"),
])
def test_slug_is_lower_case_ascii_with_hyphens(name, expected):
    assert slug(name) == expected


def test_a_name_without_ascii_letters_still_gets_its_own_address():
    assert slug("李雷").startswith("x-") and slug("李雷") == slug("李雷") != slug("韩梅梅")


def test_people_are_the_named_speakers_of_public_sessions(archive):
    found = {p.name: p for p in people(archive)}
    # Dora Draft speaks only in a draft, Carl Closed only in a closed session; "Speaker 3"
    # has no name.
    assert list(found) == ["Dana Whitfield", "José Núñez", "Ursula Grant"]
    dana = found["Dana Whitfield"]
    assert (dana.slug, dana.side, dana.role) == ("dana-whitfield", "district", "Chief negotiator")
    assert [(a.session.id, a.talk_time) for a in dana.sessions] == [
        ("2026-03-16-teachers-c", 30.0), ("2026-02-09-esp-b", 60.0),
        ("2026-01-12-teachers-a", 120.0)]
    assert dana.talk_time == 210.0
    assert found["Ursula Grant"].talk_time == 190.0
    assert (found["José Núñez"].side, found["José Núñez"].role) == ("union", None)


def test_person_by_slug_and_nobody_else(archive):
    assert person(archive, "jose-nunez").name == "José Núñez"
    for nobody in ("dora-draft", "carl-closed", "speaker-3", "someone"):
        with pytest.raises(NotFoundError):
            person(archive, nobody)


def test_people_of_some_sessions_count_only_those(archive):
    teachers = [s for s in archive.public_sessions() if s.unit == "Teachers"]
    found = {p.name: p.talk_time for p in people(archive, teachers)}
    assert found == {"Dana Whitfield": 150.0, "Ursula Grant": 190.0}


def test_names_in_other_case_are_one_person(tmp_path):
    sessions = browse_sessions()
    sessions[0].speakers[0].name = "dana whitfield"  # the oldest session's spelling
    copy = made_archive(tmp_path / "archive", sessions)
    (dana,) = [p for p in people(copy) if p.slug == "dana-whitfield"]
    assert dana.name == "Dana Whitfield" and len(dana.sessions) == 3

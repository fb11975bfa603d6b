"""Session summaries: the speakers and chapters of a session, cached per version."""

from __future__ import annotations

import shutil

from ontherecord import service, summaries
from ontherecord.summaries import summary
from tests.helpers.browse import browse_archive
from tests.helpers.http import client_over


def test_a_summary_is_the_transcripts_speakers_and_chapters(tmp_path):
    archive = browse_archive(tmp_path / "archive")
    january = archive.session("2026-01-12-teachers-a")
    made = summary(archive, january)
    transcript = archive.transcript(january.id)
    assert (made.speakers, made.chapters) == (transcript.speakers, transcript.chapters)
    assert [s.name for s in made.named] == ["Dana Whitfield", "Ursula Grant"]
    assert made.unnamed == 1
    assert (archive.root / ".summaries" / f"{january.id}.json").is_file()
    assert summary(archive, january) == made  # read back from the cache


def test_a_summary_follows_every_change_and_heals_when_damaged(tmp_path):
    archive = browse_archive(tmp_path / "archive")
    march = archive.session("2026-03-16-teachers-c")
    assert [s.name for s in summary(archive, march).named] == ["Ursula Grant", "Dana Whitfield"]
    service.name_speaker(archive, march.id, "U", "Ursula Grant-Lee")
    assert [s.name for s in summary(archive, archive.session(march.id)).named] == \
        ["Ursula Grant-Lee", "Dana Whitfield"]
    cached = archive.root / ".summaries" / f"{march.id}.json"
    cached.write_text("{not json")  # a damaged cache is made again, neither believed nor fatal
    assert summary(archive, archive.session(march.id)).named[0].name == "Ursula Grant-Lee"
    assert cached.read_text().startswith("{\n")


def test_start_up_makes_the_missing_summaries(tmp_path):
    archive = browse_archive(tmp_path / "archive")
    assert summaries.heal(archive) == 3  # the public sessions: not the draft, not the closed
    assert summaries.heal(archive) == 0
    shutil.rmtree(archive.root / ".summaries")
    client_over(archive)
    assert sorted(p.stem for p in (archive.root / ".summaries").iterdir()) == \
        sorted(s.id for s in archive.public_sessions())

"""The `ontherecord` command: `main(argv)` run in this process for most tests, and the real
entry point in a process of its own for help, exit codes, one ingest and Ctrl-C.

Bad input of every kind is one line on stderr, a non-zero exit and an archive left byte for byte
as it was; ingest, export, list, search and reindex do what they say; every command and option
is documented in the command's own part of the README.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import time
from pathlib import Path

import pytest
import srt
import webvtt

from index.store import SearchIndex
from ontherecord.archive import Archive
from ontherecord.exports import WRITERS
from ontherecord.model import Session
from ontherecord.timecode import clock
from tests.helpers import ROOT, snapshot
from tests.helpers.cli import one_line_error, start_process
from tests.helpers.example import EXAMPLE, REFERENCE, TEST_MODEL, normalize, utterance_saying
from tests.helpers.media import (
    make_truncated_mp4,
    make_truncated_ogg,
    make_truncated_wav,
    make_video_only,
)

CLASS_SIZE = "class size caps"
CLASS_SIZE_AT = utterance_saying(CLASS_SIZE)["start"]


def ingest_args(*paths: Path | str, extra: tuple[str, ...] = (), model: str = TEST_MODEL
                ) -> list[str]:
    return ["ingest", *map(str, paths), "--title", "Bargaining session", "--date", "2026-10-14",
            "--unit", "Teachers", "--publish", "--model", model, *extra]


def assert_one_error_line(result, expected: str) -> None:
    """A failed run whose stderr is one error line saying `expected`."""
    line = one_line_error(result, code=None)
    assert expected in line, line


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    """Recordings that cannot be ingested, and a model folder that is not one."""
    folder = tmp_path_factory.mktemp("bad-input")
    empty = folder / "empty.mp4"
    empty.touch()
    text = folder / "minutes.mp4"
    text.write_text("Minutes of the bargaining session, typed up afterwards.\n" * 40)
    no_model = folder / "not-a-model"
    no_model.mkdir()
    (no_model / "config.json").write_text("{}")
    return {
        "missing": folder / "no-such-recording.mp4",
        "empty": empty,
        "text": text,
        "truncated-mp4": make_truncated_mp4(folder),
        "truncated-wav": make_truncated_wav(folder),
        "truncated-ogg": make_truncated_ogg(folder),
        "no-audio": make_video_only(folder),
        "no-model": no_model,
        "missing-folder": folder / "no-such-folder" / "out.vtt",
    }


# (case, arguments from (bad files, clips, session id), what the error line must say)
BAD_INPUT = [
    ("missing-file", lambda f, c, s: ingest_args(f["missing"]), "no such file"),
    ("empty-file", lambda f, c, s: ingest_args(f["empty"]), "empty file"),
    ("text-named-mp4", lambda f, c, s: ingest_args(f["text"]), "not a readable recording"),
    ("truncated-mp4", lambda f, c, s: ingest_args(f["truncated-mp4"]), "truncated"),
    ("truncated-wav", lambda f, c, s: ingest_args(f["truncated-wav"]), "truncated"),
    ("truncated-ogg", lambda f, c, s: ingest_args(f["truncated-ogg"]), "truncated"),
    ("no-audio-track", lambda f, c, s: ingest_args(f["no-audio"]), "no audio track"),
    ("bad-date", lambda f, c, s: [*ingest_args(c["wav"])[:-2], "--date", "2026-02-30"],
     "date '2026-02-30' is not a date written YYYY-MM-DD"),
    ("model-folder-without-model-bin",
     lambda f, c, s: ingest_args(c["wav"], model=str(f["no-model"])), "no model.bin"),
    ("export-unknown-session", lambda f, c, s: ["export", "2026-01-01-no-such-session"],
     "no session"),
    ("export-into-missing-folder",
     lambda f, c, s: ["export", s, "--format", "vtt", "-o", str(f["missing-folder"])],
     "no such folder"),
    ("search-unclosed-quote", lambda f, c, s: ["search", '"unclosed'], "unclosed quote"),
]


@pytest.mark.parametrize(("args", "expected"), [case[1:] for case in BAD_INPUT],
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_one_line_and_changes_nothing(cli, archive_copy, example_id, bad_files,
                                                    clips, args, expected):
    before = snapshot(archive_copy.root)
    assert any(name.startswith(".index") for name in before)  # the index is in the snapshot
    result = cli(*args(bad_files, clips, example_id), archive=archive_copy.root)
    assert_one_error_line(result, expected)
    assert result.stdout == ""
    assert snapshot(archive_copy.root) == before
    assert not bad_files["missing-folder"].parent.exists()
    staging = archive_copy.root / ".staging"
    assert not staging.exists() or list(staging.iterdir()) == []


# --- ingest -----------------------------------------------------------------------------------

def test_reingest_under_another_name_and_title_gives_the_same_id(cli, archive_copy, example_id,
                                                                 tmp_path):
    renamed = tmp_path / "district upload (1).ogg"
    shutil.copy(EXAMPLE, renamed)
    before = snapshot(archive_copy.root)
    result = cli("ingest", str(renamed), "--title", "Something else", "--date", "2025-01-02",
                 "--unit", "ESP", "--model", TEST_MODEL, archive=archive_copy.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == example_id
    assert "already in the archive" in result.stderr
    assert archive_copy.ids() == [example_id]
    assert snapshot(archive_copy.root) == before

    result = cli("ingest", str(renamed), "--title", "Again", "--date", "2025-01-02",
                 "--unit", "ESP", "--model", TEST_MODEL, "--json", "--quiet",
                 archive=archive_copy.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    record = json.loads(result.stdout.splitlines()[-1])
    assert record == archive_copy.session(example_id).to_dict()
    assert snapshot(archive_copy.root) == before


@pytest.mark.slow
def test_ingest_prints_the_new_session_id(cli_process, cli, clips, tmp_path):
    """The one ingest through the real entry point, in a process of its own."""
    root = tmp_path / "archive"
    result = cli_process(*ingest_args(clips["m4a"]), archive=root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    ids = Archive(root).ids()
    assert len(ids) == 1
    assert result.stdout.splitlines()[-1] == ids[0]

    found = cli("search", "afternoon", "--json", archive=root)
    assert found.returncode == 0, found.stderr
    assert [h["session"] for h in json.loads(found.stdout)["hits"]] == ids


@pytest.mark.slow
def test_several_paths_make_one_session_each(cli, clips, tmp_path):
    root = tmp_path / "archive"
    result = cli(*ingest_args(clips["wav"], clips["ogg"], extra=("--json",)), archive=root)
    assert result.returncode == 0, result.stderr
    records = [Session.from_dict(json.loads(line)) for line in result.stdout.splitlines()]
    assert len(records) == 2
    archive = Archive(root)
    assert sorted(r.id for r in records) == archive.ids()
    assert [r.source.filename for r in records] == [clips["wav"].name, clips["ogg"].name]
    assert [r.title for r in records] == ["Bargaining session (part 1 of 2)",
                                          "Bargaining session (part 2 of 2)"]
    assert [r.to_dict() for r in records] == [archive.session(r.id).to_dict() for r in records]
    assert SearchIndex(archive.index_dir).session_ids() == set(archive.ids())


@pytest.mark.slow
def test_one_bad_path_among_several(cli, clips, tmp_path):
    """The good recordings are still ingested; the bad one is one error line and exit 1."""
    root = tmp_path / "archive"
    missing = tmp_path / "missing.mp4"
    result = cli(*ingest_args(missing, clips["mp3"]), archive=root)
    assert_one_error_line(result, "no such file")
    ids = Archive(root).ids()
    assert len(ids) == 1
    assert result.stdout.splitlines() == ids


# --- export -----------------------------------------------------------------------------------

def check_format(fmt: str, text: str, example_id: str) -> None:
    """The text is a well-formed file of its format, holding the example session."""
    if fmt == "json":
        assert json.loads(text)["session"]["id"] == example_id
    elif fmt == "vtt":
        captions = webvtt.from_string(text).captions
        assert captions and "Good afternoon" in captions[0].text
    elif fmt == "srt":
        cues = list(srt.parse(text))
        assert cues and "Good afternoon" in cues[0].content
        assert [c.index for c in cues] == list(range(1, len(cues) + 1))
    elif fmt == "rttm":
        lines = [line.split() for line in text.splitlines()]
        assert lines and all(len(f) == 10 and f[:3] == ["SPEAKER", example_id, "1"]
                             for f in lines)
        assert all(float(f[3]) >= 0 and float(f[4]) > 0 for f in lines)
    else:
        assert text.splitlines()[0] == REFERENCE["title"]
        assert "Good afternoon" in text


@pytest.mark.parametrize("fmt", ["vtt", "srt", "txt", "json", "rttm"])
def test_export_to_stdout_and_to_a_file(cli, example_archive, example_id, tmp_path, fmt):
    expected = WRITERS[fmt].render(example_archive.transcript(example_id))
    shown = cli("export", example_id, "--format", fmt, archive=example_archive.root)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == expected
    check_format(fmt, shown.stdout, example_id)

    target = tmp_path / "out" / f"session.{fmt}"
    target.parent.mkdir()
    written = cli("export", example_id, "--format", fmt, "-o", str(target),
                  archive=example_archive.root)
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert target.read_text("utf-8") == expected
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary files


def test_export_defaults_to_json(cli, example_archive, example_id):
    shown = cli("export", example_id, archive=example_archive.root)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == example_archive.transcript(example_id).to_dict()


# --- list, search, reindex --------------------------------------------------------------------

def test_list(cli, example_archive, example_id):
    session = example_archive.session(example_id)
    shown = cli("list", archive=example_archive.root)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        f"{example_id}\t{REFERENCE['date']}\t{REFERENCE['unit']}\t{clock(session.duration)[:8]}"
        f"\tpublished\t{REFERENCE['title']}"
    ]


def test_list_of_an_empty_archive(cli, tmp_path):
    (tmp_path / "archive").mkdir()
    shown = cli("list", archive=tmp_path / "archive")
    assert (shown.returncode, shown.stdout, shown.stderr) == (0, "", "")
    assert list((tmp_path / "archive").iterdir()) == []


@pytest.mark.parametrize("args", [["list"], ["search", "salary"], ["search", "salary", "--json"],
                                  ["export", "2026-01-01-no-such-session"], ["reindex"]],
                         ids=["list", "search", "search-json", "export", "reindex"])
def test_only_ingest_makes_an_archive(cli, tmp_path, args):
    """Every other command refuses a folder that does not exist, and does not create it."""
    root = tmp_path / "nothing-yet"
    result = cli(*args, archive=root)
    assert_one_error_line(result, f"no archive at {root}")
    assert result.returncode == 1
    assert result.stdout == ""
    assert not root.exists()


@pytest.mark.parametrize("args", [
    [], ["frobnicate"], ["list", "--bogus"], ["search", "salary", "--page", "two"],
    ["search", "salary", "--sort", "best"], ["export", "x", "--format", "doc"], ["ingest", "x.mp4"],
], ids=["no-command", "unknown-command", "unknown-option", "page-not-a-number",
        "unknown-sort", "unknown-format", "ingest-without-details"])
def test_usage_errors_are_one_line_and_exit_2(cli, tmp_path, args):
    root = tmp_path / "archive"
    result = cli(*args, archive=root)
    assert_one_error_line(result, "")
    assert result.returncode == 2
    assert result.stdout == ""
    assert not root.exists()


def test_search(cli, example_archive, example_id):
    shown = cli("search", f'"{CLASS_SIZE}"', "--json", archive=example_archive.root)
    assert shown.returncode == 0, shown.stderr
    page = json.loads(shown.stdout)
    assert page["total"] == 1
    hit = page["hits"][0]
    assert hit["session"] == example_id
    assert abs(hit["start"] - CLASS_SIZE_AT) <= 1.5
    assert hit["segment_start"] <= hit["start"] <= hit["end"]
    assert "<mark>" in hit["snippet"]
    # Who said it: the speaker of the segment that holds the hit.
    transcript = example_archive.transcript(example_id)
    (segment,) = [s for s in transcript.segments if s.start == hit["segment_start"]]
    assert segment.speaker
    assert hit["speaker"] == transcript.speaker_name(segment.speaker)

    shown = cli("search", f'"{CLASS_SIZE}"', archive=example_archive.root)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "1 results"
    assert lines[1] == (f"{example_id} [{clock(hit['start'])[:8]}] {hit['speaker']}: "
                        f"{hit['text']}")
    assert CLASS_SIZE in normalize(lines[1])


def test_search_filters_by_topic_and_speaker(cli, example_archive, example_id):
    transcript = example_archive.transcript(example_id)

    def run(*args: str) -> dict:
        return json.loads(cli("search", *args, "--json", archive=example_archive.root).stdout)

    on_topic = run("--topic", "mental-health")
    expected = [s.start for s in transcript.segments
                if transcript.chapter_of(s).topic_id == "mental-health"]
    assert sorted(h["segment_start"] for h in on_topic["hits"]) == expected
    assert on_topic["topic"] == "mental-health"
    first = transcript.segments[0]
    said = run("--speaker", transcript.speaker_name(first.speaker), "--topic", "class-size")
    assert said["total"] == sum(1 for s in transcript.segments if s.speaker == first.speaker
                                and transcript.chapter_of(s).topic_id == "class-size") > 0
    refused = cli("search", "--topic", "!!", archive=example_archive.root)
    assert (refused.returncode, refused.stderr) == (
        1, "ontherecord: error: the topic filter needs a topic\n")
    # A query is optional with a filter, not without one.
    bare = cli("search", archive=example_archive.root)
    assert (bare.returncode, bare.stderr) == (
        1, "ontherecord: error: empty query: type some words to search for\n")


def _search_index(archive: Archive):
    return SearchIndex(archive.index_dir).search(f'"{CLASS_SIZE}"')


@pytest.mark.parametrize("damage", ["deleted", "emptied"])
def test_reindex_rebuilds_from_the_archive_alone(cli, archive_copy, example_id, damage):
    segments = len(archive_copy.transcript(example_id).segments)
    if damage == "deleted":
        shutil.rmtree(archive_copy.index_dir)
    else:
        SearchIndex(archive_copy.index_dir).rebuild([])  # an index that has lost everything
        assert _search_index(archive_copy).total == 0

    result = cli("reindex", archive=archive_copy.root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"indexed {segments} segments from 1 sessions"
    page = _search_index(archive_copy)
    assert page.total == 1
    assert page.hits[0].session == example_id
    assert abs(page.hits[0].start - CLASS_SIZE_AT) <= 1.5
    assert sorted(p.name for p in archive_copy.root.iterdir() if "index" in p.name) == [".index"]


# --- the real entry point, in a process of its own -----------------------------------------


def test_help_of_the_real_command(cli_process):
    result = cli_process("--help")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("usage: ontherecord ")
    assert all(command in result.stdout for command in subcommands())


@pytest.mark.parametrize(("args", "code", "says"), [
    (["frobnicate"], 2, "invalid choice: 'frobnicate'"),
    (["list"], 1, "no archive at"),
], ids=["usage-error", "input-error"])
def test_exit_codes_of_the_real_command(cli_process, tmp_path, args, code, says):
    result = cli_process(*args, archive=tmp_path / "none")
    assert says in one_line_error(result, code)
    assert result.stdout == ""


def test_ctrl_c_stops_an_ingest_and_changes_nothing(cli, tmp_path):
    """SIGINT to the real process while it works: exit 130, one line, the archive as it was."""
    root = tmp_path / "archive"
    root.mkdir()
    assert cli("reindex", archive=root).returncode == 0  # an empty archive, with its index
    before = snapshot(root)
    process = start_process(*ingest_args(EXAMPLE), archive=root)
    try:
        # The ingest has begun once it stages its work (well inside main's error handling).
        deadline = time.monotonic() + 60
        staging = root / ".staging"
        while not (staging.is_dir() and any(staging.iterdir())):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the ingest never began"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert (out, err) == ("", "ontherecord: interrupted; the archive is unchanged\n")
    assert snapshot(root) == before
    assert not staging.exists() or list(staging.iterdir()) == []


# --- the README documents every command and option, each in the command's own part ----------


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Every `ontherecord` command with its parser."""
    from ontherecord.cli import build_parser

    action = next(a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction))
    return action.choices


def options(command: str) -> set[str]:
    """Every option string of a command but --help."""
    return {flag for action in subcommands()[command]._actions
            for flag in action.option_strings if flag not in ("-h", "--help")}


# Options every command takes (--archive): documented once for all, not under each command.
COMMON = set.intersection(*(options(c) for c in subcommands()))


def command_line_section(readme: str) -> str:
    """README.md's "The command line" section, up to the next section."""
    return readme.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]


def command_sections(readme: str) -> dict[str, str]:
    """Each command's own text in the README's command line section: its usage, from each
    `ontherecord COMMAND` in the code block to the next (with the usage of a command whose
    options it says it shares), and its bullet (`- **command** …`, up to the next bullet)."""
    section = command_line_section(readme)
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    usage: dict[str, str] = {}
    starts = list(re.finditer(r"ontherecord ([\w-]+)", block))  # export-all too
    for this, after in zip(starts, [*starts[1:], None], strict=True):
        text = block[this.start():after.start() if after else len(block)]
        usage[this.group(1)] = usage.get(this.group(1), "") + text
    own = dict(usage)
    for command, text in usage.items():
        for other in re.findall(r"same options as (\w+)", text):
            own[command] += usage[other]
    for bullet in re.findall(r"^- (.*?)(?=^- |^\S|\Z)", section, re.MULTILINE | re.DOTALL):
        names = re.match(r"(?:\*\*[\w-]+\*\*(?:,\s*)?)+", bullet)
        for command in re.findall(r"\*\*([\w-]+)\*\*", names.group(0) if names else ""):
            if command in own:
                own[command] += "\n" + bullet
    return own


def documents(text: str, flag: str) -> bool:
    """Whether the text names the option itself (--speaker is not --speakers)."""
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def test_each_command_section_is_its_own():
    """An option documented under another command does not count for this one."""
    readme = ("# x\n\n## The command line\n\n```sh\nontherecord search [QUERY] [--json]\n"
              "ontherecord speakers SESSION_ID\n```\n\n- **speakers** lists the speakers.\n"
              "- **search** prints hits (`--page N`).\n\n## Next\n\n- **speakers** --json\n")
    sections = command_sections(readme)
    assert documents(sections["search"], "--json") and documents(sections["search"], "--page")
    assert not documents(sections["speakers"], "--json")
    assert not documents("--speakers N", "--speaker")


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_command_and_option_is_documented_in_its_own_section(command):
    readme = (ROOT / "README.md").read_text("utf-8")
    sections = command_sections(readme)
    assert command in sections, f"`ontherecord {command}` has no usage line in README.md"
    for flag in sorted(options(command) - COMMON):
        assert documents(sections[command], flag), (
            f"`ontherecord {command} {flag}` is not documented under {command} in README.md")
    for flag in sorted(COMMON):
        assert documents(command_line_section(readme), flag), f"{flag} is not in README.md"

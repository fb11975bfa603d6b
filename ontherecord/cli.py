"""The `ontherecord` command: ingest, search, export, speakers, reindex, list and serve."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ontherecord import alerts, roster, service
from ontherecord.archive import Archive, copy_atomic, default_root, write_text_atomic
from ontherecord.details import Details
from ontherecord.errors import InputError, OnTheRecordError
from ontherecord.events import Change
from ontherecord.model import SIDES, RosterMember, Transcript
from ontherecord.taxonomy import load_taxonomy
from ontherecord.text import printable
from ontherecord.timecode import clock, parse_time

FORMATS = ("json", "vtt", "srt", "txt", "rttm")


def details_of(args: argparse.Namespace, title: str | None = None) -> Details:
    """The session details the --title/--date/--unit/--person/--roster/--speakers flags give."""
    return Details(title or args.title, args.date, args.unit, roster=roster_of(args),
                   speaker_count=args.speakers)


def roster_of(args: argparse.Namespace) -> list[RosterMember]:
    """Who was at the table: each --person "Name;side;role", then the --roster CSV file's."""
    people = [roster.member(person.split(";", 2)) for person in args.person]
    return people + (roster.read_csv(args.roster) if args.roster else [])


def cmd_ingest(args: argparse.Namespace, archive: Archive) -> int:
    """Ingest each recording (a file or a web address) as its own session; print each id."""
    options = ingest_options(args)
    details_of(args).checked()  # before any recording is read
    failed = 0
    for n, path in enumerate(args.paths, 1):
        title = args.title
        if len(args.paths) > 1:
            title = f"{args.title} (part {n} of {len(args.paths)})"
        try:
            change = service.ingest(archive, path, details_of(args, title), **options)
        except (OnTheRecordError, OSError) as e:
            print(f"ontherecord: error: {e}", file=sys.stderr)
            failed += 1
        else:
            print_ingested(change, path, args)
    return 1 if failed else 0


def ingest_options(args: argparse.Namespace) -> dict[str, Any]:
    """The service.ingest options that the flags of ingest and record ask for."""
    from ingest.asr import AsrOptions
    from ontherecord.progress import for_terminal

    return {"asr_options": AsrOptions(model=args.model, language=args.language),
            "speaker_options": speaker_counts(args), "publish": args.publish,
            "progress": for_terminal(args.quiet), "live": args.command == "record"}


def print_ingested(change: Change, source: str, args: argparse.Namespace) -> None:
    """The session a recording became: its id, or its record with --json."""
    session = change.session
    if not change.created and not args.quiet:
        print(f"{source}: already in the archive as {session.id}", file=sys.stderr)
    print(json.dumps(session.to_dict(), ensure_ascii=False) if args.json else session.id)


def cmd_record(args: argparse.Namespace, archive: Archive) -> int:
    """Capture a live stream until it ends (or Ctrl-C), then ingest what was captured."""
    options = ingest_options(args)
    details = details_of(args).checked()
    if not args.quiet:
        print(f"recording {args.url} until the stream ends (Ctrl-C stops it and ingests "
              "what was recorded)", file=sys.stderr)
    print_ingested(service.ingest(archive, args.url, details, **options), args.url, args)
    return 0


def speaker_counts(args: argparse.Namespace):
    """The diarization options the --speakers/--min-speakers/--max-speakers flags ask for."""
    from ingest.diarize import DiarizeOptions

    options = DiarizeOptions(speakers=args.speakers, min_speakers=args.min_speakers,
                             max_speakers=args.max_speakers)
    options.check()
    return options


def cmd_diarize(args: argparse.Namespace, archive: Archive) -> int:
    """Find a session's speakers again, keeping the names staff gave; reindex it."""
    from ontherecord.progress import for_terminal

    change = service.rediarize(archive, args.session, speaker_counts(args),
                               for_terminal(args.quiet))
    print_speakers(change.transcript, as_json=False)
    return 0


def cmd_search(args: argparse.Namespace, archive: Archive) -> int:
    """Print the hits of a query, one per line, or as JSON."""
    from index.store import SearchIndex

    service.heal(archive)  # a killed process may have left the index behind the archive
    page = SearchIndex.of(archive).search(
        args.query, page=args.page, sort=args.sort, speaker=args.speaker, topic=args.topic,
        unit=args.unit, side=args.side, date_from=args.date_from, date_to=args.date_to)
    if args.json:
        print(json.dumps(page.to_dict(), ensure_ascii=False, indent=1))
        return 0
    pages = f" (page {page.page} of {page.pages})" if page.pages > 1 else ""
    print(f"{page.total} results{pages}")
    if page.summary.suggestion:
        print(f"did you mean: {page.summary.suggestion}", file=sys.stderr)
    for hit in page.hits:
        who = f" {hit.speaker}:" if hit.speaker else ""
        print(f"{hit.session} [{clock(hit.start)[:8]}]{who} {hit.text}")
    return 0


def cmd_export_all(args: argparse.Namespace, archive: Archive) -> int:
    """Write every public session as JSON Lines (the site's /data/archive.jsonl).

    To stdout, or to a file: one named *.gz gets the gzipped copy.
    """
    from ontherecord import bulk

    bulk.heal(archive)  # made afresh if the archive changed since, under the licence it states
    if not args.output:
        with open(archive.bulk_path, "rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer)
        return 0
    target = Path(args.output)
    if not target.parent.is_dir():
        raise InputError(f"{target.parent}: no such folder for the output file")
    source = bulk.gzip_path(archive) if target.suffix == ".gz" else archive.bulk_path
    copy_atomic(source, target)
    return 0


def cmd_export(args: argparse.Namespace, archive: Archive) -> int:
    """Write a session's transcript in one format to stdout or a file."""
    from ontherecord.exports import WRITERS

    text = WRITERS[args.format].render(archive.transcript(args.session))
    if not args.output:
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    if not target.parent.is_dir():
        raise InputError(f"{target.parent}: no such folder for the output file")
    write_text_atomic(target, text)
    return 0


def cmd_speakers(args: argparse.Namespace, archive: Archive) -> int:
    """List a session's speakers or their suggested names, or change who said what.

    Name, merge or split speakers, give lines to another, take or turn down a suggested name;
    each edit reaches the index at once.
    """
    transcript = None
    session = args.session
    if args.merge:
        transcript = service.merge_speakers(archive, session, *args.merge).transcript
    if args.line:
        at = parse_time(args.line[0])
        transcript = service.reassign_lines(archive, session, args.line[1],
                                            times=(at, at)).transcript
    if args.lines:
        times = (parse_time(args.lines[0]), parse_time(args.lines[1]))
        transcript = service.reassign_lines(archive, session, args.lines[2],
                                            times=times).transcript
    if args.split:
        from ontherecord.progress import for_terminal

        transcript = service.split_speaker(archive, session, args.split,
                                           for_terminal(args.quiet)).transcript
    if args.accept:
        transcript = service.accept_suggestion(archive, session, *args.accept).transcript
    if args.reject:
        transcript = service.reject_suggestion(archive, session, *args.reject).transcript
    if args.name or args.side is not None or args.role is not None:
        ref, new_name = args.name or (args.speaker, None)
        if ref is None:
            raise InputError("say which speaker: --name S2 \"Jane Doe\", or --speaker S2")
        transcript = service.name_speaker(archive, session, ref, new_name, args.side,
                                          args.role).transcript
    transcript = transcript or archive.transcript(session)
    if args.suggestions:
        print_suggestions(transcript, args.json)
    else:
        print_speakers(transcript, args.json)
    return 0


def print_suggestions(transcript: Transcript, as_json: bool) -> None:
    """The names suggested for a session's speakers: speaker, name, source, evidence."""
    if as_json:
        print(json.dumps([asdict(s) for s in transcript.suggestions], ensure_ascii=False,
                         indent=1))
        return
    for s in transcript.suggestions:
        how = f"voice, score {s.score}" if s.source == "voice" else s.source
        said = f"\t[{clock(s.start or 0.0)[:8]}] {printable(s.evidence)}" if s.evidence else ""
        facts = "; ".join(x for x in (s.side, s.role, how) if x)
        print(f"{s.speaker}\t{printable(s.name)}\t{facts}{said}")


def print_speakers(transcript: Transcript, as_json: bool) -> None:
    """A session's speakers, a tab-separated line each (id, name, talk time, facts), or JSON."""
    if as_json:
        print(json.dumps([asdict(s) for s in transcript.speakers], ensure_ascii=False, indent=1))
        return
    for s in transcript.speakers:
        how = {"staff": "named by staff", "voice": f"recognized by voice, score {s.score}"}
        facts = [x for x in (s.side, s.role, how.get(s.named_by or "", "unnamed")) if x]
        print(f"{s.id}\t{s.display}\t{clock(s.talk_time)[:8]}\t{'; '.join(facts)}")


def chapter_number(text: str) -> int:
    """A chapter number as typed (counted from 1)."""
    if not (text.isascii() and text.isdigit()):
        raise InputError(f"chapter numbers are whole numbers from 1, not {text!r}")
    return int(text)


def cmd_chapters(args: argparse.Namespace, archive: Archive) -> int:
    """List a session's chapters, or find them again, retitle one or move one to another topic.

    Every edit asked for is made before anything is saved, so a refused one changes nothing.
    """
    retitle = (chapter_number(args.title[0]), args.title[1]) if args.title else None
    retopic = (chapter_number(args.topic[0]), args.topic[1]) if args.topic else None
    if args.find or retitle or retopic:
        transcript = service.edit_chapters(archive, args.session, find=args.find,
                                           retitle=retitle, retopic=retopic).transcript
    else:
        transcript = archive.transcript(args.session)
    if args.json:
        print(json.dumps([asdict(c) for c in transcript.chapters], ensure_ascii=False, indent=1))
        return 0
    for n, c in enumerate(transcript.chapters, 1):
        edited = "\tedited by staff" if c.edited else ""
        print(f"{n}\t{clock(c.start)[:8]}\t{c.topic_id}\t{printable(c.title)}{edited}")
    return 0


def cmd_topics(args: argparse.Namespace, archive: Archive) -> int:
    """List the archive's topics with how many chapters are on each."""
    from ontherecord.chapters import counts

    taxonomy = load_taxonomy(archive.taxonomy_path)
    found = counts(archive)
    print(f"topics from {archive.taxonomy_path or 'the default taxonomy'}", file=sys.stderr)
    for topic in taxonomy:
        n = found.get(topic.id, 0)
        print(f"{topic.id}\t{topic.name}\t{n} {'chapter' if n == 1 else 'chapters'}")
    return 0


def cmd_reindex(args: argparse.Namespace, archive: Archive) -> int:
    """Rebuild the search index from the archive alone."""
    count = service.reindex(archive, args.engine)
    print(f"indexed {count} segments from {len(archive.ids())} sessions", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace, archive: Archive) -> int:
    """List the archive's sessions, newest first, with each one's state."""
    for s in archive.sessions():
        state = f"{s.state}, closed" if s.closed else s.state
        print(f"{s.id}\t{s.date}\t{printable(s.unit)}\t{clock(s.duration)[:8]}\t{state}\t"
              f"{printable(s.title)}")
    return 0


def cmd_state(args: argparse.Namespace, archive: Archive) -> int:
    """Publish, withdraw or close a session; the public search follows at once."""
    session = service.change_state(archive, args.session, args.command).session
    print(f"{session.id}\t{session.state}{', closed' if session.closed else ''}")
    return 0


def cmd_edit(args: argparse.Namespace, archive: Archive) -> int:
    """Change a session's details (title, date, unit, description, source link, roster)."""
    people = roster_of(args) if args.person or args.roster else None
    session = service.edit_details(archive, args.session, title=args.title, date=args.date,
                                   unit=args.unit, description=args.description,
                                   source_url=args.source_url, roster=people,
                                   speaker_count=args.speakers).session
    print(json.dumps(session.to_dict(), ensure_ascii=False, indent=1))
    return 0


def cmd_correct(args: argparse.Namespace, archive: Archive) -> int:
    """Correct the text of the segment said at a time; the fix is logged publicly."""
    fix = service.correct(archive, args.session, args.text, at=parse_time(args.at)).correction
    assert fix is not None  # a correction always logs its fix
    print(f"[{clock(fix.start)[:8]}] {fix.before}\n        -> {fix.after}")
    return 0


def read_password(args: argparse.Namespace) -> str:
    """A new password: one line from stdin (--password-stdin), else typed twice at a prompt."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InputError("no terminal to ask for a password on: use --password-stdin")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise InputError("the two passwords differ")
    return password


def cmd_staff(args: argparse.Namespace, archive: Archive) -> int:
    """Add, list or remove staff accounts, or set one's password."""
    from ontherecord import staff

    if args.action == "list":
        for account in staff.load(archive).values():
            locked = f"\tlocked until {account.locked_until}" if account.locked_until else ""
            print(f"{account.name}\tsince {account.created}{locked}")
        return 0
    if not args.name:
        raise InputError(f"staff {args.action} needs the account's NAME")
    if args.action == "remove":
        staff.remove(archive, args.name)
    elif args.action == "add":
        staff.check_name(args.name)
        staff.add(archive, args.name, read_password(args))
    else:
        staff.set_password(archive, args.name, read_password(args))
    print(f"staff {args.action}: {staff.check_name(args.name)}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace, archive: Archive) -> int:
    """Serve the web app: waitress normally, Flask's reloading server with --debug."""
    from search_app import create_app

    app = create_app({"ARCHIVE": str(archive.root)})
    url = f"http://{args.host}:{args.port}/"
    print(f"On the Record: serving {archive.root} at {url}", file=sys.stderr)
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
    else:
        import waitress

        from search_app.settings import waitress_options

        waitress.serve(app, host=args.host, port=args.port, threads=8, _quiet=True,
                       **waitress_options(app.config))
    return 0


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other error of the command."""

    def error(self, message: str):
        """Exit 2 with one line naming the problem and where to find help."""
        self.exit(2, f"ontherecord: error: {message} (see {self.prog} --help)\n")


def add_ingest_options(p: argparse.ArgumentParser) -> None:
    """The options of every command that makes a session: its details and how to transcribe."""
    p.add_argument("--title", required=True, help="session title")
    p.add_argument("--date", required=True, help="session date, YYYY-MM-DD")
    p.add_argument("--unit", required=True, help='bargaining unit, e.g. "Teachers"')
    p.add_argument("--model", default="base",
                   help="Whisper model: base (default), tiny.en, a CTranslate2 folder, or a "
                        "faster-whisper model name (needs a network)")
    p.add_argument("--language", default="en", help="spoken language code (default: en)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or notices")
    p.add_argument("--json", action="store_true", help="print the session record as JSON")
    p.add_argument("--publish", action="store_true",
                   help="publish each session at once (else it is a draft, staff only)")
    add_roster_options(p)


def add_roster_options(p: argparse.ArgumentParser) -> None:
    """The options that say who was at the table (--speakers N says how many voices)."""
    p.add_argument("--person", action="append", default=[], metavar='"NAME;SIDE;ROLE"',
                   help='someone at the table, e.g. "Mark Ellison;district;Chief negotiator" '
                        "(repeatable; side and role may be left off); a roster caps the "
                        "number of voices found and its names are offered for naming")
    p.add_argument("--roster", type=Path, metavar="FILE",
                   help="a CSV file of the people at the table: name, side, role")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    common = Parser(add_help=False)
    common.add_argument("--archive", type=Path, default=None,
                        help="archive folder (default: $ONTHERECORD_ARCHIVE or ./archive)")
    parser = Parser(prog="ontherecord", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    counts = Parser(add_help=False)
    counts.add_argument("--speakers", type=int, metavar="N",
                        help="exactly N voices (default: found)")
    counts.add_argument("--min-speakers", type=int, default=1, metavar="N",
                        help="at least N voices (default: 1)")
    counts.add_argument("--max-speakers", type=int, default=15, metavar="N",
                        help="at most N voices (default: 15)")

    p = sub.add_parser("ingest", parents=[common, counts],
                       help="transcribe recordings into the archive")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="recording(s): a video or audio file, or an http(s) address of one or "
                        "of an HLS stream (.m3u8)")
    add_ingest_options(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("record", parents=[common, counts],
                       help="capture a live HLS stream until it ends, then ingest it")
    p.add_argument("url", metavar="URL", help="the stream's playlist address (.m3u8)")
    add_ingest_options(p)
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("search", parents=[common], help="search the archive")
    p.add_argument("query", nargs="?", default="",
                   help='words, "phrases", AND/OR/NOT, prefix*, field:value')
    p.add_argument("--speaker", default="", metavar="NAME", help="only what this person said")
    p.add_argument("--topic", default="", metavar="TOPIC_ID",
                   help="only chapters on this topic (an id from `ontherecord topics`)")
    p.add_argument("--unit", default="", help="only sessions of this bargaining unit")
    p.add_argument("--side", default="", help="only what speakers of this side said")
    p.add_argument("--from", dest="date_from", default="", metavar="YYYY-MM-DD",
                   help="only sessions held on or after this day")
    p.add_argument("--to", dest="date_to", default="", metavar="YYYY-MM-DD",
                   help="only sessions held on or before this day")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")
    p.add_argument("--json", action="store_true", help="print the result page as JSON")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("export", parents=[common], help="export a session's transcript")
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("--format", choices=FORMATS, default="json")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("export-all", parents=[common],
                       help="write every public session as JSON Lines (the bulk data file)")
    p.add_argument("-o", "--output", help="write to this file instead of stdout (*.gz: gzipped)")
    p.set_defaults(func=cmd_export_all)

    p = sub.add_parser("speakers", parents=[common],
                       help="list a session's speakers, name, merge or split them, or give "
                            "lines to another")
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("--name", nargs=2, metavar=("SPEAKER", "NAME"),
                   help='name a speaker: --name S2 "Jane Doe" ("" removes the name)')
    p.add_argument("--speaker", metavar="SPEAKER", help="the speaker --side/--role apply to")
    p.add_argument("--side", choices=(*SIDES, ""), help="which side the speaker is on")
    p.add_argument("--role", help='the speaker\'s role, e.g. "Chief negotiator"')
    p.add_argument("--merge", nargs=2, metavar=("FROM", "INTO"),
                   help="one person diarized as two voices: fold FROM into INTO")
    p.add_argument("--line", nargs=2, metavar=("TIME", "SPEAKER"),
                   help='give the line said at TIME to SPEAKER ("new" for a new speaker); '
                        "logged publicly, and kept when speakers are found again")
    p.add_argument("--lines", nargs=3, metavar=("FROM", "TO", "SPEAKER"),
                   help="give the lines said from one time to another to SPEAKER (or new)")
    p.add_argument("--split", metavar="SPEAKER",
                   help="two people diarized as one voice: the lines of the second voice "
                        "found among SPEAKER's become a new speaker")
    p.add_argument("--suggestions", action="store_true",
                   help="list the names suggested for the speakers instead")
    p.add_argument("--accept", nargs=2, metavar=("SPEAKER", "NAME"),
                   help="name SPEAKER as suggested")
    p.add_argument("--reject", nargs=2, metavar=("SPEAKER", "NAME"),
                   help="turn a suggested name down (a voice match's name is taken back)")
    p.add_argument("--quiet", action="store_true", help="no progress bar (--split)")
    p.add_argument("--json", action="store_true", help="print the speakers as JSON")
    p.set_defaults(func=cmd_speakers)

    p = sub.add_parser("chapters", parents=[common],
                       help="list a session's chapters, find them again, retitle one or "
                            "change its topic")
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("--find", action="store_true",
                   help="find the chapters again with the archive's taxonomy (staff edits kept)")
    p.add_argument("--title", nargs=2, metavar=("N", "TITLE"), help="retitle chapter N")
    p.add_argument("--topic", nargs=2, metavar=("N", "TOPIC_ID"),
                   help="move chapter N to another topic of the taxonomy")
    p.add_argument("--json", action="store_true", help="print the chapters as JSON")
    p.set_defaults(func=cmd_chapters)

    p = sub.add_parser("topics", parents=[common],
                       help="list the archive's topics (its taxonomy.toml, or the default)")
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser("diarize", parents=[common, counts],
                       help="find a session's speakers again (names carry over)")
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_diarize)

    p = sub.add_parser("reindex", parents=[common], help="rebuild the search index")
    p.add_argument("--engine", choices=("auto", "whoosh", "tantivy"), default=None,
                   help="build it with this engine from now on; auto: Whoosh under 10 hours "
                        "of public recordings, Tantivy from there (default: as it was built; "
                        "a new index: $ONTHERECORD_ENGINE or auto)")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("list", parents=[common], help="list sessions, newest first")
    p.set_defaults(func=cmd_list)

    for name, says in (("publish", "make a session public (never a closed one)"),
                       ("withdraw", "take a published session off the public site"),
                       ("close", "mark a closed session: never public")):
        p = sub.add_parser(name, parents=[common], help=says)
        p.add_argument("session", metavar="SESSION_ID")
        p.set_defaults(func=cmd_state)

    p = sub.add_parser("edit", parents=[common],
                       help="change a session's title, date, unit, description or source link")
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("--title")
    p.add_argument("--date", help="YYYY-MM-DD")
    p.add_argument("--unit", help="bargaining unit")
    p.add_argument("--description", help="a paragraph or two about the session")
    p.add_argument("--source-url", help="where the original recording is published (http/https)")
    add_roster_options(p)
    p.add_argument("--speakers", type=int, metavar="N", help="how many voices were heard")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("correct", parents=[common],
                       help="correct what the transcript says at a time (logged publicly)")
    p.add_argument("session", metavar="SESSION_ID")
    p.add_argument("at", metavar="TIME", help="a time in the segment: seconds or h:mm:ss")
    p.add_argument("text", metavar="TEXT", help="the segment's corrected text")
    p.set_defaults(func=cmd_correct)

    p = sub.add_parser("staff", parents=[common],
                       help="staff accounts: add, passwd, remove, list")
    p.add_argument("action", choices=("add", "passwd", "remove", "list"))
    p.add_argument("name", nargs="?", metavar="NAME", help="the login name")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin (for scripts)")
    p.set_defaults(func=cmd_staff)

    p = sub.add_parser("serve", parents=[common], help="serve the web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--debug", action="store_true", help="Flask's debug server with reloading")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; user errors become one line on stderr and a non-zero exit."""
    args = build_parser().parse_args(argv)
    archive = Archive(args.archive or default_root())
    try:
        if args.func not in (cmd_ingest, cmd_record, cmd_staff) and not archive.root.is_dir():
            raise InputError(f"no archive at {archive.root}: ingest a recording first, "
                             "or name the archive with --archive")
        # A session published from here alerts its followers, if ONTHERECORD_MAIL_… are set.
        alerts.listen(archive, alerts.MailSettings.from_env())
        return args.func(args, archive)
    except BrokenPipeError:
        # The reader went away (`ontherecord export … | head`): not an error of ours.
        return 0
    except (OnTheRecordError, OSError) as e:
        # OSError: the disk is full, a folder is not writable… the user's to fix, not a bug.
        print(f"ontherecord: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("ontherecord: interrupted; the archive is unchanged", file=sys.stderr)
        return 130

"""The OpenAPI 3.1 document of the public API and files: the one description of them.

Served as JSON at /api/openapi.json and as a page at /api/docs. Conventions the docs page and
the tests (tests/test_openapi.py) rely on:

- a parameter's `example` goes into the example request (the docs' link, the tests' request);
  values that only illustrate go in its schema's `examples`;
- a 4xx (or 302) response's `x-when` lists parameter values that bring it about (the tests
  send them); `x-when-archive-empty` marks the answer given while no session is public;
- an operation's first response is its answer to the example request;
- every public route of the app is described here, or the tests fail naming it.

To describe a route: add `PATHS["/its/{arg}"] = get(...)` below (path arguments named as in
the Flask rule), with its parameters (`path_arg`, `query`, or the shared ones) and
`responses(ok(...), error(...))`; a JSON answer's schema goes in SCHEMAS and is referred to
with `ref("Name")`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from index.store import SORTS
from ontherecord.bulk import FORMAT
from ontherecord.exports import WRITERS
from ontherecord.model import SIDES
from search_app.clips import KINDS

Schema = dict[str, Any]

# --- building blocks ------------------------------------------------------------------------


def ref(name: str) -> Schema:
    """A reference to a schema of SCHEMAS."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """The schema, or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def obj(description: str, properties: dict[str, Schema]) -> Schema:
    """An object with exactly these properties, all present (the app always sends them all)."""
    return {"type": "object", "description": description, "properties": properties,
            "required": list(properties), "additionalProperties": False}


def array(items: Schema) -> Schema:
    """A list of items."""
    return {"type": "array", "items": items}


def text(description: str, **more: Any) -> Schema:
    """A string property."""
    return {"type": "string", "description": description, **more}


def number(description: str) -> Schema:
    """A number property."""
    return {"type": "number", "description": description}


def integer(description: str) -> Schema:
    """A whole number property."""
    return {"type": "integer", "description": description}


def seconds(description: str) -> Schema:
    """A time in seconds from the start of the session's recording."""
    return {"type": "number", "minimum": 0, "description": f"{description} (seconds)"}


def path_arg(name: str, description: str, example: str, **schema: Any) -> Schema:
    """A path argument (named as in the Flask rule)."""
    return {"name": name, "in": "path", "required": True, "description": description,
            "example": example, "schema": {"type": "string", **schema}}


def query(name: str, description: str, example: str | None = None, required: bool = False,
          **schema: Any) -> Schema:
    """A query argument; with an example, the example request includes it."""
    found: Schema = {"name": name, "in": "query", "required": required,
                     "description": description, "schema": {"type": "string", **schema}}
    if example is not None:
        found["example"] = example
    return found


def json_content(schema: Schema) -> dict[str, Schema]:
    """A JSON body of this schema."""
    return {"application/json": {"schema": schema}}


def ok(description: str, content: dict[str, Schema], status: str = "200") -> dict[str, Schema]:
    """A successful response, by status."""
    return {status: {"description": description, "content": content}}


def error(status: int, description: str, *when: dict[str, str],
          body: dict[str, Schema] | None = None, empty: bool = False) -> dict[str, Schema]:
    """An error response: a JSON Error (under /api), else `body` (HTML, PLAIN).

    `when`: parameter values that each bring it about; `empty`: it is the answer while no
    session is public, whatever the parameters.
    """
    answer: Schema = {"description": description, "content": body or json_content(ref("Error")),
                      "x-when": list(when)}
    if empty:
        answer["x-when-archive-empty"] = True
    return {str(status): answer}


def redirect(description: str, target: str, *when: dict[str, str]) -> dict[str, Schema]:
    """A 302 to `target`: the answer itself, or (with `when`) what these values bring about."""
    answer: Schema = {"description": description, "headers": {"Location": {
        "description": target, "schema": {"type": "string", "format": "uri-reference"}}}}
    if when:
        answer["x-when"] = list(when)
    return {"302": answer}


def responses(*parts: dict[str, Schema]) -> dict[str, Schema]:
    """Responses by status, from ok(), redirect() and error() parts."""
    return {status: response for part in parts for status, response in part.items()}


def get(tag: str, summary: str, description: str, parameters: list[Schema],
        answers: dict[str, Schema], operation_id: str) -> dict[str, Schema]:
    """A path item with one GET operation."""
    return {"get": {"tags": [tag], "summary": summary, "description": description,
                    "operationId": operation_id, "parameters": parameters,
                    "responses": answers}}


HTML = {"text/html": {"schema": {"type": "string"}}}
PLAIN = {"text/plain": {"schema": {"type": "string"}}}

# --- schemas --------------------------------------------------------------------------------

SESSION_FIELDS: dict[str, Schema] = {
    "id": text("the session's id: never changes"),
    "title": text("title"),
    "date": text("when the session was held (YYYY-MM-DD)", format="date"),
    "unit": text("the bargaining unit"),
    "duration": seconds("length of the recording"),
    "description": text("what staff wrote about it (may be empty)"),
    "source_url": text("where the district publishes the original recording (may be empty)"),
}
SEGMENT_FIELDS: dict[str, Schema] = {
    "start": seconds("when the line starts"),
    "end": seconds("when it ends"),
    "text": text("what was said"),
    "speaker": nullable(text("the speaker's id in `speakers`")),
    "chapter": nullable(integer("index of its chapter in `chapters`")),
    "speaker_by": nullable(text('"staff" when staff set who said it', enum=["staff"])),
}
LOG_VERSION = nullable(integer("the session's version this change made (none before they "
                              "were kept)"))
LOG_FIELDS: dict[str, Schema] = {
    "corrections": array(ref("Correction")),
    "speaker_changes": array(ref("SpeakerChange")),
}
SUMMARY_FIELDS: dict[str, Schema] = {
    **SESSION_FIELDS, "url": text("its page", format="uri"),
    "transcript": text("its JSON transcript", format="uri")}
PERSON_FIELDS: dict[str, Schema] = {
    "name": text("their name, as staff wrote it"),
    "slug": text("their name in addresses"),
    "side": nullable(text("the side they are on", enum=list(SIDES))),
    "role": nullable(text('their role, e.g. "Chief negotiator"')),
    "sessions": integer("how many public sessions they spoke in"),
    "talk_time": seconds("how long they spoke, in every one together"),
    "url": text("their page", format="uri"),
    "api": text("their sessions as JSON", format="uri"),
    "feed": text("the Atom feed of what they say", format="uri")}
UNIT_FIELDS: dict[str, Schema] = {
    "name": text("the unit's name"), "slug": text("its name in addresses"),
    "sessions": integer("how many public sessions it has"),
    "url": text("its page", format="uri"), "api": text("its sessions as JSON", format="uri"),
    "feed": text("the Atom feed of its sessions' words", format="uri")}
HIT_FIELDS: dict[str, Schema] = {
    "session": text("the session's id"),
    "title": text("the session's title"),
    "date": text("the session's date", format="date"),
    "unit": text("the session's bargaining unit"),
}
FOUND_FIELDS: dict[str, Schema] = {
    "query": text("the query as asked"),
    **{name: text(f"the {name.replace('_', ' ')} filter as asked ('' for none)")
       for name in ("speaker", "topic", "unit", "side", "session", "date_from", "date_to")},
    "page": integer("this page's number, from 1"),
    "pages": integer("how many pages there are"),
    "total": integer("how many moments (segments) match, in every session"),
    "sessions": integer("how many sessions have a match"),
    "sort": text("the order", enum=list(SORTS)),
    "suggestion": nullable(text('a "did you mean" query that finds more')),
    "facets": {"type": "object", "description": "counts of matches per value of each filter",
               "additionalProperties": {"type": "object",
                                        "additionalProperties": {"type": "integer"}}},
}

SCHEMAS: dict[str, Schema] = {
    "Error": obj("What went wrong, in one line", {
        "error": text("what to fix"), "status": integer("the HTTP status")}),
    "Word": obj("One recognized word", {
        "start": seconds("start"), "end": seconds("end"), "word": text("the word"),
        "probability": number("the recognizer's confidence, 0 to 1")}),
    "Segment": obj("A line of the transcript", {**SEGMENT_FIELDS, "words": array(ref("Word"))}),
    "Speaker": obj("A voice in the session", {
        "id": text("id, as segments refer to it"), "label": text('"Speaker 2" until named'),
        "name": nullable(text("the person's name")),
        "side": nullable(text("the side they are on", enum=list(SIDES))),
        "role": nullable(text('their role, e.g. "Chief negotiator"')),
        "talk_time": seconds("how long they spoke"),
        "named_by": nullable(text("who named them: staff, or the voice registry",
                                  enum=["staff", "voice"])),
        "score": nullable(number("a voice match's cosine similarity"))}),
    "Chapter": obj("A stretch of the session on one topic", {
        "start": seconds("start"), "end": seconds("end"), "title": text("title"),
        "topic": text("the topic's name"), "topic_id": text("the topic's id"),
        "edited": {"type": "boolean", "description": "whether staff edited it"}}),
    "Turn": obj("Who held the floor when (the diarization)", {
        "start": seconds("start"), "end": seconds("end"), "speaker": text("speaker id")}),
    "Correction": obj("A staff fix to a line's text, logged publicly", {
        "at": text("when (ISO 8601 UTC)", format="date-time"),
        "start": seconds("the line's start"), "before": text("the text before"),
        "after": text("the text after"), "version": LOG_VERSION}),
    "SpeakerChange": obj("A staff change to who said which lines, logged publicly", {
        "at": text("when (ISO 8601 UTC)", format="date-time"),
        "start": seconds("the first line changed"), "before": text("the speaker before"),
        "after": text("the speaker after"), "lines": integer("how many lines"),
        "how": text("how", enum=["reassign", "split", "merge", "rediarize"]),
        "version": LOG_VERSION}),
    "Session": obj("A session's public details", SESSION_FIELDS),
    "SessionSummary": obj("A session in the list, with its links", SUMMARY_FIELDS),
    "Transcript": obj("A whole session: the JSON export", {
        "session": ref("Session"), "segments": array(ref("Segment")),
        "speakers": array(ref("Speaker")), "chapters": array(ref("Chapter")),
        "turns": array(ref("Turn")), **LOG_FIELDS}),
    "HitChapter": obj("The chapter a hit is in", {
        "title": text("title"), "topic": text("topic's name"), "topic_id": text("topic's id")}),
    "Hit": obj("A matching line", {
        **HIT_FIELDS, "speaker": text("who said it (name, else label)"),
        "start": seconds("when the first matched word was said"), "end": seconds("line's end"),
        "segment_start": seconds("when the line starts"), "text": text("the line"),
        "snippet": text("the line with matched words in <mark> (HTML-escaped)"),
        "score": number("relevance"), "chapter": nullable(ref("HitChapter")),
        "segment": integer("the line's number in the transcript, from 0"),
        "url": text("the session page, opened at the moment", format="uri")}),
    "Group": obj("A session's best hits in grouped results", {
        **HIT_FIELDS, "count": integer("how many moments match in it"),
        "hits": array(ref("Hit"))}),
    "SearchPage": obj("A page of hits", {**FOUND_FIELDS, "hits": array(ref("Hit"))}),
    "GroupedPage": obj("A page of sessions with their best hits (group=session)", {
        **FOUND_FIELDS, "groups": array(ref("Group"))}),
    "Match": obj("A match within one session", {
        "segment": integer("the line's number in the transcript, from 0"),
        "start": seconds("when the matched words were said"), "end": seconds("line's end"),
        "snippet": text("the line with matched words in <mark>")}),
    "SessionMatches": obj("A query's matches in one session, in the order spoken", {
        "query": text("the query"), "total": integer("how many lines match"),
        "matches": array(ref("Match"))}),
    "QuotePart": obj("One speaker's words in a quote", {
        "speaker": text("the name shown (else the label)"),
        "side": nullable(text("their side")), "role": nullable(text("their role")),
        "who": text("the speaker with side and role, as cited"),
        "about": text("side and role, as cited (empty when neither is known)"),
        "text": text("their words quoted"), "start": seconds("their first word"),
        "end": seconds("their last word's end")}),
    "Citation": obj("A quoted passage, ready to cite", {
        "session_id": text("the session"), "title": text("its title"), "unit": text("its unit"),
        "date": text("its date", format="date"), "start": seconds("the first word quoted"),
        "end": seconds("the last word's end"), "times": text("the range as H:MM:SS–H:MM:SS"),
        "version": integer("the session's version quoted (the permalink's v)"),
        "has_video": {"type": "boolean", "description": "whether the recording has video"},
        "quote": text("the words quoted"), "parts": array(ref("QuotePart")),
        "permalink": text("the page that plays and marks the passage, pinned to the version",
                          format="uri"),
        "clips": {"type": "object", "description": "the passage cut from the recording, by "
                  "kind (m4a, and mp4 for a video); none for a passage longer than the "
                  "longest clip",
                  "additionalProperties": text("the clip", format="uri")},
        "text": text("the citation as plain text"), "markdown": text("… as Markdown"),
        "html": text("… as an HTML snippet")}),
    "Topic": obj("A topic of the taxonomy", {
        "id": text("its id"), "name": text("its name"),
        "chapters": integer("how many chapters the archive has on it"),
        "url": text("its page", format="uri"),
        "api": text("its chapters as JSON", format="uri")}),
    "TopicChapter": obj("A chapter on the topic", {
        "session": text("the session's id"), "session_title": text("the session's title"),
        "date": text("the session's date", format="date"), "unit": text("its unit"),
        "number": integer("the chapter's number in the session, from 1"),
        "title": text("the chapter's title"), "start": seconds("start"), "end": seconds("end"),
        "edited": {"type": "boolean", "description": "whether staff edited it"},
        "url": text("the session page, opened at the chapter", format="uri")}),
    "TopicChapters": obj("Every chapter on one topic, newest session first", {
        "id": text("the topic's id"), "name": text("the topic's name"),
        "chapters": array(ref("TopicChapter"))}),
    "Person": obj("Someone named in the public sessions", PERSON_FIELDS),
    "PersonSession": obj("A session a person spoke in", {
        **SUMMARY_FIELDS, "talk_time": seconds("how long they spoke in it")}),
    "PersonDetail": obj("A person, with the sessions they spoke in, newest first", {
        **PERSON_FIELDS, "sessions": array(ref("PersonSession"))}),
    "Unit": obj("A bargaining unit with public sessions", UNIT_FIELDS),
    "UnitDetail": obj("A unit, with its sessions and the people who spoke in them", {
        **UNIT_FIELDS, "sessions": array(ref("SessionSummary")),
        "people": array(ref("Person"))}),
    "BulkHeader": obj("The first line of the bulk data file", {
        "archive": obj("What the file holds", {
            "format": text("the file's format and its version", enum=[FORMAT]),
            "license": text("the data's licence (SPDX id)"),
            "license_url": text("the licence's text", format="uri"),
            "generated_at": text("when the file was made (UTC)", format="date-time"),
            "sessions": integer("how many sessions follow, one a line"),
            "versions": {"type": "object", "description": "each session's version, by id",
                         "additionalProperties": {"type": "integer"}}})}),
    "BulkSession": obj("A line of the bulk data file: one public session", {
        "session": obj("The session's details", {
            **SESSION_FIELDS,
            "published_at": text("when it was first made public (UTC; may be empty)"),
            "version": integer("counts the changes made to it"),
            "permalink": text("its page, as a path on the site")}),
        "segments": array(obj("A line of the transcript (without word timings)",
                              SEGMENT_FIELDS)),
        "speakers": array(ref("Speaker")), "chapters": array(ref("Chapter")), **LOG_FIELDS}),
}

# --- parameters -----------------------------------------------------------------------------

EXAMPLE_SESSION = "2026-03-10-teachers-bargaining-session-3-5f2a9c1e"
SESSION_ID = path_arg("session_id", "a public session's id (from /api/sessions)",
                      EXAMPLE_SESSION)
NO_SESSION = {"session_id": "2000-01-01-no-such-session"}
UNIT = query("unit", "only sessions of this bargaining unit", examples=["Teachers"])
DAYS = [query("from", "only sessions held on or after this day", format="date"),
        query("to", "only sessions held on or before this day", format="date")]
BAD_DAYS = ({"from": "March"}, {"from": "2026-04-01", "to": "2026-01-01"})
FILTERS = [
    query("speaker", "only what this person said (a name)", examples=["Jane Doe"]),
    query("topic", "only chapters on this topic (an id from /api/topics)",
          examples=["class-size"]),
    UNIT,
    query("side", "only what speakers of this side said", enum=list(SIDES)),
    *DAYS,
]
IN_SESSION = query("session", "only this session (its id)")
PERSON = path_arg("person_slug", "a person's slug (from /api/people)", "dana-whitfield")
NO_PERSON = {"person_slug": "nobody-at-all"}
UNIT_SLUG = path_arg("unit_slug", "a unit's slug (from /api/units)", "teachers")
NO_UNIT = {"unit_slug": "no-such-unit"}
NONE_PUBLIC = "no session has been published yet"
SEARCH_QUERY = query("q", 'the query: words, "phrases", AND/OR/NOT, prefix*, field:value',
                     "salary")
PAGE = query("page", "the page, from 1", pattern="^[0-9]+$")
SORT = query("sort", "the order of hits", enum=list(SORTS))
BAD_PAGE = ({"page": "0"}, {"sort": "loudest"}, {"q": '"class'})

# --- paths ----------------------------------------------------------------------------------

PATHS: dict[str, dict[str, Schema]] = {
    "/api/search": get(
        "Search", "Search every public session",
        "Hits for the query and filters, each with a url that opens the session at the "
        "moment, a page at a time, with facet counts and a \"did you mean\". "
        "With group=session, the sessions that match with their best hits instead.",
        [SEARCH_QUERY, *FILTERS, IN_SESSION, PAGE, SORT,
         query("group", "session: group the hits by session", enum=["session"])],
        responses(ok("a page of hits, or of sessions with group=session",
                     json_content({"oneOf": [ref("SearchPage"), ref("GroupedPage")]})),
                  error(400, "an unreadable query, page or sort: says what to fix",
                        *BAD_PAGE)),
        "search"),
    "/api/sessions": get(
        "Sessions", "List the public sessions",
        "Every public session, newest first, with links to its page and transcript; unit, "
        "from and to narrow the list as on /sessions/.", [UNIT, *DAYS],
        responses(ok("the sessions", json_content(array(ref("SessionSummary")))),
                  error(400, "a day not written YYYY-MM-DD, or a range that ends before it "
                        "starts", *BAD_DAYS)),
        "listSessions"),
    "/api/sessions/latest": get(
        "Sessions", "The newest session",
        "The newest public session (by the day it was held), with its links.", [],
        responses(ok("the session", json_content(ref("SessionSummary"))),
                  error(404, NONE_PUBLIC, empty=True)),
        "latestSession"),
    "/api/sessions/{session_id}": get(
        "Sessions", "A whole session",
        "The JSON export: details, lines with word timings, speakers, chapters, turns and "
        "the public correction log.", [SESSION_ID],
        responses(ok("the session", json_content(ref("Transcript"))),
                  error(404, "no public session has this id", NO_SESSION)),
        "getSession"),
    "/api/sessions/{session_id}/search": get(
        "Search", "Search within one session",
        "The lines of one session that match the query, in the order spoken (at most 2,000).",
        [SESSION_ID, SEARCH_QUERY],
        responses(ok("the matches", json_content(ref("SessionMatches"))),
                  error(400, "an unreadable query: says what to fix", {"q": '"class'}),
                  error(404, "no public session has this id", NO_SESSION)),
        "searchSession"),
    "/api/sessions/{session_id}/cite": get(
        "Sessions", "Cite a passage",
        "What was said between two times, who said it (with side and role), the session, a "
        "permalink pinned to the session's version and the clip's links; and the citation "
        "written as plain text, Markdown and an HTML snippet.",
        [SESSION_ID, query("t", "where the passage starts: seconds, or h:mm:ss", "1",
                           required=True),
         query("end", "where it ends", "4", required=True)],
        responses(ok("the citation", json_content(ref("Citation"))),
                  error(400, "a missing or bad range, or nothing said in it", {"t": "soon"},
                        {"end": "0.5"}),
                  error(404, "no public session has this id", NO_SESSION)),
        "cite"),
    "/api/topics": get(
        "Topics", "List the topics",
        "Every topic of the archive's taxonomy, with its count of chapters.", [],
        responses(ok("the topics", json_content(array(ref("Topic"))))), "listTopics"),
    "/api/topics/{topic_id}": get(
        "Topics", "Chapters on a topic",
        "Every chapter on one topic across the public sessions, newest session first.",
        [path_arg("topic_id", "a topic's id (from /api/topics)", "class-size")],
        responses(ok("the topic and its chapters", json_content(ref("TopicChapters"))),
                  error(404, "no such topic", {"topic_id": "no-such-topic"})),
        "getTopic"),
    "/api/people": get(
        "People", "List the people",
        "Everyone named in the public sessions, A to Z (names differing only in case or "
        "accents are one person), with side, role, sessions and talk time.", [],
        responses(ok("the people", json_content(array(ref("Person"))))), "listPeople"),
    "/api/people/{person_slug}": get(
        "People", "A person",
        "One person, with the public sessions they spoke in (newest first) and their talk time "
        "in each.", [PERSON],
        responses(ok("the person", json_content(ref("PersonDetail"))),
                  error(404, "no public session names anyone with this slug", NO_PERSON)),
        "getPerson"),
    "/api/units": get(
        "Units", "List the bargaining units",
        "Every bargaining unit with a public session, A to Z, with its count of sessions.", [],
        responses(ok("the units", json_content(array(ref("Unit"))))), "listUnits"),
    "/api/units/{unit_slug}": get(
        "Units", "A bargaining unit",
        "One unit: its public sessions newest first, and the people who spoke in them (their "
        "talk time in this unit's sessions).", [UNIT_SLUG],
        responses(ok("the unit", json_content(ref("UnitDetail"))),
                  error(404, "no unit with this slug has a public session", NO_UNIT)),
        "getUnit"),
    "/api/openapi.json": get(
        "Documentation", "This document", "The OpenAPI 3.1 description of the API.", [],
        responses(ok("the document", json_content({"type": "object"}))), "openapi"),
    "/api/docs": get(
        "Documentation", "This document as a page",
        "The description of every route, its parameters and answers, with example links.", [],
        responses(ok("the page", HTML)), "docs"),
    "/sessions/{session_id}": get(
        "Pages", "A session's page: the permalink",
        "The player opened at t, with the transcript beside it. Cite a moment with ?t=.",
        [SESSION_ID, query("t", "where to open: seconds, or 1:23, 1:02:03, 1h2m3s", "83"),
         query("q", "words to mark in the transcript (the site's query language)")],
        responses(ok("the page", HTML),
                  error(404, "no public session has this id", NO_SESSION, body=HTML)),
        "sessionPage"),
    "/sessions/{session_id}/transcript.{fmt}": get(
        "Sessions", "A transcript file",
        "The transcript as JSON (the same as /api/sessions/{session_id}), WebVTT captions, "
        "SRT subtitles, plain text, or the speaker turns as NIST RTTM.",
        [SESSION_ID, path_arg("fmt", "the format", "json", enum=list(WRITERS)),
         query("download", "1: sent as a file to save (Content-Disposition)", enum=["1"])],
        responses(
            ok("the transcript", {
                w.mimetype: {"schema": ref("Transcript") if w.name == "json"
                             else {"type": "string"}}
                for w in WRITERS.values()}),
            error(404, "no public session has this id, or no such format", NO_SESSION,
                  {"fmt": "docx"}, body=HTML)),
        "transcriptFile"),
    "/sessions/{session_id}/clip.{ext}": get(
        "Sessions", "A clip of the recording, or its captions",
        "The recording from t to end: m4a or mp3 audio, or mp4 video (a recording with a "
        "picture only; else 404), with the clip's captions as a subtitle track; vtt gives "
        "those captions as WebVTT, timed from the clip's start. Cut at the first request, "
        "then cached; byte ranges are served.",
        [SESSION_ID, path_arg("ext", "the kind of clip", "m4a", enum=[*KINDS, "vtt"]),
         query("t", "where the clip starts: seconds, or h:mm:ss", "2", required=True),
         query("end", "where it ends (at most CLIP_MAX_SECONDS after t)", "5", required=True),
         query("download", "1: sent as a file to save (Content-Disposition)", enum=["1"])],
        responses(ok("the clip", {**{media: {} for media in KINDS.values()},
                                  "text/vtt": {"schema": {"type": "string"}}}),
                  error(400, "t or end missing or unreadable, end not after t, past the "
                        "recording's end, or too long", {"end": "1"}, {"t": "soon"}, body=HTML),
                  error(404, "no public session has this id, no such kind of clip", NO_SESSION,
                        {"ext": "wav"}, body=HTML)),
        "clip"),
    "/sessions/{session_id}/media": get(
        "Sessions", "The recording",
        "The session's playable recording (video or audio, as recorded); byte ranges are "
        "served, so players can seek.", [SESSION_ID],
        responses(ok("the recording", {"video/*": {}, "audio/*": {}}),
                  ok("part of it, for a Range request", {"video/*": {}, "audio/*": {}},
                     "206"),
                  error(404, "no public session has this id", NO_SESSION, body=HTML)),
        "media"),
    "/sessions/feed.atom": get(
        "Feeds", "New sessions",
        "An Atom feed of the 50 sessions published last, newest first.", [],
        responses(ok("the feed", {"application/atom+xml": {"schema": {"type": "string"}}})),
        "sessionsFeed"),
    "/search/feed.atom": get(
        "Feeds", "A search as a feed",
        "Any search (the same arguments as /search) as an Atom feed: an entry per published "
        "session that matches (the 50 published last, newest first), holding its matching "
        "moments as links. With neither words nor a filter, a redirect to the feed of every "
        "new session.",
        [query("q", "the query (the site's query language); may be empty with a filter",
               "salary"), *FILTERS, IN_SESSION],
        responses(ok("the feed", {"application/atom+xml": {"schema": {"type": "string"}}}),
                  redirect("no words and no filter", "/sessions/feed.atom", {"q": ""}),
                  error(400, "a query or filter that cannot be read, in one line of text",
                        {"q": '"class'}, {"side": "nobody"}, *BAD_DAYS, body=PLAIN)),
        "searchFeed"),
    "/sessions/latest": get(
        "Pages", "The newest session's page",
        "A redirect to the page of the newest public session (by the day it was held).", [],
        responses(redirect("to the newest session's page", "/sessions/{session_id}"),
                  error(404, NONE_PUBLIC, empty=True, body=HTML)),
        "latestSessionPage"),
    "/topics/": get(
        "Pages", "The topics page", "Every topic with its chapter count.", [],
        responses(ok("the page", HTML)), "topicsPage"),
    "/topics/{topic_id}": get(
        "Pages", "A topic's page", "Every chapter on a topic, newest session first.",
        [path_arg("topic_id", "a topic's id (from /api/topics)", "class-size")],
        responses(ok("the page", HTML),
                  error(404, "no such topic", {"topic_id": "no-such-topic"}, body=HTML)),
        "topicPage"),
    "/people/": get(
        "Pages", "The people page",
        "Everyone named in the public sessions, A to Z, with side, role, sessions and talk "
        "time.", [],
        responses(ok("the page", HTML)), "peoplePage"),
    "/people/{person_slug}": get(
        "Pages", "A person's page",
        "One person: their sessions with talk time in each, their newest lines, their search "
        "and their feed.", [PERSON],
        responses(ok("the page", HTML),
                  error(404, "no public session names anyone with this slug", NO_PERSON,
                        body=HTML)),
        "personPage"),
    "/units/": get(
        "Pages", "The units page",
        "Every bargaining unit with a public session, with its count of sessions and its "
        "newest one.", [],
        responses(ok("the page", HTML)), "unitsPage"),
    "/units/{unit_slug}": get(
        "Pages", "A unit's page",
        "One unit: its sessions newest first, the people who spoke in them, and links to its "
        "listing, search and feed.", [UNIT_SLUG],
        responses(ok("the page", HTML),
                  error(404, "no unit with this slug has a public session", NO_UNIT,
                        body=HTML)),
        "unitPage"),
    "/data/archive.jsonl": get(
        "Data", "Every public session in one file",
        "JSON Lines: the first line is a BulkHeader (licence, when it was made, the versions "
        "of the sessions it holds), then a BulkSession line per public session, newest first. "
        "Regenerated after every public change; ETag and byte ranges are served, so a "
        "conditional GET costs nothing when nothing changed.", [],
        responses(ok("the file", {"application/x-ndjson": {"schema": {"type": "string"}}})),
        "bulkData"),
    "/data/archive.jsonl.gz": get(
        "Data", "The same file, gzipped", "/data/archive.jsonl compressed with gzip.", [],
        responses(ok("the file", {"application/gzip": {"schema": {"type": "string"}}})),
        "bulkDataGzip"),
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "On the Record API",
        "version": "1.0.0",
        "description": "Search and read the public record of school-district bargaining "
                       "sessions: transcripts with timestamps and speakers, chapters by "
                       "topic, and the whole archive as one file. Times are seconds from the "
                       "start of a session's recording. Only public sessions are ever "
                       "answered; any other id is a 404.",
    },
    "tags": [{"name": name} for name in
             ("Search", "Sessions", "People", "Units", "Topics", "Feeds", "Data", "Pages",
              "Documentation")],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}


def operations() -> list[tuple[str, str, Schema]]:
    """Every (path, method, operation) of the document, in its order."""
    return [(path, method, operation) for path, item in PATHS.items()
            for method, operation in item.items()]


def example_url(path: str, operation: Schema, changes: dict[str, str] | None = None) -> str:
    """The example request of an operation: its parameters' examples, with these changes."""
    values = {p["name"]: p["example"] for p in operation["parameters"] if "example" in p}
    values |= changes or {}
    for p in operation["parameters"]:
        if p["in"] == "path":
            path = path.replace(f"{{{p['name']}}}", quote(values.pop(p["name"]), safe=""))
    return path + (f"?{urlencode(values)}" if values else "")

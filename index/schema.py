"""The fields every engine indexes, and the Whoosh schema that declares them."""

from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

from index.analysis import NAMES, SPEECH

# Bumped whenever what is indexed changes, so an index made by an older version is rebuilt.
FORMAT = 4
# Matched as one exact value each: ids, dates and the facets' keys.
EXACT = ("id", "session", "stamp", "date", "unit_key", "speaker_key", "side", "session_key",
         "topic_id")
# Analyzed for speech (stemmed) and for names (as written).
STEMMED = ("title", "text")
PLAIN = ("unit", "speaker", "topic", "verbatim")
# Integer sort keys (see index.documents).
SORT_KEYS = ("oldest", "newest")
# Counted per value for the facets, by name in the search page.
FACETS = {"unit": "unit_key", "speaker": "speaker_key", "side": "side", "topic": "topic_id",
          "session": "session_key"}

SCHEMA = Schema(
    **{name: ID(stored=name in ("session", "date")) for name in EXACT},
    title=TEXT(analyzer=SPEECH, stored=True),
    unit=TEXT(analyzer=NAMES, stored=True),
    speaker=TEXT(analyzer=NAMES, stored=True),
    # The chapter's topic name and id ("Class size and caseloads class-size"), so that both
    # topic:"class size" and topic:class-size find it; the chapter title is shown with hits.
    topic=TEXT(analyzer=NAMES),
    text=TEXT(analyzer=SPEECH, stored=True, phrase=True),
    # The same words unstemmed, for prefix queries: "negotiat*" cannot match the stem "negoti".
    verbatim=TEXT(analyzer=NAMES, phrase=False),
    **{name: NUMERIC(int, bits=64, sortable=True) for name in SORT_KEYS},
    start=STORED, end=STORED, words=STORED, chapter=STORED, segment=STORED,
)

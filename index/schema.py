"""What the index stores: one document per transcript segment."""

from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema

# No stop list and single letters kept: reporters search exact quotes such as "we will not",
# and a phrase query can only match words that were indexed.
SPEECH = StemmingAnalyzer(stoplist=None, minsize=1)
# Names and units are matched as written (no stemming) but case-insensitively.
NAMES = StandardAnalyzer(stoplist=None, minsize=1)

SCHEMA = Schema(
    id=ID(unique=True, stored=True),
    session=ID(stored=True),
    # "<session id>@<version>": which version of each session the index holds, read from the
    # lexicon (one term per session) to find sessions whose records changed since.
    stamp=ID,
    title=TEXT(analyzer=SPEECH, stored=True),
    date=ID(stored=True, sortable=True),
    unit=TEXT(analyzer=NAMES, stored=True),
    speaker=TEXT(analyzer=NAMES, stored=True),
    # The chapter's topic name and id ("Class size and caseloads class-size"), so that both
    # topic:"class size" and topic:class-size find it; the chapter title is shown with hits.
    topic=TEXT(analyzer=NAMES, stored=True),
    # The id alone, for the ?topic= filter: exact, so "health" cannot also pick "mental-health".
    topic_id=ID,
    chapter=STORED,
    # Not "sortable": Whoosh cannot build a float column; sorting reads the indexed terms.
    start=NUMERIC(float, stored=True),
    end=NUMERIC(float, stored=True),
    text=TEXT(analyzer=SPEECH, stored=True, phrase=True),
    # The same words unstemmed, for prefix queries: "negotiat*" cannot match the stem "negoti".
    verbatim=TEXT(analyzer=NAMES, phrase=False),
    # (character offset in text, start time) of each word, so a hit can point at the moment
    # the matched words were said rather than at the start of a long segment.
    words=STORED,
)


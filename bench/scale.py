"""Search at the size a real archive reaches: latency per query type, throughput, index builds.

Generates (once, cached under --work) an archive of three-hour sessions (bench/scale_corpus.py),
indexes it with each engine asked for, and measures, for a fixed mix of named query types drawn
from the corpus:

- in-process: `SearchIndex(path).search(...)` as the API calls it (a page of 20 hits with
  highlighted snippets and match times, then `to_dict()`), p50/p95/p99 per type;
- over HTTP: `/api/search` on `ontherecord serve` (waitress, as deployed), one client;
- throughput: wrk, 64 connections for 30 s over the query mix, requests/s, errors, p99;
- the full reindex (`ontherecord reindex`), adding one new three-hour session through
  `ontherecord.service.ingest` (the recognizer stubbed out: the commit and index are real), and
  the server's peak memory (VmHWM);
- the yardstick: SQLite FTS5 (porter unicode61) on the same segments, the same queries as MATCH
  plus WHERE, each answering the same page of 20 with highlight() and the total count.

    OMP_WAIT_POLICY=passive python bench/scale.py --hours 100 [--engine whoosh,tantivy]
        [--work /work/bench-scale] [--queries-per-type 8] [--repeat 3] [--phases ...]

Nothing else should run meanwhile: the machine has two cores, and wrk takes one of them.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import math
import os
import pstats
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_corpus import (  # noqa: E402
    KINDS,
    VERSION,
    Query,
    extra_session,
    generate,
    pick_queries,
)
from index.store import SearchIndex  # noqa: E402
from ontherecord.archive import Archive  # noqa: E402

PHASES = ("inprocess", "fts5", "http", "grouped", "wrk", "add")
ENV = {**os.environ, "OMP_WAIT_POLICY": "passive", "PYTHONPATH": str(ROOT)}
WRK_SCRIPT = """
-- Cycles through the query mix, one path a line of $WRK_URLS; writes a JSON summary to $WRK_OUT.
local paths = {}
for line in io.lines(os.getenv("WRK_URLS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  local f = io.open(os.getenv("WRK_OUT"), "w")
  f:write(string.format('{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d}', summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
  f:close()
end
"""


class QueryTimeout(Exception):
    """A query ran past the per-query time limit."""


class ServerGone(Exception):
    """The server under test exited (or was stopped for using too much memory)."""


@dataclass
class Corpus:
    """A generated archive in its cache folder, with what the queries are drawn from."""

    folder: Path
    meta: dict
    stats: dict

    @property
    def archive(self) -> Archive:
        """The archive the sessions were written to."""
        return Archive(self.folder / "archive")


# --- the corpus and its indexes ------------------------------------------------------------------


def corpus(work: Path, hours: float, seed: int, jobs: int) -> Corpus:
    """The archive of `hours` for `seed`, generated now unless an earlier run left it."""
    folder = work / f"corpus-{hours:g}h-seed{seed}-v{VERSION}"
    meta_path, stats_path = folder / "corpus.json", folder / "stats.json"
    if meta_path.is_file():
        return Corpus(folder, json.loads(meta_path.read_text()),
                      json.loads(stats_path.read_text()))
    shutil.rmtree(folder, ignore_errors=True)  # an interrupted generation
    folder.mkdir(parents=True)
    print(f"generating {hours:g} h into {folder} …", file=sys.stderr)
    began = time.perf_counter()
    stats = generate(folder / "archive", hours, seed, jobs)
    meta = {k: stats.pop(k) for k in ("sessions", "segments", "words", "distinct_words")}
    meta.update(hours=hours, seed=seed, version=VERSION, jobs=jobs,
                generate_s=round(time.perf_counter() - began, 1),
                archive_mib=round(du(folder / "archive") / 2**20))
    stats_path.write_text(json.dumps(stats))
    meta_path.write_text(json.dumps(meta, indent=1))  # last: marks the cache complete
    return Corpus(folder, meta, stats)


def du(path: Path) -> int:
    """Bytes in the files under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def engine_flag_supported() -> bool:
    """Whether `ontherecord reindex` takes --engine yet (the engine choice is being added)."""
    out = subprocess.run([sys.executable, "-m", "ontherecord", "reindex", "--help"], env=ENV,
                         capture_output=True, text=True).stdout
    return "--engine" in out


def use_engine(c: Corpus, engine: str, force: bool, timeout: float) -> dict:
    """Put the engine's index in place as archive/.index, building it (timed) if there is none.

    Each engine's index is parked beside the archive while another one is measured, so a rerun
    does not rebuild it; its build time is kept from when it was built (--reindex: again).
    """
    marker, parked = c.folder / "engine.txt", c.folder / "indexes" / engine
    active = marker.read_text().strip() if marker.is_file() else None
    index_dir = c.archive.index_dir
    if active != engine:
        if active and index_dir.exists():
            (c.folder / "indexes").mkdir(exist_ok=True)
            os.rename(index_dir, c.folder / "indexes" / active)
        marker.unlink(missing_ok=True)
        if parked.exists():
            os.rename(parked, index_dir)
            marker.write_text(engine)
    record = c.folder / f"reindex-{engine}.json"
    # An index an older version of the code made is rebuilt by the server at start: rebuild
    # it here, timed, instead.
    current = SearchIndex(index_dir).has_current_schema()
    if force or not record.is_file() or not marker.is_file() or not current:
        built = reindex(c.archive, engine, timeout)
        if built["finished"]:
            marker.write_text(engine)
            record.write_text(json.dumps(built, indent=1))
        return built
    return json.loads(record.read_text())


def reindex(archive: Archive, engine: str, timeout: float) -> dict:
    """Time `ontherecord reindex` (with the engine's flag), stopping it after `timeout` s."""
    command = [sys.executable, "-m", "ontherecord", "reindex", "--archive", str(archive.root)]
    if engine_flag_supported():
        command += ["--engine", engine]
    elif engine != "whoosh":
        raise SystemExit(f"ontherecord reindex has no --engine yet: cannot build {engine}")
    print(f"reindex ({engine}) …", file=sys.stderr)
    began = time.perf_counter()
    proc = subprocess.Popen(command, env=ENV, stderr=subprocess.PIPE, text=True)
    while True:
        # wait4 gives the child's own peak memory, which Popen.wait does not.
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        elapsed = time.perf_counter() - began
        if pid:
            break
        if elapsed > timeout:
            proc.terminate()  # the rebuild works in a scratch folder: the next start sweeps it
            os.wait4(proc.pid, 0)
            return {"finished": False, "seconds": round(elapsed, 1), "engine": engine}
        time.sleep(0.2)
    message = proc.stderr.read().strip() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"reindex failed: {message}")
    return {"finished": True, "seconds": round(elapsed, 1), "engine": engine,
            "peak_rss_mib": round(usage.ru_maxrss / 1024), "output": message,
            "index_mib": round(du(archive.index_dir) / 2**20),
            "measured": time.strftime("%Y-%m-%d %H:%M")}


# --- timing --------------------------------------------------------------------------------------


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise QueryTimeout in the block after `seconds` (Whoosh is Python: a signal stops it)."""
    def expire(signum, frame):
        """Cut the query off."""
        raise QueryTimeout()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100) of `values`, None if there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(runs: list[dict]) -> dict[str, dict]:
    """p50/p95/p99 milliseconds per query type, with counts of runs and timeouts."""
    out = {}
    for kind in KINDS:
        mine = [r for r in runs if r["kind"] == kind]
        ms = [r["ms"] for r in mine if r["ms"] is not None]
        out[kind] = {"runs": len(ms), "timeouts": sum(r["ms"] is None for r in mine),
                     "queries": len({r["label"] for r in mine}),
                     **{f"p{q}": round(percentile(ms, q), 1) if ms else None
                        for q in (50, 95, 99)}}
    return out


def measure(queries: list[Query], run: Callable[[Query], int], repeat: int, timeout: float,
            budget: float, name: str) -> list[dict]:
    """Run each query once to warm up, then `repeat` times timed; a type stops at `budget` s.

    `run` returns the query's total hit count, kept to check the engines agree.
    """
    runs: list[dict] = []
    spent: dict[str, float] = {}
    for query in queries:
        if spent.get(query.kind, 0.0) > budget:
            continue
        for attempt in range(repeat + 1):
            began = time.perf_counter()
            try:
                with time_limit(timeout):
                    total = run(query)
            except ServerGone:
                print(f"  {name}: the server is gone; measuring stops", file=sys.stderr)
                return runs
            except QueryTimeout:
                runs.append({"kind": query.kind, "label": query.label, "ms": None})
                spent[query.kind] = spent.get(query.kind, 0.0) + timeout
                break  # one timeout is enough to know
            took = time.perf_counter() - began
            spent[query.kind] = spent.get(query.kind, 0.0) + took
            if attempt:
                runs.append({"kind": query.kind, "label": query.label,
                             "ms": round(took * 1000, 2), "total": total})
        print(f"  {name}: {query.kind:16} {query.label[:60]:60} {runs[-1]['ms']} ms",
              file=sys.stderr)
    return runs


# --- our search, in process and over HTTP --------------------------------------------------------


def search_in_process(index_dir: Path) -> Callable[[Query], int]:
    """A query as the API runs it: a fresh SearchIndex, a page of 20, its JSON form."""
    def run(query: Query) -> int:
        """The query's total, after making its page as the API does."""
        page = SearchIndex(index_dir).search(query.q, page=1, sort=query.sort, page_size=20,
                                             speaker=query.speaker, topic=query.topic)
        page.to_dict()
        return page.total
    return run


def api_path(query: Query, group: bool = False) -> str:
    """The /api/search address of a query (grouped by session, as the web page shows hits)."""
    params = {"q": query.q, "speaker": query.speaker, "topic": query.topic,
              "sort": query.sort if query.sort != "relevance" else "",
              "group": "session" if group else ""}
    return "/api/search?" + urllib.parse.urlencode({k: v for k, v in params.items() if v})


def guard(proc: subprocess.Popen, cap_mib: float, tripped: dict) -> None:
    """Stop the server if its memory passes `cap_mib`, before it takes the machine down."""
    while proc.poll() is None:
        try:
            rss = rss_mib(proc.pid, "VmRSS")
        except OSError:
            return
        if rss > cap_mib:
            tripped["killed_at_rss_mib"] = rss
            proc.kill()
            return
        time.sleep(0.2)


@contextmanager
def server(archive: Archive, cap_mib: float,
           ) -> Iterator[tuple[subprocess.Popen, int, float, dict]]:
    """`ontherecord serve` (waitress) on a free port, watched for memory.

    Yields (process, port, seconds to its first answer, what the memory guard did).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ontherecord", "serve", "--archive",
                             str(archive.root), "--port", str(port)], env=ENV,
                            stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.request("GET", "/api/search?q=warmup")
                conn.getresponse().read()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - began > 600:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        tripped: dict = {}
        threading.Thread(target=guard, args=(proc, cap_mib, tripped), daemon=True).start()
        yield proc, port, time.perf_counter() - began, tripped
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def http_client(proc: subprocess.Popen, port: int, timeout: float,
                group: bool = False) -> Callable[[Query], int]:
    """A query over one keep-alive connection, as one visitor's browser sends it."""
    state = {"conn": http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)}

    def run(query: Query) -> int:
        """The query's total, as /api/search answered it."""
        try:
            state["conn"].request("GET", api_path(query, group))
            response = state["conn"].getresponse()
            body = response.read()
        except (ConnectionError, http.client.HTTPException):
            if proc.poll() is not None:
                raise ServerGone() from None
            raise
        except (TimeoutError, QueryTimeout):
            # The server still works on it: a fresh connection for the next query.
            state["conn"].close()
            state["conn"] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            raise QueryTimeout() from None
        if response.status != 200:
            raise SystemExit(f"{api_path(query)}: HTTP {response.status}: {body[:200]!r}")
        return json.loads(body)["total"]
    return run


def rss_mib(pid: int, field: str = "VmHWM") -> float:
    """A process's resident memory in MiB: its peak (VmHWM) or now (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def wrk(port: int, queries: list[Query], seconds: int, connections: int,
        timeout: int) -> dict:
    """Requests/s, errors and latency of wrk cycling through the query mix."""
    with tempfile.TemporaryDirectory() as tmp:
        urls, script, out = Path(tmp) / "urls.txt", Path(tmp) / "mix.lua", Path(tmp) / "out.json"
        urls.write_text("".join(api_path(q) + "\n" for q in queries))
        script.write_text(WRK_SCRIPT)
        # One wrk thread: the server (one Python process, one GIL) gets the other core.
        subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
                        f"--timeout={timeout}s", "-s", str(script), f"http://127.0.0.1:{port}"],
                       env={**ENV, "WRK_URLS": str(urls), "WRK_OUT": str(out)}, check=True,
                       capture_output=True)
        r = json.loads(out.read_text())
    secs = r["duration_us"] / 1e6
    return {"connections": connections, "seconds": round(secs, 1),
            "requests": r["requests"], "requests_per_s": round(r["requests"] / secs, 1),
            "errors": {k: r[k] for k in ("connect", "read", "write", "status")},
            "timeouts": r["timeout"], "timeout_s": timeout,
            **{k.replace("_us", "_ms"): round(r[k] / 1000, 1)
               for k in ("p50_us", "p90_us", "p99_us", "max_us")}}


# --- SQLite FTS5, the yardstick ------------------------------------------------------------------

FTS_SCHEMA = """
CREATE TABLE segments(id INTEGER PRIMARY KEY, session TEXT, title TEXT, date TEXT, unit TEXT,
  speaker TEXT, topic TEXT, topic_id TEXT, start REAL, "end" REAL, text TEXT);
CREATE VIRTUAL TABLE fts USING fts5(text, content='segments', content_rowid='id',
  tokenize='porter unicode61');
-- The words unstemmed, as our verbatim field: "negotiat*" is no prefix of the stem "negoti".
CREATE VIRTUAL TABLE fts_verbatim USING fts5(text, content='segments', content_rowid='id',
  tokenize='unicode61');
"""
FTS_INDEXES = """
CREATE INDEX by_speaker ON segments(speaker);
CREATE INDEX by_topic ON segments(topic_id);
CREATE INDEX by_unit ON segments(unit);
CREATE INDEX by_date ON segments(date, start);
"""


def fts_build(c: Corpus, force: bool) -> dict:
    """The FTS5 database of every public segment, built once (timed) from the archive's JSON."""
    path, record = c.folder / "fts5.sqlite", c.folder / "fts5.json"
    if record.is_file() and path.is_file() and not force:
        return json.loads(record.read_text())
    path.unlink(missing_ok=True)
    print("FTS5 build …", file=sys.stderr)
    began = time.perf_counter()
    db = sqlite3.connect(path)
    # A bulk load, like our rebuild in a scratch folder: no journal, no fsync per commit.
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + FTS_SCHEMA)
    archive = c.archive
    for session in archive.public_sessions():
        t = archive.transcript(session.id)
        rows = []
        for seg in t.segments:
            chapter = t.chapter_of(seg)
            rows.append((session.id, session.title, session.date, session.unit,
                         t.speaker_name(seg.speaker), chapter.topic if chapter else "",
                         chapter.topic_id if chapter else "", seg.start, seg.end,
                         seg.text.strip()))
        db.executemany("INSERT INTO segments(session, title, date, unit, speaker, topic, "
                       "topic_id, start, \"end\", text) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.executescript("INSERT INTO fts(fts) VALUES('rebuild');"
                     "INSERT INTO fts_verbatim(fts_verbatim) VALUES('rebuild');" + FTS_INDEXES)
    db.commit()
    db.close()
    built = {"seconds": round(time.perf_counter() - began, 1),
             "mib": round(path.stat().st_size / 2**20), "measured": time.strftime("%Y-%m-%d %H:%M")}
    record.write_text(json.dumps(built, indent=1))
    return built


def fts_sql(query: Query) -> tuple[str, str, list]:
    """The page and count statements of a query, and their parameters."""
    table = query.fts_table
    where = [cond for cond, _ in query.where]
    params: list = [v for _, values in query.where for v in values]
    order = {"newest": "s.date DESC, s.start", "oldest": "s.date, s.start"}.get(query.sort)
    if query.fts is None:
        body = "FROM segments s" + (" WHERE " + " AND ".join(where) if where else "")
        text = "s.text"
        order = order or "s.id"
    else:
        # A unary + keeps SQLite from walking a filter column's B-tree index (a unit or topic
        # holds a tenth of the archive) when the words narrow things down far more.
        body = (f"FROM {table} JOIN segments s ON s.id = {table}.rowid WHERE {table} MATCH ?"
                + "".join(f" AND +{cond}" for cond in where))
        params = [query.fts, *params]
        text = f"highlight({table}, 0, '<mark>', '</mark>')"
        order = order or f"{table}.rank"
    page = (f"SELECT s.session, s.title, s.date, s.unit, s.speaker, s.start, s.\"end\", "
            f"s.topic, {text} {body} ORDER BY {order} LIMIT 20")
    return page, f"SELECT count(*) {body}", params


def fts_search(db: sqlite3.Connection) -> Callable[[Query], int]:
    """A query on FTS5: the page of 20 (highlighted) and the total, as our search gives."""
    def run(query: Query) -> int:
        """The query's total, after fetching its page."""
        page, count, params = fts_sql(query)
        [dict(zip(("session", "title", "date", "unit", "speaker", "start", "end", "topic",
                   "snippet"), row, strict=True)) for row in db.execute(page, params)]
        return db.execute(count, params).fetchone()[0]
    return run


# --- adding a session, profiling -----------------------------------------------------------------


def add_session(c: Corpus, hours: float, seed: int) -> dict:
    """Time adding one more three-hour session through service.ingest, then put things back.

    The recognizer is stubbed (pipeline.ingest hands over a made transcript); the staging,
    commit, lock and index reconcile are the real ones. The index is snapshotted with hard
    links first (index files are written anew, never changed in place) and restored after.
    """
    from index import store
    from ingest import pipeline
    from ontherecord import service
    from ontherecord.details import Details

    archive, transcript = c.archive, extra_session(hours, seed)
    snapshot = c.folder / "indexes" / ".snapshot"
    shutil.rmtree(snapshot, ignore_errors=True)
    snapshot.parent.mkdir(exist_ok=True)
    shutil.copytree(archive.index_dir, snapshot, copy_function=os.link)
    timings: dict[str, float] = {}
    real_ingest, real_reconcile = pipeline.ingest, store.SearchIndex.reconcile

    def staged(_archive, _path, _details, _options, folder, *_args):
        """What the recognizer would have staged: the made session, and its media file."""
        (folder / transcript.session.media).write_bytes(b"")
        return pipeline.Result(transcript.session, transcript, {})

    def reconcile(self, archive_):
        """The real reconcile, timed."""
        began = time.perf_counter()
        try:
            return real_reconcile(self, archive_)
        finally:
            timings["reconcile_s"] = round(time.perf_counter() - began, 2)

    s = transcript.session
    pipeline.ingest, store.SearchIndex.reconcile = staged, reconcile
    try:
        began = time.perf_counter()
        service.ingest(archive, c.folder / "placeholder.mp4", Details(s.title, s.date, s.unit),
                       publish=True)
        timings["ingest_commit_s"] = round(time.perf_counter() - began, 2)
        hits = SearchIndex(archive.index_dir).search("", session=s.id).total
    finally:
        pipeline.ingest, store.SearchIndex.reconcile = real_ingest, real_reconcile
        shutil.rmtree(archive.session_dir(s.id), ignore_errors=True)
        shutil.rmtree(archive.index_dir)
        os.rename(snapshot, archive.index_dir)
    return {**timings, "segments": len(transcript.segments), "found_after": hits}


def profile(run: Callable[[Query], int], query: Query, top: int = 15) -> list[dict]:
    """The functions a query spends its time in (cProfile, by own time)."""
    profiler = cProfile.Profile()
    profiler.runcall(run, query)
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        rows.append({"function": f"{Path(file).name}:{line}({name})", "calls": calls,
                     "own_s": round(own, 3), "cumulative_s": round(cumulative, 3)})
    return sorted(rows, key=lambda r: -r["own_s"])[:top]


# --- the run -------------------------------------------------------------------------------------


def run_engine(c: Corpus, engine: str, queries: list[Query], args: argparse.Namespace) -> dict:
    """Every measurement of one engine on the corpus."""
    result: dict = {"reindex": use_engine(c, engine, args.reindex, args.reindex_timeout)}
    if not result["reindex"]["finished"]:
        return result
    index_dir, phases = c.archive.index_dir, args.phases
    limits = (args.repeat, args.timeout, args.type_budget)
    if "inprocess" in phases:
        runs = measure(queries, search_in_process(index_dir), *limits, f"{engine} in-process")
        result["inprocess"] = {"summary": summary(runs), "runs": runs}
        if args.profile:
            slowest = max((r for r in runs if r["ms"]), key=lambda r: r["ms"])
            query = next(q for q in queries if q.label == slowest["label"])
            result["profile"] = {"query": query.label,
                                 "top": profile(search_in_process(index_dir), query)}
    if phases & {"http", "grouped", "wrk"}:
        with server(c.archive, args.rss_cap_gib * 1024) as (proc, port, started, tripped):
            result["server_start_s"] = round(started, 2)
            result["server_guard"] = tripped
            if "http" in phases:
                runs = measure(queries, http_client(proc, port, args.timeout), *limits,
                               f"{engine} HTTP")
                result["http"] = {"summary": summary(runs), "runs": runs}
                if proc.poll() is None:
                    result["http"]["peak_rss_mib"] = rss_mib(proc.pid)
            if "grouped" in phases and proc.poll() is None:
                runs = measure(queries, http_client(proc, port, args.timeout, group=True),
                               *limits, f"{engine} HTTP grouped")
                result["grouped"] = {"summary": summary(runs), "runs": runs}
            if "wrk" in phases and proc.poll() is None:
                result["wrk"] = wrk(port, queries, args.wrk_seconds, args.wrk_connections,
                                    args.wrk_timeout)
                if proc.poll() is None:
                    result["wrk"]["peak_rss_mib"] = rss_mib(proc.pid)
    if "add" in phases:
        result["add_session"] = add_session(c, args.hours, args.seed)
    return result


def main() -> None:
    """Parse the options, make or find the corpus, and measure each engine and FTS5."""
    args = parse_args()
    c = corpus(args.work, args.hours, args.seed, args.jobs)
    queries = pick_queries(c.stats | c.meta, args.seed, args.queries_per_type)
    result: dict = {"corpus": c.meta, "options": {k: str(v) for k, v in vars(args).items()},
                    "queries": [asdict(q) | {"label": q.label} for q in queries], "engines": {}}
    for engine in args.engine.split(","):
        result["engines"][engine] = run_engine(c, engine, queries, args)
    if "fts5" in args.phases:
        built = fts_build(c, args.reindex)
        db = sqlite3.connect(c.folder / "fts5.sqlite")
        runs = measure(queries, fts_search(db), args.repeat, args.timeout, args.type_budget,
                       "FTS5")
        result["fts5"] = {"build": built, "summary": summary(runs), "runs": runs}
    result["disagreements"] = disagreements(result)
    out = args.json or ROOT / "bench" / f"results-scale-{args.hours:g}h.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(report(result))


def parse_args() -> argparse.Namespace:
    """The command's options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hours", type=float, default=100, help="archive size (3-hour sessions)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--work", type=Path, default=Path("/work/bench-scale"),
                   help="where generated archives, indexes and the FTS5 database are kept")
    p.add_argument("--engine", default="whoosh", help="engines to measure, comma-separated")
    p.add_argument("--jobs", type=int, default=2, help="processes generating sessions")
    p.add_argument("--phases", default=",".join(PHASES), help=f"of {', '.join(PHASES)}")
    p.add_argument("--queries-per-type", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3, help="timed runs of each query (after one)")
    p.add_argument("--timeout", type=float, default=60, help="seconds before a query is cut off")
    p.add_argument("--type-budget", type=float, default=300,
                   help="seconds per query type and measurement before its other queries are "
                        "skipped")
    p.add_argument("--reindex", action="store_true",
                   help="rebuild (and time) the indexes even if an earlier run built them")
    p.add_argument("--reindex-timeout", type=float, default=3600)
    p.add_argument("--wrk-seconds", type=int, default=30)
    p.add_argument("--wrk-connections", type=int, default=64)
    p.add_argument("--wrk-timeout", type=int, default=10)
    p.add_argument("--profile", action="store_true", help="cProfile the slowest query")
    p.add_argument("--rss-cap-gib", type=float, default=12,
                   help="stop the server if it holds more memory than this (the machine has 24)")
    p.add_argument("--json", type=Path, help="default bench/results-scale-<hours>h.json")
    args = p.parse_args()
    args.phases = set(args.phases.split(","))
    return args


def disagreements(result: dict) -> list[dict]:
    """The queries whose total hit count differs between the measurements (engines, FTS5)."""
    totals: dict[str, dict[str, int]] = {}
    sources = [(f"{e} {w}", r[w]["runs"]) for e, r in result["engines"].items()
               for w in ("inprocess", "http", "grouped") if w in r]
    sources += [("FTS5", result["fts5"]["runs"])] if "fts5" in result else []
    for name, runs in sources:
        for run in runs:
            if "total" in run:
                totals.setdefault(run["label"], {})[name] = run["total"]
    return [{"query": label, **found} for label, found in totals.items()
            if len(set(found.values())) > 1]


# --- the report ----------------------------------------------------------------------------------


def cell(s: dict | None) -> str:
    """p50 / p95 / p99 in ms, with timeouts noted."""
    if not s or not s["runs"]:
        return "—" if not s or not s["timeouts"] else f"all {s['timeouts']} timed out"
    text = f"{s['p50']:g} / {s['p95']:g} / {s['p99']:g}"
    return text + (f" ({s['timeouts']} timed out)" if s["timeouts"] else "")


def report(result: dict) -> str:
    """The markdown tables of a run."""
    m = result["corpus"]
    lines = [f"Corpus: {m['sessions']} sessions ({m['sessions'] * 3} h), {m['segments']:,} "
             f"segments, {m['words']:,} words ({m['distinct_words']:,} distinct), archive "
             f"{m['archive_mib']:,} MiB, generated in {m['generate_s']} s.", ""]
    fts = result.get("fts5")
    lines += ["| index | build s | size MiB | build peak RSS MiB |", "|---|---|---|---|"]
    for engine, r in result["engines"].items():
        b = r["reindex"]
        if b["finished"]:
            lines.append(f"| {engine} (`ontherecord reindex`) | {b['seconds']} | "
                         f"{b['index_mib']:,} | {b['peak_rss_mib']:,} |")
        else:
            lines.append(f"| {engine} | not finished after {b['seconds']} s | | |")
    if fts:
        lines.append(f"| SQLite FTS5 | {fts['build']['seconds']} | {fts['build']['mib']:,} | |")
    lines += ["", latency_table(result), ""]
    for d in result.get("disagreements", []):
        lines.append(f"- totals differ for `{d.pop('query')}`: {d}")
    for engine, r in result["engines"].items():
        lines += engine_notes(engine, r)
    return "\n".join(lines)


def latency_table(result: dict) -> str:
    """p50 / p95 / p99 ms per query type: each engine in process and over HTTP, and FTS5."""
    columns = []
    for engine, r in result["engines"].items():
        names = {"inprocess": "in-process", "http": "HTTP", "grouped": "HTTP grouped"}
        for where, name in names.items():
            if where in r:
                columns.append((f"{engine} {name}", r[where]["summary"]))
    if "fts5" in result:
        columns.append(("FTS5", result["fts5"]["summary"]))
    head = "| query type | " + " | ".join(name for name, _ in columns) + " |"
    rows = [head, "|---" * (len(columns) + 1) + "|"]
    for kind in KINDS:
        rows.append(f"| {kind} | " + " | ".join(cell(s.get(kind)) for _, s in columns) + " |")
    return "p50 / p95 / p99 ms per query type:\n\n" + "\n".join(rows)


def engine_notes(engine: str, r: dict) -> list[str]:
    """Throughput, memory and the change path of one engine, as lines."""
    lines = []
    if "wrk" in r:
        w = r["wrk"]
        errors = sum(w["errors"].values())
        lines.append(f"- {engine}, wrk {w['connections']} connections {w['seconds']} s: "
                     f"{w['requests_per_s']} requests/s ({w['requests']} requests), "
                     f"{w['timeouts']} timeouts (> {w['timeout_s']} s), {errors} errors, "
                     f"p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms; server peak RSS "
                     f"{w.get('peak_rss_mib', '?')} MiB")
    if "http" in r:
        lines.append(f"- {engine}: server start {r['server_start_s']} s, peak RSS after the "
                     f"one-client queries {r['http'].get('peak_rss_mib', '?')} MiB")
    if r.get("server_guard"):
        lines.append(f"- {engine}: the server was stopped at "
                     f"{r['server_guard']['killed_at_rss_mib']} MiB resident")
    if "add_session" in r:
        a = r["add_session"]
        lines.append(f"- {engine}: adding one 3-hour session ({a['segments']} segments) through "
                     f"service.ingest: {a['ingest_commit_s']} s, of which the index reconcile "
                     f"{a['reconcile_s']} s")
    if "profile" in r:
        lines.append(f"- {engine}: profile of `{r['profile']['query']}` (own time):")
        lines += [f"  - {p['function']}: {p['own_s']} s own, {p['cumulative_s']} s cumulative, "
                  f"{p['calls']} calls" for p in r["profile"]["top"][:8]]
    return lines


if __name__ == "__main__":
    main()

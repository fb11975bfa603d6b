"""The staff side's defences, probed over real HTTP as a browser or an attacker would.

Logins and their cookies, CSRF tokens, paths that try to leave the archive, uploads from
visitors, protective headers, drafts, and the files that hold accounts and the cookie key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import stat
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest import jobs
from ontherecord import service, staff
from ontherecord.archive import Archive
from ontherecord.details import Details
from ontherecord.errors import NotFoundError
from ontherecord.exports import WRITERS
from ontherecord.model import Suggestion
from search_app import create_app
from tests.helpers.example import EXAMPLE
from tests.helpers.html import csrf_token
from tests.helpers.http import Client, Reply, serving

NAME, PASSWORD = "editor", "correct horse battery"
ERROR = re.compile(r'<p class="error" role="alert">([^<]*)</p>')
REFUSED = "did not come from this site"  # the CSRF refusal's message
UNKNOWN_JOB = "0123456789ab"
OUTSIDE = "outside the archive: 7d2f0c"  # in a file beside the archive folder


def log_in(base: str) -> Client:
    """A new browser, logged in as the editor."""
    browser = Client(base)
    reply = browser.login(NAME, PASSWORD)
    assert reply.status == 302, (reply.status, reply.text)
    assert reply.location.path == "/staff/"
    return browser


def multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, dict]:
    """A form with a file in it, as a browser sends an upload."""
    boundary = "otr-" + secrets.token_hex(12)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="recording"; '
                 f'filename="{filename}"\r\nContent-Type: audio/ogg\r\n\r\n'.encode()
                 + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


# --- archives with a draft session, a failed job and a staff account -----------------------

def fingerprint(root: Path) -> dict[str, str]:
    """Every folder and every file's checksum under root: equal only if nothing changed."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "folder" for p in sorted(root.rglob("*"))}


def settled(archive: Archive, timeout: float = 60) -> None:
    """Wait until no job is queued or running: a worker writing meanwhile races a fingerprint,
    and one still running after its test ends would touch the archive under the next test."""
    deadline = time.monotonic() + timeout
    while any(job.state in ("queued", "running") for job in jobs.every(archive)):
        assert time.monotonic() < deadline, "a background job did not finish"
        time.sleep(0.1)


def prepare(archive: Archive, session_id: str) -> str:
    """Turn the example into a draft, add the editor and a failed upload; the job's id."""
    session = archive.session(session_id)
    session.state = "draft"
    archive.save_session(session)
    service.heal(archive)  # the draft was made by hand: the index lets it go
    transcript = archive.transcript(session_id)
    transcript.suggestions = [Suggestion("S1", "Mallory")]  # for the form that answers one
    archive.save_transcript(transcript)
    staff.add(archive, NAME, PASSWORD)
    job = jobs.create(archive, Details("An earlier upload", "2024-03-05", "Teachers"),
                      source="earlier.ogg")
    job.state, job.error = "failed", "the recording could not be read"
    jobs.save(archive, job)
    (archive.root.parent / "outside.txt").write_text(OUTSIDE)
    return job.id


@dataclass
class Site:
    """A served archive and what the tests need to know of it."""

    base: str
    archive: Archive
    sid: str  # the draft session
    job: str  # the failed job

    def url(self, template: str, **more: str) -> str:
        return template.format(sid=self.sid, job=self.job, **more)


@pytest.fixture(scope="module")
def shared_site(example_archive: Archive, example_id: str, tmp_path_factory):
    """One served archive for the tests that only read (or check that nothing changed)."""
    root = tmp_path_factory.mktemp("security") / "archive"
    shutil.copytree(example_archive.root, root)
    archive = Archive(root)
    job = prepare(archive, example_id)
    with serving(archive) as base:
        yield Site(base, archive, example_id, job)


@pytest.fixture
def site(archive_copy: Archive, example_id: str):
    """A served archive of this test's own, to change."""
    job = prepare(archive_copy, example_id)
    with serving(archive_copy) as base:
        yield Site(base, archive_copy, example_id, job)
        settled(archive_copy)


# --- 1. every staff route wants a login ------------------------------------------------------

STAFF_PAGES = ["/staff/", "/staff/sessions/{sid}", "/staff/sessions/{sid}?t=30",
               "/staff/sessions/{sid}/media", "/staff/upload", "/staff/jobs/{job}",
               "/staff/jobs/{job}.json", f"/staff/jobs/{UNKNOWN_JOB}"]


@pytest.mark.parametrize("template", STAFF_PAGES)
def test_a_visitor_asking_for_a_staff_page_is_sent_to_login(shared_site: Site, template):
    path = shared_site.url(template)
    title = shared_site.archive.session(shared_site.sid).title
    reply = Client(shared_site.base).get(path)
    assert reply.status == 302, (path, reply.status)
    assert reply.location.netloc in ("", urllib.parse.urlsplit(shared_site.base).netloc)
    assert reply.location.path == "/staff/login"
    assert urllib.parse.parse_qs(reply.location.query) == {"next": [path]}
    assert title not in reply.text


# Each would change the archive if it were let through (the control test below shows it does).
STAFF_POSTS = [
    ("/staff/sessions/{sid}/state", {"action": "publish"}),
    ("/staff/sessions/{sid}/details", {"title": "Defaced", "date": "2001-01-01", "unit": "X"}),
    ("/staff/sessions/{sid}/speakers/S1", {"name": "Mallory", "side": "", "role": ""}),
    ("/staff/sessions/{sid}/chapters/1", {"title": "Defaced"}),
    ("/staff/sessions/{sid}/segments/0", {"text": "Defaced"}),
    ("/staff/sessions/{sid}/segments/0/speaker", {"speaker": "new"}),
    ("/staff/sessions/{sid}/lines/speaker", {"from": "0:00", "to": "0:30", "speaker": "new"}),
    ("/staff/sessions/{sid}/speakers/S4/merge", {"into": "S3"}),
    ("/staff/sessions/{sid}/speakers/S2/split", {}),
    ("/staff/sessions/{sid}/diarize", {"speakers": "2"}),
    ("/staff/sessions/{sid}/suggestions", {"speaker": "S1", "name": "Mallory",
                                           "action": "reject"}),
    ("/staff/upload", {"title": "Defaced", "date": "2001-01-01", "unit": "X",
                       "url": "http://127.0.0.1:9/recording.ogg"}),
    ("/staff/jobs/{job}/retry", {}),
    ("/staff/jobs/{job}/discard", {}),
]
POST_IDS = [template.split("/", 2)[2] for template, _ in STAFF_POSTS]


@pytest.mark.parametrize(("template", "data"), [*STAFF_POSTS, ("/staff/logout", {})],
                         ids=[*POST_IDS, "logout"])
def test_a_visitor_cannot_post_to_a_staff_route(shared_site: Site, template, data):
    path = shared_site.url(template)
    visitor = Client(shared_site.base)
    token = visitor.token()  # a visitor has a token of their own, from the login page
    before = fingerprint(shared_site.archive.root)
    without = visitor.post(path, data)
    assert without.status == 400 and REFUSED in without.text, (path, without.status)
    if template != "/staff/logout":  # logging out a visitor is harmless: it is allowed
        with_token = visitor.post(path, {**data, "csrf_token": token})
        assert with_token.status == 403, (path, with_token.status)
        assert "Log in as staff" in with_token.text
    assert fingerprint(shared_site.archive.root) == before
    assert shared_site.archive.session(shared_site.sid).state == "draft"


@pytest.mark.parametrize(("template", "data"), STAFF_POSTS, ids=POST_IDS)
def test_the_same_posts_do_change_the_archive_for_staff(site: Site, template, data):
    """The control for the test above: these requests are not refused for being malformed."""
    editor = log_in(site.base)
    token = editor.token(site.url("/staff/sessions/{sid}"))
    before = fingerprint(site.archive.root)
    reply = editor.post(site.url(template), {**data, "csrf_token": token})
    assert reply.status == 302, (reply.status, reply.text)
    settled(site.archive)
    assert fingerprint(site.archive.root) != before


# --- 2. CSRF ----------------------------------------------------------------------------------

def test_a_staff_post_needs_this_browsers_own_token(site: Site):
    path = site.url("/staff/sessions/{sid}/state")
    editor = log_in(site.base)
    other = log_in(site.base)  # the same account in another browser
    visitor = Client(site.base)
    wrong = {
        "no token": None, "empty": "", "made up": secrets.token_urlsafe(32),
        "another browser's": other.token("/staff/"),
        "a visitor's": visitor.token(),
        "this browser's from before it logged in": editor.login_page_token,
    }
    before = fingerprint(site.archive.root)
    for why, token in wrong.items():
        form = {"action": "publish"} if token is None else {"action": "publish",
                                                            "csrf_token": token}
        reply = editor.post(path, form)
        assert reply.status == 400 and REFUSED in reply.text, why
        reply = editor.post(path, {"action": "publish"}, {"X-CSRF-Token": token or ""})
        assert reply.status == 400 and REFUSED in reply.text, why
    assert fingerprint(site.archive.root) == before
    assert site.archive.session(site.sid).state == "draft"
    assert Client(site.base).get(site.url("/sessions/{sid}")).status == 404

    token = editor.token(site.url("/staff/sessions/{sid}"))
    reply = editor.post(path, {"action": "publish", "csrf_token": token})
    assert reply.status == 302 and reply.location.path == site.url("/staff/sessions/{sid}")
    assert site.archive.session(site.sid).state == "published"
    assert Client(site.base).get(site.url("/sessions/{sid}")).status == 200

    # The header does as well as the form field (for scripts).
    reply = editor.post(path, {"action": "withdraw"}, {"X-CSRF-Token": token})
    assert reply.status == 302
    assert site.archive.session(site.sid).state == "withdrawn"
    assert Client(site.base).get(site.url("/sessions/{sid}")).status == 404


def test_the_login_form_needs_a_token(site: Site):
    browser, other = Client(site.base), Client(site.base)
    browser.token()
    before = fingerprint(site.archive.root)
    for token in (None, "", "forged", other.token()):
        form = {"name": NAME, "password": PASSWORD}
        if token is not None:
            form["csrf_token"] = token
        reply = browser.post("/staff/login", form)
        assert reply.status == 400 and REFUSED in reply.text, token
        assert not any(c["name"] == "ontherecord_session" and "staff" in c["value"]
                       for c in reply.cookies())
    assert fingerprint(site.archive.root) == before  # not even a failed attempt was counted
    assert browser.get("/staff/").status == 302
    assert browser.login(NAME, PASSWORD).status == 302
    assert browser.get("/staff/").status == 200


# --- 3. paths that try to leave the archive ----------------------------------------------------

def escapes(archive: Archive) -> list[str]:
    """Path segments that would point at a secret if joined to a folder unchecked."""
    found = []
    for target in ("staff.json", ".secret_key", "../outside.txt", "etc/passwd"):
        for ups in ("../", "../../", "../" * 8):
            plain = ups + target
            found += [plain, plain.replace("/", "%2f"), plain.replace("/", "%2F"),
                      plain.replace("..", "%2e%2e"), plain.replace("..", ".%2E"),
                      plain.replace("..", "%2e%2e").replace("/", "%2f"),
                      plain.replace("/", "\\"), plain.replace("/", "%5c"),
                      plain.replace("..", "%252e%252e").replace("/", "%252f"),
                      plain.replace("../", "....//"), plain.replace("/", "%2f") + "%00.ogg"]
    for absolute in (str(archive.root / "staff.json"), str(archive.root / ".secret_key"),
                     "/etc/passwd", "C:\\Windows\\win.ini"):
        found += [absolute, urllib.parse.quote(absolute, safe=""), "/" + absolute]
    return [*found, "..", "%2e%2e", ".", "%2e", "...", "..%00"]


def secrets_of(archive: Archive) -> dict[str, bytes]:
    """Bytes that must never be served: from the accounts, the cookie key, /etc/passwd and a
    file beside the archive."""
    account = staff.load(archive)[NAME]
    found = {"staff.json": account.password.split("$")[-1].encode(),
             ".secret_key": (archive.root / ".secret_key").read_bytes().strip(),
             "outside.txt": OUTSIDE.encode()}
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        found["/etc/passwd"] = passwd.read_bytes()[:24]
    return found


def probe(browser: Client, archive: Archive, template: str, **more: str) -> list[str]:
    """Every escape in the template's {x}, and what came back when it was not a clean 404."""
    bad = []
    hidden = secrets_of(archive)
    site = urllib.parse.urlsplit(browser.base).netloc
    for x in escapes(archive):
        path = template.format(x=x, **more)
        reply = browser.get(path)
        # Werkzeug merges doubled slashes with a redirect to this site: judge where it lands.
        for _ in range(3):
            if reply.status not in (301, 308) or reply.location.netloc not in ("", site):
                break
            reply = browser.get(urllib.parse.urlunsplit(("", "", *reply.location[2:])))
        leaked = [name for name, data in hidden.items() if data in reply.body]
        if reply.status not in (400, 404) or leaked:
            bad.append(f"{path} -> {reply.status} {leaked} {reply.headers.get('Location')}")
    return bad


PUBLIC_WITH_ID = ["/sessions/{x}", "/sessions/{x}/media", "/sessions/{x}/transcript.txt",
                  "/sessions/{x}/transcript.json", "/api/sessions/{x}", "/static/{x}",
                  "/sessions/{sid}/{x}"]
STAFF_WITH_ID = ["/staff/sessions/{x}", "/staff/sessions/{x}/media", "/staff/jobs/{x}",
                 "/staff/jobs/{x}.json", "/staff/sessions/{sid}/media/{x}"]


@pytest.mark.parametrize("template", PUBLIC_WITH_ID)
def test_public_paths_never_leave_the_archive(shared_site: Site, template):
    # Published, so a public route would serve the session's files if it served any.
    archive = shared_site.archive
    record = archive.session_dir(shared_site.sid) / "session.json"
    draft = record.read_bytes()
    service.publish(archive, shared_site.sid)
    try:
        assert Client(shared_site.base).get(f"/sessions/{shared_site.sid}/media").status == 200
        assert probe(Client(shared_site.base), archive, template, sid=shared_site.sid) == []
    finally:
        record.write_bytes(draft)
        service.heal(archive)  # a draft again, by hand: out of the index


@pytest.mark.parametrize("template", STAFF_WITH_ID)
def test_staff_paths_never_leave_the_archive(shared_site: Site, template):
    editor = log_in(shared_site.base)
    assert editor.get(f"/staff/sessions/{shared_site.sid}/media").status == 200
    assert editor.get(f"/staff/jobs/{shared_site.job}").status == 200
    assert probe(editor, shared_site.archive, template, sid=shared_site.sid) == []


def test_a_job_id_cannot_discard_or_retry_outside_the_jobs(site: Site):
    editor = log_in(site.base)
    token = editor.token("/staff/")
    # A folder a discard would delete if the id were joined unchecked: .jobs/../sessions/<id>.
    before = fingerprint(site.archive.root)
    bad = []
    for x in ["..", "%2e%2e", "..%2fsessions%2f" + site.sid, "../sessions/" + site.sid,
              "..%5csessions%5c" + site.sid, urllib.parse.quote(str(site.archive.root), safe=""),
              "%2e%2e%2f%2e%2e%2f" + site.archive.root.name, "sessions", ".index"]:
        for action in ("discard", "retry"):
            reply = editor.post(f"/staff/jobs/{x}/{action}", {"csrf_token": token})
            if reply.status not in (400, 404):
                bad.append(f"{x}/{action} -> {reply.status}")
    assert bad == []
    assert fingerprint(site.archive.root) == before


# --- 4. the login cookie -----------------------------------------------------------------------

def login_cookie(reply: Reply) -> dict[str, str]:
    """The session cookie a successful login sets."""
    assert reply.status == 302, (reply.status, reply.text)
    (cookie,) = [c for c in reply.cookies() if c["name"] == "ontherecord_session"]
    return cookie


def test_the_login_cookie_is_httponly_and_lax_and_not_secure_over_http(site: Site):
    browser = Client(site.base)
    # A forged X-Forwarded-Proto is not believed when no proxy is trusted.
    for headers in ({}, {"X-Forwarded-Proto": "https"}):
        cookie = login_cookie(browser.login(NAME, PASSWORD, headers=headers))
        assert "httponly" in cookie and cookie["samesite"] == "Lax"
        assert "secure" not in cookie, headers
        assert PASSWORD not in urllib.parse.unquote(cookie["value"])
    page = browser.get("/staff/login", {"X-Forwarded-Proto": "https"})
    assert all("secure" not in c for c in page.cookies())


def test_the_app_marks_the_cookie_secure_behind_a_trusted_proxy(site: Site):
    https = {"X-Forwarded-Proto": "https"}
    for proxies, secure in ((1, True), (0, False)):
        app = create_app({"ARCHIVE": str(site.archive.root), "TESTING": True,
                          "TRUSTED_PROXIES": proxies})
        client = app.test_client()
        page = client.get("/staff/login", headers=https)
        assert page.status_code == 200
        (header,) = page.headers.getlist("Set-Cookie")
        assert ("; Secure" in header) is secure, (proxies, header)
        token = csrf_token(client.get("/staff/login").get_data(as_text=True))
        reply = client.post("/staff/login", headers=https, data={
            "name": NAME, "password": PASSWORD, "csrf_token": token})
        assert reply.status_code == 302
        (header,) = reply.headers.getlist("Set-Cookie")
        assert ("; Secure" in header) is secure, (proxies, header)
        assert "; HttpOnly" in header and "; SameSite=Lax" in header


def test_the_login_cookie_is_secure_over_https_through_a_trusted_proxy(site: Site):
    """Over HTTP as deployed: `ontherecord serve` runs waitress as serving() does."""
    with serving(site.archive, TRUSTED_PROXIES=1) as base:
        browser = Client(base)
        https = {"X-Forwarded-Proto": "https"}
        page = browser.get("/staff/login", https)
        assert page.status == 200 and len(page.cookies()) == 1
        assert "secure" in page.cookies()[0], (
            "X-Forwarded-Proto never reached the app: waitress drops it unless told to trust "
            "the proxy, so TRUSTED_PROXIES does nothing under waitress")
        # The login page's own (plain-http) cookie keeps the form's token for the jar.
        cookie = login_cookie(browser.login(NAME, PASSWORD, headers=https))
        assert "secure" in cookie and "httponly" in cookie and cookie["samesite"] == "Lax"
        plain = login_cookie(Client(base).login(NAME, PASSWORD))
        assert "secure" not in plain


# --- 5. logging in -----------------------------------------------------------------------------

def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(shared_site: Site):
    browser = Client(shared_site.base)
    answers = set()
    for name, password in ((NAME, "not the password"), ("nobody", PASSWORD),
                           (NAME.upper(), PASSWORD + "!"), ("../editor", PASSWORD), ("", "")):
        reply = browser.login(name, password)
        assert reply.status == 401, name
        (message,) = ERROR.findall(reply.text)
        answers.add(message)
        assert browser.get("/staff/").status == 302
    assert answers == {"wrong name or password"}
    assert log_in(shared_site.base).get("/staff/").status == 200  # the failures reset


def test_five_failures_lock_the_account_until_its_password_is_set(site: Site):
    browser = Client(site.base)
    for _ in range(staff.FAILURES_BEFORE_LOCK):
        reply = browser.login(NAME, "not the password")
        assert reply.status == 401 and "wrong name or password" in reply.text
    reply = browser.login(NAME, PASSWORD)
    assert reply.status == 401
    (message,) = ERROR.findall(reply.text)
    assert "locked" in message and "too many failed logins" in message
    assert browser.get("/staff/").status == 302
    assert staff.load(site.archive)[NAME].locked_until
    staff.set_password(site.archive, NAME, PASSWORD)
    assert staff.load(site.archive)[NAME].locked_until is None
    assert browser.login(NAME, PASSWORD).status == 302
    assert browser.get("/staff/").status == 200


@pytest.mark.parametrize(("target", "lands"), [
    ("/staff/sessions/{sid}", "/staff/sessions/{sid}"),
    ("/staff/upload?from=here", "/staff/upload?from=here"),
    ("//evil.example/", "/staff/"),
    ("https://evil.example/", "/staff/"),
    ("http:evil.example", "/staff/"),
    ("/\\evil.example", "/staff/"),
    ("\\\\evil.example", "/staff/"),
    ("/\t/evil.example", "/staff/"),
    ("/\n/evil.example", "/staff/"),
    ("javascript:alert(1)", "/staff/"),
    ("evil.example", "/staff/"),
    ("", "/staff/"),
])
def test_login_goes_to_next_only_on_this_site(shared_site: Site, target, lands):
    reply = Client(shared_site.base).login(NAME, PASSWORD, next_path=shared_site.url(target))
    assert reply.status == 302
    location = reply.headers["Location"]
    assert location == shared_site.url(lands), location


# --- 6. logging out, and accounts that are removed -------------------------------------------

def test_logout_and_removing_the_account_end_the_login(site: Site):
    editor = log_in(site.base)
    assert editor.get("/staff/").status == 200
    token = editor.token("/staff/")
    assert editor.post("/staff/logout", {}).status == 400  # a logout needs the token too
    assert editor.get("/staff/").status == 200
    reply = editor.post("/staff/logout", {"csrf_token": token})
    assert reply.status == 302 and reply.location.path == "/"
    reply = editor.get("/staff/")
    assert reply.status == 302 and reply.location.path == "/staff/login"
    state = site.url("/staff/sessions/{sid}/state")
    assert editor.post(state, {"action": "publish", "csrf_token": token}).status == 400

    again = log_in(site.base)
    token = again.token("/staff/")
    assert again.get("/staff/").status == 200
    staff.remove(site.archive, NAME)
    reply = again.get("/staff/")
    assert reply.status == 302 and reply.location.path == "/staff/login"
    assert again.get(site.url("/staff/sessions/{sid}")).status == 302
    before = fingerprint(site.archive.root)
    assert again.post(state, {"action": "publish", "csrf_token": token}).status == 403
    assert fingerprint(site.archive.root) == before
    assert site.archive.session(site.sid).state == "draft"


# --- 7. uploads from visitors ------------------------------------------------------------------

def test_a_visitors_upload_is_refused_unread(shared_site: Site):
    archive = shared_site.archive
    visitor = Client(shared_site.base)
    token = visitor.token()
    before = fingerprint(archive.root)
    fields = {"title": "Not ours", "date": "2024-01-01", "unit": "X"}
    for form in (fields, {**fields, "csrf_token": token}):
        body, headers = multipart(form, "recording.ogg", EXAMPLE.read_bytes()[:300_000])
        reply = visitor.post("/staff/upload", body, headers)
        assert reply.status == 403 and "Log in as staff to upload" in reply.text
    assert not (archive.root / ".uploads").exists()  # the app never even began to read it
    assert [j.id for j in jobs.every(archive)] == [shared_site.job]
    assert fingerprint(archive.root) == before


def test_a_removed_accounts_upload_is_refused_unread(site: Site):
    uploads = site.archive.root / ".uploads"
    editor = log_in(site.base)
    token = editor.token("/staff/upload")
    fields = {"title": "Not ours", "date": "2024-01-01", "unit": "X"}
    # The probe works: a staff member's upload without a token is read (then refused).
    body, headers = multipart(fields, "recording.ogg", b"OggS" + bytes(100_000))
    assert editor.post("/staff/upload", body, headers).status == 400
    assert uploads.is_dir() and list(uploads.iterdir()) == []
    shutil.rmtree(uploads)

    staff.remove(site.archive, NAME)
    before = fingerprint(site.archive.root)
    body, headers = multipart({**fields, "csrf_token": token}, "recording.ogg",
                              b"OggS" + bytes(100_000))
    reply = editor.post("/staff/upload", body, headers)
    assert reply.status == 403
    assert [j.id for j in jobs.every(site.archive)] == [site.job]
    assert not uploads.exists(), "a removed account's upload was read into the archive"
    assert fingerprint(site.archive.root) == before


# --- 8. headers --------------------------------------------------------------------------------

def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}."""
    found = {}
    for part in policy.split(";"):
        if part.strip():
            name, *sources = part.split()
            found[name.lower()] = sources
    return found


PUBLIC_PAGES = ["/", "/sessions/", "/sessions/{sid}", "/sessions/{sid}?t=30", "/topics/",
                "/search?q=salary", "/sessions/no-such-session", "/no/such/page",
                "/staff/login", "/staff/login?next=/staff/"]
STAFF_HTML = ["/staff/", "/staff/sessions/{sid}", "/staff/upload", "/staff/jobs/{job}",
              f"/staff/jobs/{UNKNOWN_JOB}", "/staff/sessions/no-such-session"]


def test_every_page_forbids_inline_scripts_and_staff_pages_are_not_kept(site: Site):
    service.publish(site.archive, site.sid)
    visitor, editor = Client(site.base), log_in(site.base)
    replies = [(path, visitor.get(site.url(path))) for path in PUBLIC_PAGES]
    replies += [(path, editor.get(site.url(path))) for path in STAFF_HTML]
    replies += [(path, visitor.get(site.url(path))) for path in STAFF_HTML]  # the redirects
    html = 0
    for path, reply in replies:
        assert reply.headers["X-Content-Type-Options"] == "nosniff", path
        if reply.headers.get_content_type() == "text/html" and reply.status != 302:
            html += 1
            policy = directives(reply.headers["Content-Security-Policy"] or "")
            assert policy.get("script-src") == ["'self'"], (path, policy)
            assert policy.get("object-src") == ["'none'"], path
            assert "'unsafe-inline'" not in policy.get("default-src", []), path
            # Nothing on the page needs what the policy forbids.
            assert not re.search(r"<script(?![^>]*\ssrc=)", reply.text), path
            assert not re.search(r"<[^>]+\son[a-z]+\s*=", reply.text), path
            assert "javascript:" not in reply.text, path
        if path.startswith("/staff"):
            assert reply.headers["Cache-Control"] == "no-store", path
            assert reply.headers["X-Frame-Options"] == "DENY", path
    assert html >= len(PUBLIC_PAGES) + len(STAFF_HTML)
    for path in ("/staff/sessions/{sid}/media", "/staff/jobs/{job}.json"):
        reply = editor.get(site.url(path))
        assert reply.status == 200
        assert reply.headers["Cache-Control"] == "no-store", path


# --- 9. drafts ---------------------------------------------------------------------------------

def test_a_draft_is_hidden_from_the_public_and_shown_to_staff(shared_site: Site):
    sid, archive = shared_site.sid, shared_site.archive
    session = archive.session(sid)
    assert session.state == "draft"
    visitor = Client(shared_site.base)
    for path in [f"/sessions/{sid}", f"/sessions/{sid}/media", f"/api/sessions/{sid}",
                 *[f"/sessions/{sid}/transcript.{fmt}" for fmt in WRITERS]]:
        reply = visitor.get(path)
        assert reply.status == 404, path
        assert session.title not in reply.text, path
    listing = visitor.get("/api/sessions")
    assert listing.status == 200 and sid not in listing.text

    editor = log_in(shared_site.base)
    page = editor.get(f"/staff/sessions/{sid}")
    assert page.status == 200
    assert session.title in page.text and 'class="state state-draft"' in page.text
    assert sid in editor.get("/staff/").text
    media = editor.get(f"/staff/sessions/{sid}/media")
    assert media.status == 200
    assert media.body == archive.media_path(session).read_bytes()


# --- 10. the files that hold accounts and the cookie key ---------------------------------------

def test_accounts_and_the_cookie_key_are_owner_only_and_hold_no_password(tmp_path: Path):
    archive = Archive(tmp_path / "archive")
    accounts = archive.root / "staff.json"
    key = archive.root / ".secret_key"

    def check() -> None:
        assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
        data = accounts.read_bytes()
        assert PASSWORD.encode() not in data and b"correct horse" not in data
        assert NAME.encode() in data and b"scrypt$" in data

    staff.add(archive, NAME, PASSWORD)
    check()
    assert not key.exists()
    with serving(archive) as base:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert re.fullmatch(r"[0-9a-f]{64}", key.read_text().strip())
        assert Client(base).login(NAME, "not the password").status == 401
        check()
        assert log_in(base).get("/staff/").status == 200
        check()
    staff.set_password(archive, NAME, "another good password")
    check()
    first = key.read_text()
    create_app({"ARCHIVE": str(archive.root)})
    assert key.read_text() == first  # kept, so logins survive a restart
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_job_ids_of_digits_only_are_job_ids(tmp_path):
    """An id is 12 hex digits; one with no letter in it (1 in 280) is as good as any."""
    archive = Archive(tmp_path / "archive")
    assert jobs.folder(archive, "123456789012") == archive.root / ".jobs" / "123456789012"
    for bad in ("12345678901", "1234567890123", "12345678901g", "123456789012\n",
                "ABCDEF012345", "../12345678"):
        with pytest.raises(NotFoundError):
            jobs.folder(archive, bad)

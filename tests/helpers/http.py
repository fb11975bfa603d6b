"""Servers under test and the clients that talk to them.

`serving()` runs the app under waitress on a free loopback port; `Client` is one browser's
requests to it (its own cookies, answers as they came or redirects followed); `client_over()`
is Flask's test client for the app over an archive, for tests that need no real HTTP.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from ontherecord.archive import Archive
from search_app import create_app
from search_app.settings import waitress_options
from tests.helpers.example import TEST_MODEL
from tests.helpers.html import csrf_token, form_fields, parse_html


def free_port() -> int:
    """A loopback port nothing listens on (at least just now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_over(archive: Archive, **settings):
    """Flask's test client for the app over an archive."""
    return create_app({"ARCHIVE": str(archive.root), "TESTING": True, **settings}).test_client()


@contextlib.contextmanager
def serving(archive: Archive, port: int = 0, **settings):
    """The app over an archive, served by waitress on a loopback port (a free one unless
    given: an app that writes its own address in emails must know it); yields its URL."""
    # Background ingests use the test model unless `settings` say otherwise.
    from waitress import wasyncore
    from waitress.server import create_server

    app = create_app({"ARCHIVE": str(archive.root), "MODEL": TEST_MODEL, **settings})
    server = create_server(app, host="127.0.0.1", port=port, threads=4,
                           **waitress_options(app.config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Request threads end first, then the loop closes every socket itself. Closed from
        # here while they run, a socket's number could be reused by the next test's server
        # and get a stray wake-up byte ("xHTTP/1.1 200 OK") or "Bad file descriptor".
        server.task_dispatcher.shutdown()
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        except OSError:
            # The wake-up pipe was found closed once in CI (EBADF) at the end of a module,
            # after every test had passed. The loop polls each second and stops once its map
            # is empty, so closing from here still ends it.
            wasyncore.close_all(server._map, ignore_all=True)
        thread.join(10)


@dataclass
class Reply:
    """One HTTP answer: where it came from (after any redirects), its headers and body."""

    status: int
    url: str
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")

    @property
    def page(self):
        """The body as a parsed HTML page."""
        return parse_html(self.text)

    def json(self):
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def location(self) -> urllib.parse.SplitResult:
        """Where a redirect points."""
        return urllib.parse.urlsplit(self.headers["Location"])

    def cookies(self) -> list[dict[str, str]]:
        """Each Set-Cookie as {attribute (lower case): value}, with "" for flags."""
        found = []
        for header in self.headers.get_all("Set-Cookie") or []:
            first, *attributes = (part.strip() for part in header.split(";"))
            name, value = first.split("=", 1)
            cookie = {"name": name, "value": value}
            for attribute in attributes:
                key, _, val = attribute.partition("=")
                cookie[key.lower()] = val
            found.append(cookie)
        return found


class _KeepEveryResponse(urllib.request.HTTPErrorProcessor):
    """Hand back every response as it is: a 302 is not followed, a 4xx is not raised."""

    def http_response(self, request, response):
        return response

    https_response = http_response


class Client:
    """One browser at a server under test: its own cookies; answers as they came (redirects
    and errors too), or with redirects followed if `follow_redirects`."""

    def __init__(self, base: str, follow_redirects: bool = False) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)]
        if not follow_redirects:
            handlers.append(_KeepEveryResponse())
        self.opener = urllib.request.build_opener(*handlers)
        self.login_page_token = ""

    def request(self, method: str, path: str, data: dict | list | bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        """Send one request (form fields are URL-encoded, bytes sent as they are)."""
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict | list) else data
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return Reply(response.status, response.url, response.headers, response.read())
        except urllib.error.HTTPError as e:  # only raised when following redirects
            return Reply(e.code, e.url, e.headers, e.read())

    def get(self, path: str, headers: dict[str, str] | None = None, **params: str) -> Reply:
        """GET a path, with these query parameters."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self.request("GET", path + query, headers=headers)

    def post(self, path: str, data: dict | list | bytes | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        """POST form fields (or a prepared body) to a path."""
        return self.request("POST", path, data if data is not None else {}, headers)

    def token(self, path: str = "/staff/login") -> str:
        """The CSRF token in the forms of a page."""
        reply = self.get(path)
        assert reply.status == 200, (path, reply.status)
        return csrf_token(reply.text)

    def login(self, name: str, password: str, next_path: str | None = None,
              headers: dict[str, str] | None = None) -> Reply:
        """Fill in and send the staff login form, as a person would."""
        self.login_page_token = self.token()
        query = "" if next_path is None else "?" + urllib.parse.urlencode({"next": next_path})
        return self.post(f"/staff/login{query}", {"name": name, "password": password,
                                                  "csrf_token": self.login_page_token}, headers)

    def form(self, page_path: str, action: str) -> dict[str, str]:
        """The fields of the form on a page that posts to `action`, as the page filled them."""
        reply = self.get(page_path)
        assert reply.status == 200, (page_path, reply.status)
        (form,) = [f for f in reply.page.find_all("form") if f.get("action") == action]
        return {"_action": action, **form_fields(form)}

    def send(self, fields: dict[str, str], button: tuple[str, str] | None = None,
             **changes: str) -> Reply:
        """Post a form's fields (from `form()`) with these changes and the button pressed."""
        fields = dict(fields)
        action = fields.pop("_action")
        unknown = set(changes) - set(fields)
        assert not unknown, f"the form has no field {unknown}"
        fields.update(changes)
        if button:
            fields[button[0]] = button[1]
        return self.post(action, fields)

    def submit(self, page_path: str, action: str, button: tuple[str, str] | None = None,
               **changes: str) -> Reply:
        """Open a page, fill in its form posting to `action` and send it, as a person would."""
        return self.send(self.form(page_path, action), button, **changes)


def get_json(url: str):
    """What a URL answers in JSON; it must be a 200."""
    reply = Client(url).get("")
    assert reply.status == 200, (url, reply.status)
    return reply.json()

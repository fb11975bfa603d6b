"""Pages as tests read them: BeautifulSoup trees, their text, time links, forms and results."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup, Tag


def parse_html(text: str) -> BeautifulSoup:
    """A page as a BeautifulSoup tree (Python's html.parser)."""
    return BeautifulSoup(text, "html.parser")


def squash(text: str) -> str:
    """Text with each run of white space made one space, as a browser shows it."""
    return " ".join(text.split())


def t_of(href: str) -> float:
    """The time (?t=) a link opens its session at."""
    return float(parse_qs(urlsplit(href).query)["t"][0])


def no_traceback(body: str) -> None:
    """Assert an error page shows no Python internals."""
    assert "Traceback" not in body and 'File "' not in body and "Error:" not in body


def page_of(client, url: str, **params) -> BeautifulSoup:
    """A page from a Flask test client, parsed; it must be a 200."""
    response = client.get(url, query_string=params or None)
    assert response.status_code == 200, (url, params, response.status_code)
    return parse_html(response.get_data(as_text=True))


def form_fields(form: Tag) -> dict[str, str]:
    """A form's fields with the values the page gave them; every form carries a CSRF token."""
    fields = {}
    for field in form.find_all("input"):
        if field.get("name"):
            fields[field["name"]] = field.get("value") or ""
    for field in form.find_all("textarea"):
        fields[field["name"]] = field.text
    for field in form.find_all("select"):
        options = field.find_all("option")
        chosen = [o for o in options if o.has_attr("selected")] or options[:1]
        fields[field["name"]] = chosen[0].get("value") if chosen else ""
    assert fields.get("csrf_token"), "every form carries the CSRF token"
    return fields


def csrf_token(text: str) -> str:
    """The CSRF token in the hidden field of a page's forms."""
    field = parse_html(text).find("input", attrs={"name": "csrf_token", "type": "hidden"})
    assert field is not None and field.get("value"), "no csrf_token field on the page"
    return field["value"]


@dataclass
class ShownHit:
    """One hit on a results page, with the session it is in as the page names it."""

    tag: Tag  # the li.hit
    session: str  # the session's id
    title: str  # the session's title as shown: its group's heading, or the hit's meta line


def result_hits(page: BeautifulSoup) -> list[ShownHit]:
    """Every hit a results page shows, in order, with its session.

    On the page grouped by session (li.group), each group's hits, those behind "more" too;
    on the flat list of one session's hits (?session=), each hit, whose meta line links to
    its session.
    """
    groups = page.find_all("li", class_="group")
    if groups:
        return [ShownHit(hit, group["data-session"], group.find("h2").find("a").text)
                for group in groups for hit in group.find_all("li", class_="hit")]
    flat = page.find("ol", class_="hits")
    if flat is None:
        return []
    shown = []
    for hit in flat.find_all("li", class_="hit"):
        path = urlsplit(hit.find("a", class_="jump")["href"]).path
        (link,) = [a for a in hit.find("div", class_="meta").find_all("a")
                   if urlsplit(a["href"]).path == path]
        shown.append(ShownHit(hit, unquote(path.rsplit("/", 1)[1]), link.text))
    return shown


def count_line(page: BeautifulSoup) -> str:
    """The results page's count line ("N moments in M sessions for …"), squashed."""
    return squash(page.find("p", class_="count").text)


def moments(n: int, sessions: int | None = None) -> str:
    """How a results page counts: "1 moment", "3 moments", "3 moments in 2 sessions"."""
    said = f"{n} moment{'' if n == 1 else 's'}"
    if sessions is None:
        return said
    return f"{said} in {sessions} session{'' if sessions == 1 else 's'}"

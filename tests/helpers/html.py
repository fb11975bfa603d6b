"""Pages as tests read them: BeautifulSoup trees, their text, time links and forms."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

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
    response = client.get(url, query_string=params)
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

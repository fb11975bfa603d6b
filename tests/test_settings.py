"""The app's settings: each documented, defaults overridden in order, and actually used."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from search_app import create_app
from search_app.settings import defaults
from tests.helpers import ROOT
from tests.helpers.html import page_of, parse_html, result_hits, squash
from tests.helpers.transcripts import made_archive

README = ROOT / "README.md"


def settings_section() -> str:
    """The text of README.md's "Settings" section (up to the next heading of its level or above)."""
    assert README.is_file(), "README.md is missing"
    text = README.read_text("utf-8")
    heading = re.search(r"^(#+) Settings\s*$", text, re.MULTILINE)
    assert heading, 'README.md has no "Settings" section'
    level = len(heading.group(1))
    rest = text[heading.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[:end.start()] if end else rest


@pytest.mark.parametrize("name", sorted(defaults()))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in settings_section(), (
        f"setting {name} is not documented in README.md's Settings section")


def test_defaults(monkeypatch):
    monkeypatch.delenv("ONTHERECORD_ARCHIVE", raising=False)
    found = defaults()
    assert {k: found[k] for k in ("ARCHIVE", "SITE_NAME", "PAGE_SIZE", "SESSIONS_PER_PAGE",
                                  "HITS_PER_SESSION", "MODEL")} == {
        "ARCHIVE": "archive", "SITE_NAME": "On the Record", "PAGE_SIZE": 20,
        "SESSIONS_PER_PAGE": 10, "HITS_PER_SESSION": 3, "MODEL": "base"}


def test_archive_default_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ONTHERECORD_ARCHIVE", str(tmp_path / "elsewhere"))
    assert defaults()["ARCHIVE"] == str(tmp_path / "elsewhere")
    assert create_app().config["ARCHIVE"] == str(tmp_path / "elsewhere")
    # An empty variable is as good as none.
    monkeypatch.setenv("ONTHERECORD_ARCHIVE", "")
    assert defaults()["ARCHIVE"] == "archive"


def test_the_app_serves_the_archive_the_environment_names(monkeypatch, example_archive,
                                                          example_id):
    monkeypatch.setenv("ONTHERECORD_ARCHIVE", str(example_archive.root))
    client = create_app({"TESTING": True}).test_client()
    assert f'href="/sessions/{example_id}"' in client.get("/").get_data(as_text=True)
    assert client.get("/api/search?q=strike").get_json()["total"] >= 1


def test_overrides_win_over_defaults_and_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ONTHERECORD_ARCHIVE", str(tmp_path / "from-env"))
    app = create_app({"ARCHIVE": str(tmp_path / "given"), "SITE_NAME": "Bargaining Watch",
                      "PAGE_SIZE": 5})
    assert app.config["ARCHIVE"] == str(tmp_path / "given")
    assert app.config["SITE_NAME"] == "Bargaining Watch"
    assert app.config["PAGE_SIZE"] == 5
    # What was not overridden keeps its default.
    assert create_app({"PAGE_SIZE": 5}).config["SITE_NAME"] == "On the Record"


def test_site_name_is_shown(example_archive, example_id):
    client = create_app({"ARCHIVE": str(example_archive.root), "TESTING": True,
                         "SITE_NAME": "Bargaining <Watch>"}).test_client()
    for url in ("/", "/search?q=salary", f"/sessions/{example_id}", "/sessions/2030-01-01-x"):
        page = parse_html(client.get(url).get_data(as_text=True))
        assert page.find("a", class_="brand").text == "Bargaining <Watch>"
        assert squash(page.find("title").text).endswith("Bargaining <Watch>")
    assert "Bargaining <Watch>" not in client.get("/").get_data(as_text=True)


def test_page_size_is_used(example_archive, example_id):
    """PAGE_SIZE: hits a page in the API, and on the web page of one session's hits."""
    client = create_app({"ARCHIVE": str(example_archive.root), "TESTING": True,
                         "PAGE_SIZE": 3}).test_client()
    data = client.get("/api/search?q=district").get_json()
    pages = -(-data["total"] // 3)
    assert len(data["hits"]) == 3 and data["pages"] == pages > 1
    page = page_of(client, "/search", q="district", session=example_id)
    assert len(result_hits(page)) == 3
    assert f"Page 1 of {pages}" in squash(page.find("nav", class_="pages").text)
    # Grouped results are pages of sessions: the one session, with all its moments.
    page = page_of(client, "/search", q="district")
    assert len(result_hits(page)) == data["total"]
    assert page.find_all("nav", class_="pages") == []


def test_sessions_per_page_and_hits_per_session_are_used(tmp_path):
    """SESSIONS_PER_PAGE: sessions a page of grouped results (web and API); HITS_PER_SESSION:
    a session's moments shown before the rest, behind "more" (the API gives only those)."""
    archive = made_archive(tmp_path / "archive")  # "salary": twice in one, once in another
    client = create_app({"ARCHIVE": str(archive.root), "TESTING": True,
                         "SESSIONS_PER_PAGE": 1, "HITS_PER_SESSION": 1}).test_client()
    seen = {}
    for number in (1, 2):
        page = page_of(client, "/search", q="salary", page=number)
        assert f"Page {number} of 2" in squash(page.find("nav", class_="pages").text)
        (group,) = page.find_all("li", class_="group")
        first = group.find("ol", class_="hits", recursive=False).find_all("li", class_="hit")
        behind = [hit for more in group.find_all("details", class_="more")
                  for hit in more.find_all("li", class_="hit")]
        assert len(first) == 1
        seen[group.get("data-session")] = 1 + len(behind)
        data = client.get(f"/api/search?q=salary&group=session&page={number}").get_json()
        assert data["pages"] == 2
        (grouped,) = data["groups"]
        assert grouped["session"] == group.get("data-session") and len(grouped["hits"]) == 1
        assert grouped["count"] == 1 + len(behind)
    assert sorted(seen.values()) == [1, 2]


def test_instance_config_is_read_between_defaults_and_overrides(tmp_path, example_archive):
    """instance/config.py beside the package changes the defaults; create_app's overrides
    still win. Run on a copy of the package, so the real instance folder is not touched."""
    shutil.copytree(ROOT / "search_app", tmp_path / "search_app",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text(textwrap.dedent(f"""\
        SITE_NAME = "Instance Name"
        PAGE_SIZE = 7
        ARCHIVE = {str(example_archive.root)!r}
    """))
    script = textwrap.dedent("""\
        import json
        import search_app
        from search_app import create_app
        plain = create_app()
        given = create_app({"PAGE_SIZE": 9})
        print(json.dumps({
            "package": search_app.__file__, "instance": plain.instance_path,
            "plain": {k: plain.config[k] for k in ("SITE_NAME", "PAGE_SIZE", "ARCHIVE")},
            "given": {k: given.config[k] for k in ("SITE_NAME", "PAGE_SIZE")},
            "home": plain.test_client().get("/").get_data(as_text=True),
        }))
    """)
    # The copy first; the rest of the project from this tree, not wherever it is installed from.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    env.pop("ONTHERECORD_ARCHIVE", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert Path(result["package"]).parent == tmp_path / "search_app"
    assert Path(result["instance"]) == tmp_path / "instance"
    assert result["plain"] == {"SITE_NAME": "Instance Name", "PAGE_SIZE": 7,
                               "ARCHIVE": str(example_archive.root)}
    assert result["given"] == {"SITE_NAME": "Instance Name", "PAGE_SIZE": 9}
    assert "Instance Name" in result["home"]
    assert example_archive.session(example_archive.ids()[0]).title in result["home"]

"""The topics chapters are labelled with: the default bargaining taxonomy or an archive's own."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ontherecord.errors import InputError

DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.toml")


@dataclass
class Topic:
    """One subject a bargaining table negotiates."""

    id: str
    name: str
    description: str
    keywords: list[str] = field(default_factory=list)


def load_taxonomy(path: Path | None = None) -> list[Topic]:
    """The topics in a taxonomy file (the default one if no path)."""
    path = path or DEFAULT_TAXONOMY
    try:
        data = tomllib.loads(path.read_text("utf-8"))
        topics = [Topic(t["id"], t["name"], t.get("description", ""), list(t.get("keywords", [])))
                  for t in data["topic"]]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError) as e:
        raise InputError(f"{path}: not a readable taxonomy ({e})") from None
    if not topics or len({t.id for t in topics}) != len(topics):
        raise InputError(f"{path}: a taxonomy needs topics with distinct ids")
    return topics


def topic_names(topics: list[Topic]) -> dict[str, str]:
    """Topic id → name, the form chapter edits and the web pages use."""
    return {t.id: t.name for t in topics}

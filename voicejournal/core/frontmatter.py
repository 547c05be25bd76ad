"""YAML front matter of Markdown files, read and written by PyYAML so any title or tag survives."""

from __future__ import annotations

import re
from datetime import datetime

import yaml

# Characters YAML itself reads as line breaks: written raw (allow_unicode) they would split a value.
_BREAKS = ("\x85", "\u2028", "\u2029", "\r")
_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if any(c in data for c in _BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _moment(dumper: yaml.SafeDumper, data: datetime) -> yaml.ScalarNode:
    # ISO 8601 with its 'T' and offset, unquoted, as Markdown tools expect a date.
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", data.isoformat(timespec="seconds"))


_Dumper.add_representer(str, _text)
_Dumper.add_representer(datetime, _moment)


def dump_front_matter(meta: dict[str, object]) -> str:
    """The YAML lines between the two `---` of a front matter block (ends with a newline)."""
    return yaml.dump(
        meta, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=float("inf"), default_flow_style=None
    )


class FrontMatterError(ValueError):
    """A front matter block that is not valid YAML."""


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """The front matter of a Markdown text as a dict of strings (and lists of them), and the rest.

    Values stay text, as written: `mood: 3` is "3", `date: 2026-11-02` is "2026-11-02", `tags: [yes]` is
    ["yes"]; PyYAML's BaseLoader builds nothing but strings, lists and dicts. No block: ({}, text).
    """
    opening = _OPENING.match(text)
    if not opening:
        return {}, text
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        return {}, text
    block = text[opening.end() : closing.start()]
    rest = text[closing.end() :]
    rest = rest[2:] if rest.startswith("\r\n") else rest[1:] if rest.startswith("\n") else rest
    try:
        meta = yaml.load(block, Loader=yaml.BaseLoader)  # builds only str, list and dict: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" on line {mark.line + 2}" if mark is not None else ""
        raise FrontMatterError(f"its front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        return {}, rest
    return {str(k).strip().lower(): v for k, v in meta.items()}, rest

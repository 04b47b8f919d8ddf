"""What libyaml lets through but YAML forbids: comments glued to what comes before them, continuation
lines of a top-level value that are not indented, a plain `-` in a flow collection, a tag ending in
a comma, a directive after a document without a `...` line. Each check gives a problem, (message,
line, column) counted from 1 in the text it is given, or None; the loader reports it as a parse error.
"""

from __future__ import annotations

import re

Problem = tuple[str, int, int]

_INDENT = "a continuation line of a top-level value must be indented"


def _top_level_continuation(text: str, start: int, end: int) -> tuple[int, int] | None:
    """In a top-level block, a value's continuation lines must be indented by at least one space.
    (Deeper blocks are not checked: libyaml and kubectl accept less, and real manifests use it.)"""
    offset = text.find("\n", start, end) + 1
    if not offset:
        return None
    while offset < end:
        line_end = text.find("\n", offset)
        line_end = end if line_end < 0 or line_end > end else line_end
        first = text[offset:offset + 1]
        if first not in ("", " ", "\n", "\r", "]", "}") and text[offset:line_end].strip():
            return text.count("\n", 0, offset) + 1, 1
        offset = line_end + 1
    return None


def _unquoted(span: str) -> str:
    """The span with its quoted scalars blanked out (same length), so text inside them matches nothing."""
    return re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'", lambda m: " " * len(m.group()), span)


def collection_end(text: str, start: int, end_mark, outermost_flow: bool, top_level: bool) -> Problem | None:
    """The end of a collection that starts at offset `start`: no comment glued to a closing bracket;
    in an outermost flow collection, no comment glued to a comma and, when it is the value of a
    top-level key (`top_level`), its continuation lines indented."""
    end = end_mark.index
    if text[end : end + 1] == "#" and text[end - 1 : end] in ("]", "}"):
        return "a comment must be separated from ']' or '}' by a space", end_mark.line + 1, end_mark.column + 1
    if not outermost_flow:
        return None
    if top_level:
        problem = _top_level_continuation(text, start, end)
        if problem:
            return _INDENT, *problem
    if text.find("#", start, end) < 0:
        return None
    glued = re.search(r",#", _unquoted(text[start:end]))
    if glued:
        at = start + glued.start() + 1  # the '#'
        line_start = text.rfind("\n", 0, at) + 1
        return "a comment must be separated from ',' by a space", text.count("\n", 0, at) + 1, at - line_start + 1
    return None


def scalar(event, text: str, top_level: bool) -> Problem | None:
    """A scalar event with a style or a tag, or a plain `-`; `top_level`: its collection is a block
    collection in the first column. (Checked in the order the problems are reported.)"""
    style, tag = event.style, event.tag
    quoted = style == '"' or style == "'"
    if quoted and top_level and event.end_mark is not None:
        problem = _top_level_continuation(text, event.start_mark.index, event.end_mark.index)
        if problem:
            return _INDENT, *problem
    if (style == "|" or style == ">") and event.start_mark is not None:
        if re.match(r"[|>][-+0-9]*#", text[event.start_mark.index:event.start_mark.index + 5]):
            return "a comment must be separated from a block scalar header by a space", *_start(event)
    if not style and event.value == "-" and tag is None:
        return "a plain '-' is not a value in a flow collection; quote it", *_start(event)
    if tag is not None and tag.endswith(","):
        return f"a tag cannot end with ',' ({tag})", *_start(event)
    if quoted and event.end_mark is not None:
        mark = event.end_mark
        if text[mark.index : mark.index + 1] == "#":
            return "a comment must be separated from a quoted value by a space", mark.line + 1, mark.column + 1
    if style == '"' and event.end_mark is not None:
        escape = _slash_escape(text, event.start_mark.index, event.end_mark.index)
        # (libyaml reads \/ as YAML 1.2 does; go-yaml, YAML 1.1's, refuses it; but kubectl reads a text that
        # begins like JSON as JSON, where \/ is a slash)
        if escape is not None and text.lstrip()[:1] not in ("{", "["):
            return "found unknown escape character '/': kubectl refuses \\/ in a double-quoted value (write / alone)", *escape
    return None


def _slash_escape(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Line and column of the first \\/ escape in the double-quoted scalar text[start:end], if any."""
    at = text.find("\\/", start, end)
    while at >= 0:
        backslashes = len(text[start:at + 1]) - len(text[start:at + 1].rstrip("\\"))
        if backslashes % 2:  # (an escaped backslash before a slash is no escape of the slash)
            line_start = text.rfind("\n", 0, at) + 1
            return text.count("\n", 0, at) + 1, at - line_start + 1
        at = text.find("\\/", at + 1, end)
    return None


def _start(event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def directives(text: str) -> Problem | None:
    """A directive (`%YAML`, `%TAG`) after a document needs a `...` line before it. A `%` line
    that no `---` follows is the continuation of a plain scalar, not a directive."""
    lines = text.splitlines()
    last_start = max((n for n, line in enumerate(lines) if line.startswith("---")), default=-1)
    in_document = False
    for number, line in enumerate(lines, 1):
        if line.startswith("%") and number <= last_start:
            if in_document:
                return "a directive after a document needs a '...' line before it", number, 1
            glued = re.search(r"[^ \t]#", line)
            if glued:
                return "a comment must be separated from a directive by a space", number, glued.start() + 2
        elif line.startswith("..."):
            in_document = False
        elif line.startswith("---") or (line.strip() and not line.lstrip().startswith("#")):
            in_document = True
    return None

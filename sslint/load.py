"""Read manifest files: bytes → documents of plain data, each with a field-path → position map.

YAML is read from ruamel.yaml's C parser event stream (the pure-Python parser where the C one
is missing), never through a constructor, so no tag ever builds a Python object. Plain scalars
are typed as Kubernetes' own YAML reader (go-yaml v2, YAML 1.1) types them. JSON files are read
as JSON. Whatever cannot be read becomes a ParseError with a position, and the reading goes on
with the next document where it can.
"""

from __future__ import annotations

import bisect
import codecs
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

try:
    from _ruamel_yaml import CParser as _CParser
except ImportError:  # no C extension on this platform
    _CParser = None

MAX_NODES = 2_000_000  # per document, aliases expanded: bounds "billion laughs"

Path = tuple  # field path: keys (str) and list indexes (int)


@dataclass
class ParseError:
    line: int
    column: int
    message: str


@dataclass
class Document:
    data: Any
    positions: dict  # field path → (line, column), 1-based; keys point at the key itself
    index: int  # 0-based document number within its file


@dataclass
class SourceFile:
    path: str  # as reported (relative to the working directory where possible)
    documents: list[Document] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    pragmas: dict = field(default_factory=dict)  # line → (comment text, the comment stands alone)
    template: bool = False  # a Helm template, not a manifest: skipped


class _LoadError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


# -- scalars, as go-yaml v2 resolves them ---------------------------------------------------------

_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# Go's strconv.ParseInt(s, 0, 64) after go-yaml has removed every underscore.
_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_TAG = "tag:yaml.org,2002:"


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar, as `kubectl` reads it."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if not text or text[0] not in "+-.0123456789":
        return text
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    digits = text.replace("_", "")
    if _INT.fullmatch(digits):
        sign, body = (-1, digits[1:]) if digits[0] == "-" else (1, digits.lstrip("+"))
        if len(body) > 1 and body[0] == "0" and body[1] in "0123456789":
            body = "0o" + body[1:]  # a leading zero means octal
        value = sign * int(body, 0)
        if -(2**63) <= value < 2**64:
            return value
    if _FLOAT.fullmatch(digits):
        return float(digits)
    return text


def _scalar_value(event) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        return event.value if event.style or tag == "!" else resolve_plain(event.value)
    if tag == _TAG + "str" or tag == _TAG + "binary":
        return event.value
    value = resolve_plain(event.value)
    expected = {_TAG + "int": int, _TAG + "float": (int, float), _TAG + "bool": bool, _TAG + "null": type(None)}
    wanted = expected.get(tag)
    if wanted is None:  # an application tag (!!python/…, !Ref …): read the text, construct nothing
        return event.value if event.style else value
    if isinstance(value, wanted) and not (wanted is int and isinstance(value, bool)):
        return float(value) if tag == _TAG + "float" else value
    raise _LoadError(f"{event.value!r} is not a valid {tag[len(_TAG):]}", *_mark(event))


def _mark(event_or_mark) -> tuple[int, int]:
    mark = getattr(event_or_mark, "start_mark", event_or_mark)
    return mark.line + 1, mark.column + 1


# -- one builder for both input languages ---------------------------------------------------------

_NO_KEY = object()
_MERGE = object()


class _Frame:
    __slots__ = ("value", "path", "key", "anchor", "merges", "size", "line", "column")

    def __init__(self, value, path, anchor, line, column):
        self.value, self.path, self.anchor = value, path, anchor
        self.key = _NO_KEY
        self.merges = None
        self.size = 1
        self.line, self.column = line, column


class _Builder:
    """Turns start/end/scalar/alias steps into plain data and the positions of every key and item."""

    def __init__(self, line_offset: int = 0):
        self.stack: list[_Frame] = []
        self.positions: dict = {}
        self.anchors: dict = {}
        self.open_anchors: set = set()
        self.nodes = 0
        self.offset = line_offset
        self.root: Any = None

    @property
    def awaiting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is _NO_KEY

    def _child_path(self) -> Path:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, dict):
            return top.path if top.key is _MERGE else top.path + (top.key,)
        return top.path + (len(top.value),)

    def _count(self, size: int, line: int, column: int) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise _LoadError(
                f"document expands to more than {MAX_NODES:,} nodes (an alias bomb?); not read", line, column
            )

    def key(self, text: str, line: int, column: int, merge: bool = False, anchor=None) -> None:
        top = self.stack[-1]
        if anchor is not None:
            self.anchors[anchor] = (text, 1)
        if merge:
            top.key = _MERGE
            return
        if text in top.value:
            first = self.positions.get(top.path + (text,), ("?",))[0]
            raise _LoadError(f"duplicate key {text!r} (first defined on line {first})", line, column)
        top.key = text
        top.value[text] = None  # holds the key's place, so a later duplicate is seen at once
        self.positions[top.path + (text,)] = (line + self.offset, column)

    def start(self, container, line: int, column: int, anchor) -> None:
        if self.awaiting_key:
            raise _LoadError("a mapping key is a mapping or a sequence; Kubernetes keys are strings", line, column)
        self._count(1, line, column)
        path = self._child_path()
        if self.stack and isinstance(self.stack[-1].value, list):
            self.positions[path] = (line + self.offset, column)
        if anchor is not None:
            self.open_anchors.add(anchor)
        self.stack.append(_Frame(container, path, anchor, line, column))

    def end(self) -> None:
        frame = self.stack.pop()
        value = frame.value
        if frame.merges:
            merged: dict = {}
            for source in frame.merges:
                for k, v in source.items():
                    merged.setdefault(k, v)
            merged.update(value)
            value = merged
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (value, frame.size)
        self._deliver(value, frame.size, frame.line, frame.column)

    def scalar(self, value, line: int, column: int, anchor) -> None:
        self._count(1, line, column)
        if anchor is not None:
            self.anchors[anchor] = (value, 1)
        if self.stack and isinstance(self.stack[-1].value, list):
            self.positions[self._child_path()] = (line + self.offset, column)
        self._deliver(value, 1, line, column)

    def alias(self, name: str, line: int, column: int) -> None:
        if name in self.open_anchors:
            raise _LoadError(f"alias *{name} refers to a node that contains it (a recursive alias)", line, column)
        if name not in self.anchors:
            raise _LoadError(f"alias *{name} names no anchor defined before it", line, column)
        value, size = self.anchors[name]
        self._count(size, line, column)
        if self.awaiting_key:
            if isinstance(value, (dict, list)):
                raise _LoadError(f"alias *{name} used as a key is not a string", line, column)
            self.key("" if value is None else str(value), line, column)
            return
        if self.stack and isinstance(self.stack[-1].value, list):
            self.positions[self._child_path()] = (line + self.offset, column)
        self._deliver(value, size, line, column)

    def _deliver(self, value, size: int, line: int, column: int) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.key is _MERGE:
            sources = value if isinstance(value, list) else [value]
            if not all(isinstance(s, dict) for s in sources):
                raise _LoadError("a merge key (<<) must be given a mapping or a list of mappings", line, column)
            top.merges = (top.merges or []) + sources
            top.key = _NO_KEY
        else:
            top.value[top.key] = value
            top.key = _NO_KEY


# -- YAML ------------------------------------------------------------------------------------------


def _yaml_events(text: str):
    if _CParser is not None:
        parser = _CParser(text)
        while True:
            event = parser.get_event()
            yield event
            if isinstance(event, ev.StreamEndEvent):
                return
    else:  # pragma: no cover - exercised only where the C extension is missing
        from ruamel.yaml import YAML

        yield from YAML(typ="safe", pure=True).parse(text)


def _read_yaml(text: str, source: SourceFile) -> None:
    """Every document of `text`; after an error, reading resumes at the next `---` line."""
    line_offset, index = 0, 0
    while True:
        builder = _Builder(line_offset)
        try:
            for event in _yaml_events(text):
                cls = type(event)
                if cls is ev.ScalarEvent:
                    line, column = _mark(event)
                    if builder.awaiting_key:
                        merge = event.value == "<<" and not event.style and event.tag is None
                        builder.key(event.value, line, column, merge, event.anchor)
                    else:
                        builder.scalar(_scalar_value(event), line, column, event.anchor)
                elif cls is ev.MappingStartEvent:
                    builder.start({}, *_mark(event), event.anchor)
                elif cls is ev.SequenceStartEvent:
                    builder.start([], *_mark(event), event.anchor)
                elif cls is ev.MappingEndEvent or cls is ev.SequenceEndEvent:
                    builder.end()
                elif cls is ev.AliasEvent:
                    builder.alias(event.anchor, *_mark(event))
                elif cls is ev.DocumentEndEvent:
                    if builder.root is not None:
                        source.documents.append(Document(builder.root, builder.positions, index))
                    index += 1
                    builder = _Builder(line_offset)
            return
        except (_LoadError, YAMLError) as error:
            line, column, message = _describe(error, text)
            source.errors.append(ParseError(line_offset + line + 1, column, message))
            resume = _next_document_start(text, line)
            if resume is None:
                return
            line_offset += text.count("\n", 0, resume)
            text = text[resume:]
            index += 1


def _describe(error: Exception, text: str) -> tuple[int, int, str]:
    """Position (0-based line of the error within `text`, 1-based column) and a one-line message."""
    if isinstance(error, _LoadError):
        return error.line - 1, error.column, error.message
    if isinstance(error, ReaderError):
        before = text[: error.position]
        line = before.count("\n")
        return line, error.position - (before.rfind("\n") + 1) + 1, f"{error.reason} (character {error.character!r})"
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        message = " ".join(part for part in (error.problem, error.context and f"({error.context})") if part)
        if mark is not None:
            return mark.line, mark.column + 1, message or "invalid YAML"
        return 0, 1, message or "invalid YAML"
    return 0, 1, str(error).splitlines()[0] if str(error) else "invalid YAML"


_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


def _next_document_start(text: str, error_line: int) -> int | None:
    """Offset of the next `---` line at or after the line of an error, past the start of `text`."""
    offset = 0
    for _ in range(error_line):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return None
    match = _DOCUMENT_START.search(text, offset or 1)
    return match.start() if match else None


# -- JSON ------------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'[ \t\n\r]*(?:([{\[])|([}\]])|(")|([,:])|(-?[0-9][0-9.eE+-]*|true|false|null))')


def _read_json(text: str, source: SourceFile) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        source.errors.append(ParseError(error.lineno, error.colno, f"invalid JSON: {error.msg}"))
        return
    except RecursionError:
        source.errors.append(ParseError(1, 1, "invalid JSON: nested too deeply to read"))
        return
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    builder = _Builder()
    pos = 0
    try:
        while True:
            match = _JSON_TOKEN.match(text, pos)
            if match is None:
                break
            opening, closing, quote, _punctuation, literal = match.groups()
            start = match.end() - 1 if (opening or closing or quote) else match.start(match.lastindex)
            pos = match.end()
            if opening:
                builder.start({} if opening == "{" else [], *position(start), None)
            elif closing:
                builder.end()
            elif quote:
                string, pos = json.decoder.scanstring(text, pos)
                if builder.awaiting_key:
                    builder.key(string, *position(start))
                else:
                    builder.scalar(string, *position(start), None)
            elif literal:
                builder.scalar(json.loads(literal), *position(start), None)
    except _LoadError as error:
        source.errors.append(ParseError(error.line, error.column, error.message))
        return
    if builder.root is not None:
        source.documents.append(Document(builder.root, builder.positions, 0))


# -- files -----------------------------------------------------------------------------------------

_HELM_ACTION = re.compile(
    r"\{\{-?\s*(?:[.$]|/\*|(?:include|template|if|else|end|range|with|define|toYaml|tpl|required|default)\b)"
)
_PRAGMA = re.compile(r"(?:^|\s)#\s*(sslint-ignore(?:-file)?\s*:.*)$")


def decode(raw: bytes) -> str:
    """Text of a file: UTF-8 (with or without a BOM), or UTF-16/32 when a BOM says so."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(encoding)
    return raw.decode("utf-8")


def load(raw: bytes, path: str, as_json: bool = False) -> SourceFile:
    """Read one file's bytes into its documents, parse errors and suppression comments."""
    source = SourceFile(path)
    try:
        text = decode(raw)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        source.errors.append(ParseError(line, column, f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded"))
        return source
    if "{{" in text and _HELM_ACTION.search(text):
        source.template = True
        return source
    if "sslint-ignore" in text:
        for number, line in enumerate(text.splitlines(), 1):
            match = _PRAGMA.search(line)
            if match:
                source.pragmas[number] = (match.group(1), line.lstrip().startswith("#"))
    if as_json:
        _read_json(text, source)
    else:
        _read_yaml(text, source)
    return source

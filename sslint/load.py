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
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import events as ev
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from sslint import strict

try:
    import _ruamel_yaml
    from _ruamel_yaml import CParser as _CParser
except ImportError:  # no C extension on this platform
    _ruamel_yaml = _CParser = None

MAX_NODES = 2_000_000  # per document, the nodes aliases stand for: bounds "billion laughs"
MAX_DEPTH = 256  # nested mappings and sequences; Kubernetes objects stay far below

Path = tuple  # field path: keys (str) and list indexes (int)


@dataclass
class ParseError:
    line: int
    column: int
    message: str
    fix: str | None = None  # when the rule's own (correct the YAML or JSON) does not fit


class Document:
    """One document's data, and the position of every key and list item in it.

    positions: field path → (line, column), 1-based; a key's path points at the key itself. Most
    documents never have a finding, so positions are read on the first question, from the
    document's own lines in the text of the file (recording them all would cost a fifth of the
    reading)."""

    __slots__ = ("data", "_positions", "index", "origin", "origin_line")

    def __init__(self, data: Any, positions: dict | _Positions, index: int, origin: str | None = None,
                 origin_line: int | None = None):
        self.data, self._positions, self.index = data, positions, index
        self.origin = origin  # the file it was rendered from (helm's `# Source:`, kustomize's origin)
        self.origin_line = origin_line  # the line of `# Source:`: a rendered line minus this is the template's

    @property
    def positions(self) -> dict:
        if type(self._positions) is not dict:
            self._positions = self._positions.of(self.index)
        return self._positions

    def position_of(self, path: Path, counted: bool = True) -> tuple[int, int] | None:
        """Where the document spells out exactly `path`, if it does (`counted`: see _Positions.find)."""
        if type(self._positions) is dict:
            return self._positions.get(path)
        return self._positions.find(self.index, path, counted)

    def nearest(self, path: Path) -> tuple[int, int]:
        """Line and column of the most specific key of `path` that the document spells out."""
        while path:
            if (found := self.position_of(path)) is not None:
                return found
            path = path[:-1]
        return min(self.positions.values(), default=(1, 1))

    def to_plain(self) -> tuple:
        return self.data, self.index, self.origin, self.origin_line


class _Positions:
    """The positions of a file's documents, read from its text when first asked for: a YAML
    document alone, from the line where it starts to where the next one starts; in a List, an item
    alone."""

    __slots__ = ("text", "as_json", "starts", "read", "asked", "items", "items_read")

    def __init__(self, text: str, as_json: bool, starts: dict[int, tuple[int, int]] | None = None,
                 items: dict[int, list] | None = None):
        self.text, self.as_json = text, as_json
        self.starts = {} if starts is None else starts  # document index → (line, offset) of its first line
        self.read: dict[int, dict] = {}  # document index → positions
        self.asked: set[int] = set()  # documents read up to one key: asked again, they are read whole
        # A List document's items (kubectl get -o yaml|json: a cluster's dump is one document of
        # thousands of objects), so that a finding in one reads that item's positions alone:
        # document index → [(start, end, line, column)] (offsets, 0-based line and column). A YAML
        # text's are recorded as it is first read; a JSON text's, when first asked for.
        self.items = {} if items is None else items
        self.items_read: dict[tuple[int, int], dict | None] = {}  # (document, item) → its positions

    def of(self, index: int) -> dict:
        if index not in self.read:
            self._parse(index, None)
        return self.read.get(index, {})

    def find(self, index: int, path: Path, counted: bool = True) -> tuple[int, int] | None:
        """The position of exactly `path`. The first question about a document reads it only up to
        that key (most documents are asked once, for the key of one finding, and most keys lie near
        the top); the next ones read it whole, so that a document with many findings is not read
        again for each. The loader's own question (the line of a rendered document's first key) is
        not `counted`: a finding's question still comes first."""
        if len(path) > 1 and path[0] == "items" and type(path[1]) is int and index not in self.read:
            item = self._item(index, path[1])
            if item is not None:
                return item.get(path)
        if index in self.read or index in self.asked:
            return self.of(index).get(path)
        if counted:
            self.asked.add(index)
        found = self._parse(index, path)
        return found if found is not None else self.read.get(index, {}).get(path)

    def _item(self, index: int, number: int) -> dict | None:
        """The positions of item `number` of List document `index`, read from the item's own text;
        None when the document is no List or the item cannot be read alone (an alias to an anchor
        outside it): then the document is read."""
        if self.as_json and index not in self.items:
            self.items[index] = _json_items(self.text)
        spans = self.items.get(index, ())
        if (index, number) not in self.items_read and 0 <= number < len(spans):
            start, end, line, column = spans[number]
            documents: list[Document] = []
            try:
                if self.as_json:
                    _Builder(_json_events(self.text[start:end]).__next__, line, None, None).read(0, documents)
                else:  # (padded to its column, the item's lines keep their indentation)
                    with _lean_events():
                        _Builder(_yaml_parser(" " * column + self.text[start:end]).get_event, line, None, None).read(0, documents)
            except (_LoadError, YAMLError):
                self.items_read[index, number] = None
            else:
                path, first = ("items", number), line + 1
                shift = column if self.as_json else 0  # (on its first line, a JSON item's columns count from its start)
                self.items_read[index, number] = {path: (first, column + 1)}
                for document in documents:  # (none for a null)
                    self.items_read[index, number].update(
                        (path + key, (at_line, at_column + shift if at_line == first else at_column))
                        for key, (at_line, at_column) in document.positions.items())
        return self.items_read.get((index, number))

    def _parse(self, index: int, until: Path | None) -> tuple[int, int] | None:
        """Read document `index` up to the key of `until` and return its position, or read it whole
        (where `until` is not in it, or the document cannot be read alone) into self.read."""
        documents: list[Document] = []
        start = self.starts.get(index)
        if start is not None and _CParser is not None:  # (the pure parser starts a document after its directives)
            line, offset = start
            text = self.text[offset:self.starts.get(index + 1, (0, len(self.text)))[1]]
            try:
                if not text.startswith("\ufeff"):  # a BOM begins a slice, but not a document
                    # (no strict checks: the file passed them when it was first read)
                    with _lean_events():
                        _Builder(_yaml_parser(text).get_event, line, None, None, until).read(index, documents)
            except _Found as found:
                return found.position
            except (_LoadError, YAMLError):
                documents = []
        if not documents:
            source = SourceFile("")
            _read(self.text, source, self.as_json, None)
            documents = source.documents
        self.read.update((d.index, d.positions) for d in documents)
        return None


@dataclass
class SourceFile:
    path: str  # as reported (relative to the working directory where possible)
    documents: list[Document] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    pragmas: dict = field(default_factory=dict)  # line → (comment text, the comment stands alone)
    template: bool = False  # a Helm template, not a manifest: skipped
    patch: bool = False  # named as a patch by a kustomization: its objects are fragments
    text: str = ""  # what the documents' positions are read from, when asked for
    as_json: bool = False
    # Where each document's lines begin in the text (_Positions.starts), so that a copy of the file
    # (from the cache or a worker) reads one document's positions, not the whole file's.
    starts: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)  # and where a List's items are (_Positions.items)

    def to_plain(self) -> tuple:
        """Core types only, for marshal: the cache and the worker processes pass files this way."""
        return (
            [d.to_plain() for d in self.documents],
            [(e.line, e.column, e.message, e.fix) for e in self.errors],
            self.pragmas,
            self.template,
            self.text,
            self.as_json,
            self.starts,
            self.items,
        )

    @classmethod
    def from_plain(cls, path: str, plain: tuple) -> SourceFile:
        documents, errors, pragmas, template, text, as_json, starts, items = plain
        lazy = _Positions(text, as_json, starts, items)
        return cls(path, [Document(data, lazy, *rest) for data, *rest in documents], [ParseError(*e) for e in errors],
                   pragmas, template, text=text, as_json=as_json, starts=starts, items=items)


class _LoadError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


class _Found(Exception):
    """The key a builder was told to read up to: its position."""

    def __init__(self, position: tuple[int, int]):
        super().__init__(position)
        self.position = position


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
_UNDERSCORE_OFF_DIGITS = re.compile(r"(?<![0-9])_|_(?![0-9])")
_SIGNED_BINARY = re.compile(r"0b[-+][01]+")
_TAG = "tag:yaml.org,2002:"
# Keys, and short strings (names, labels, images, enumerated values), repeat from object to object:
# the builder keeps one string per spelling of them (sys.intern), which takes a fifth to a quarter
# off the peak memory of a large run (10,000 objects, one core: 101 -> 79 MB), and a rule's
# constant key (`spec`) is then found by identity. Long strings (scripts, configuration files)
# seldom repeat.
_SHORT = 40
_MAYBE_TYPED = frozenset(("", *"+-.0123456789"))  # first characters of a plain scalar that may not be a string
_WORDS = frozenset((*_BOOLS, *_NULLS))


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
    if text[0] == "." and _UNDERSCORE_OFF_DIGITS.search(text):
        return text  # go-yaml hands these to ParseFloat with their underscores, which must stand between digits
    digits = text.replace("_", "")
    if _INT.fullmatch(digits):
        sign, body = (-1, digits[1:]) if digits[0] == "-" else (1, digits.lstrip("+"))
        if len(body) > 1 and body[0] == "0" and body[1] in "0123456789":
            body = "0o" + body[1:]  # a leading zero means octal
        try:
            value = sign * int(body, 0)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits): far beyond 64 bits
            value = 2**64
        if -(2**63) <= value < (2**63 if digits[0] in "+-" else 2**64):  # Go's ParseUint takes no sign
            return value
    if _FLOAT.fullmatch(digits):
        value = float(digits)
        if not math.isinf(value):  # beyond float64's range Go's ParseFloat fails (ErrRange): go-yaml keeps the text
            return value
    if _SIGNED_BINARY.fullmatch(digits):  # go-yaml's last try, ParseInt(plain[2:], 2, 64), takes a sign after 0b
        value = int(digits[2:], 2)
        if -(2**63) <= value < 2**63:
            return value
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


# -- events ----------------------------------------------------------------------------------------
# The C parser makes each event by calling the event class of that name in its module. ruamel.yaml's
# classes run one to three Python __init__ frames per event: a third to two fifths of the parsing,
# measured. The builder's five most frequent events are BaseException subclasses instead, never
# raised: the one built-in type whose constructor keeps any positional arguments (as `args`) without
# running Python code. The builder unpacks `args` where it reads many events; properties name the
# fields for the rest. They stand in the C parser's module only while the builder reads YAML:
# ruamel.yaml's own parse() and emitter need its classes.


def _event_class(name: str, fields: str) -> type:
    """An event whose `args` are `fields`, in the order the C parser passes them."""
    namespace: dict = {"__slots__": (), "FIELDS": fields.split()}
    for n, field_name in enumerate(namespace["FIELDS"]):
        namespace[field_name] = property(lambda self, n=n: self.args[n])
    return type(name, (BaseException,), namespace)


_Scalar = _event_class("ScalarEvent", "anchor tag implicit value start_mark end_mark style")
_MappingStart = _event_class("MappingStartEvent", "anchor tag implicit start_mark end_mark flow_style")
_SequenceStart = _event_class("SequenceStartEvent", "anchor tag implicit start_mark end_mark flow_style")
_MappingEnd = _event_class("MappingEndEvent", "start_mark end_mark")
_SequenceEnd = _event_class("SequenceEndEvent", "start_mark end_mark")
_LEAN_EVENTS = {cls.__name__: cls for cls in (_Scalar, _MappingStart, _SequenceStart, _MappingEnd, _SequenceEnd)}


_LENDING = threading.RLock()


@contextmanager
def _lean_events():
    """The C parser makes the lean events while in this block, for one thread at a time. (They are
    the module's for the whole process: another thread's ruamel.yaml parse() would meet them too.
    sslint runs no such thread.)"""
    if _ruamel_yaml is None:
        yield
        return
    with _LENDING:
        saved = {name: getattr(_ruamel_yaml, name) for name in _LEAN_EVENTS}
        try:
            for name, cls in _LEAN_EVENTS.items():
                setattr(_ruamel_yaml, name, cls)
            yield
        finally:
            for name, cls in saved.items():
                setattr(_ruamel_yaml, name, cls)


def _lean(event):
    """A pure-Python parser's event as the builder reads it."""
    cls = _LEAN_EVENTS.get(type(event).__name__)
    return event if cls is None else cls(*(getattr(event, name) for name in cls.FIELDS))


def _mark(event_or_mark, line_offset: int = 0) -> tuple[int, int]:
    mark = getattr(event_or_mark, "start_mark", event_or_mark)
    return mark.line + 1 + line_offset, mark.column + 1


# -- one builder for both input languages: parser events → data and positions ----------------------


def _size(value: Any, sizes: dict) -> int:
    """Nodes in a value, a container shared by aliases counted once per use; `sizes` remembers
    containers by identity, so a chain of aliases to aliases costs its length, not its expansion."""
    if type(value) is not dict and type(value) is not list:
        return 1
    known = sizes.get(id(value))
    if known is None:
        known = sizes[id(value)] = 1 + sum(_size(v, sizes) for v in (value.values() if type(value) is dict else value))
    return known


class _Builder:
    """Parser events → Documents of plain data, each collection read by a call of its own.

    With `lazy`, records no positions: the documents read them from `lazy` when asked. With the
    `yaml_text`, also rejects what sslint.strict finds in it. With `until`, stops at the key (or
    list item) of that path, raising _Found."""

    def __init__(self, next_event, line_offset: int, yaml_text: str | None, lazy: _Positions | None,
                 until: Path | None = None):
        self.next_event, self.line_offset, self.yaml_text, self.lazy = next_event, line_offset, yaml_text, lazy
        self.track, self.until = lazy is None, until
        self.positions: dict = {}  # of the document being read
        self.anchors: dict = {}
        self.open_anchors: set = set()  # anchors of the collections being read: an alias to one is recursive
        self.sizes: dict = {}
        self.nodes = 0  # the nodes aliases stand for
        self.entries: list = []  # in a List document, where its items are (_Positions.items)
        self.closed = None  # the event that ended the collection read last
        self.index = 0

    def read(self, index: int, documents: list) -> int:
        """Read events up to the end of the stream into `documents`; returns the index the next
        document would have. Raises _LoadError or a YAMLError."""
        root = None
        self.index = index  # (the document being read: where a reader that stops in it may take it up)
        while True:
            event = self.next_event()
            cls = type(event)
            if cls is ev.DocumentStartEvent:
                self.nodes = 0  # (counted from here, not reset at the end: a List's pieces add up their last documents')
                if not self.track:
                    mark = event.start_mark
                    self.lazy.starts[index] = (mark.line + self.line_offset, mark.index - mark.column)
            elif cls is ev.DocumentEndEvent:
                if root is not None:
                    documents.append(Document(root, self.positions if self.track else self.lazy, index))
                if self.entries:
                    self.lazy.items[index] = self.entries
                index = self.index = index + 1
                self.positions, self.anchors, self.open_anchors, self.sizes = {}, {}, set(), {}
                self.entries = []
                root = None
            elif cls is ev.StreamEndEvent:
                return index
            elif cls is not ev.StreamStartEvent:
                root = self.value(event, (), 0, False, 0)  # a document's root: in no collection

    def value(self, event, path: tuple, depth: int, flow: bool, column: int) -> Any:
        """The value an event starts, inside a collection `depth` deep (`flow`, at `column`)."""
        cls = type(event)
        if cls is _Scalar:
            return self.scalar(event, not flow and column == 1)
        if cls is ev.AliasEvent:
            return self.alias(event, as_key=False)
        if depth >= MAX_DEPTH:
            raise _LoadError(f"nested more than {MAX_DEPTH} levels deep; not read", *_mark(event))
        try:
            return (self.mapping if cls is _MappingStart else self.sequence)(event, path, depth + 1, flow, column)
        except RecursionError:  # a caller with a deep stack of its own: the innermost collection that can say so
            raise _LoadError("nested too deeply for the stack of this Python process; not read", *_mark(event)) from None

    def scalar(self, event, block_top: bool) -> Any:
        """A scalar's value, as kubectl reads it; `block_top`: its collection is a block collection in
        the first column."""
        anchor, tag, _, value, _, _, style = event.args
        if tag is not None:
            value = _scalar_value(event)
        elif not style and (value[:1] in _MAYBE_TYPED or value in _WORDS):
            value = resolve_plain(value)
        if self.yaml_text is not None and (tag is not None or style or value == "-"):
            problem = strict.scalar(event, self.yaml_text, block_top)
            if problem:
                raise _LoadError(*problem)
        if type(value) is str and len(value) <= _SHORT:
            value = sys.intern(value)
        if anchor is not None:
            self.define(anchor, value)  # (interned: an alias to it is the same string)
        return value

    def define(self, anchor: str, value: Any) -> None:
        """An anchor names its newest node: an alias after it no longer means an enclosing one."""
        self.anchors[anchor] = value
        self.open_anchors.discard(anchor)

    def alias(self, event, as_key: bool) -> Any:
        name = event.anchor
        if name in self.open_anchors:
            raise _LoadError(f"alias *{name} refers to a node that contains it (a recursive alias)", *_mark(event))
        if name not in self.anchors:
            raise _LoadError(f"alias *{name} names no anchor defined before it", *_mark(event))
        value = self.anchors[name]
        if as_key:
            if isinstance(value, (dict, list)):
                raise _LoadError(f"alias *{name} used as a key is not a string", *_mark(event))
            value = "" if value is None else str(value)
        self.nodes += 1 if as_key else _size(value, self.sizes)
        if self.nodes > MAX_NODES:
            raise _LoadError(f"aliases expand to more than {MAX_NODES:,} nodes (an alias bomb?); not read", *_mark(event))
        return value

    def mapping(self, start, path: tuple, depth: int, parent_flow: bool, parent_column: int) -> dict:
        anchor, _, _, start_mark, _, flow = start.args
        flow, column = bool(flow), start_mark.column + 1
        if anchor is not None:
            self.open_anchors.add(anchor)
        result: dict = {}
        merges: list = []  # (the mappings a merge key gives, how many keys were written before it)
        while True:
            event = self.next_event()
            cls = type(event)
            if cls is _MappingEnd:
                break
            if cls is _Scalar:
                key_anchor, tag, _, key, _, _, style = event.args  # keys are not typed: `1: x` is the key "1"
                key = sys.intern(key)
                if key_anchor is not None:
                    self.define(key_anchor, key)
                if key == "<<" and not style and tag is None:
                    event = self.next_event()
                    sources = self.merged(event, path, depth, flow, column)
                    sources = sources if isinstance(sources, list) else [sources]
                    if not all(isinstance(s, dict) for s in sources):
                        raise _LoadError("a merge key (<<) must be given a mapping or a list of mappings", *_mark(event))
                    merges.append((sources, len(result)))
                    continue
            elif cls is ev.AliasEvent:
                key = self.alias(event, as_key=True)
            else:
                raise _LoadError("a mapping key is a mapping or a sequence; Kubernetes keys are strings", *_mark(event))
            if key in result:
                first = self.positions.get(path + (key,), ("?",))[0] if self.track else "?"
                raise _LoadError(f"duplicate key {key!r} (first defined on line {first})", *_mark(event))
            if self.track:
                self.record(path + (key,), event)
            event = self.next_event()
            if (depth == 1 and key == "items" and not self.track and self.yaml_text is not None  # (YAML: JSON's are found when asked for)
                    and type(event) is _SequenceStart and not event.args[5]):
                result[key] = self.sequence(event, path, depth + 1, flow, column, self.entries)  # a List's items
            else:
                result[key] = self.value(event, path + (key,) if self.track else path, depth, flow, column)
        _, end_mark = event.args
        self.closed = event
        self.close(start_mark, end_mark, flow, parent_flow, parent_column)
        if merges:  # as go-yaml v2 (kubectl) reads them: in order, each key set overwriting what came before
            written, done = list(result.items()), 0
            result = {}
            for sources, at in merges:
                result.update(written[done:at])
                done = at
                for source in reversed(sources):  # (of a list of them, the first has the last word)
                    result.update(source)
            result.update(written[done:])
        if anchor is not None:
            self.define(anchor, result)
        return result

    def sequence(self, start, path: tuple, depth: int, parent_flow: bool, parent_column: int,
                 entries: list | None = None) -> list:
        """(`entries`: where each item is in the text, added to it.)"""
        anchor, _, _, start_mark, _, flow = start.args
        flow, column = bool(flow), start_mark.column + 1
        if anchor is not None:
            self.open_anchors.add(anchor)
        result: list = []
        while True:
            event = self.next_event()
            if type(event) is _SequenceEnd:
                break
            if self.track:
                self.record(path + (len(result),), event)
                result.append(self.value(event, path + (len(result),), depth, flow, column))
            else:
                result.append(self.value(event, path, depth, flow, column))
                if entries is not None:
                    entries.append(self.span(event))
        _, end_mark = event.args
        self.closed = event
        self.close(start_mark, end_mark, flow, parent_flow, parent_column)
        if anchor is not None:
            self.define(anchor, result)
        return result

    def span(self, start) -> tuple[int, int, int, int]:
        """Where the item that `start` began, now read, is in the text: (start, end) offsets, its line
        (counted in the file) and column (0-based). A block collection ends at the start of the line
        where the next item's `-`, or what ends the list, is (and not where the next item's value
        begins, which may be a line after its `-`); a flow collection at its closing bracket; a
        scalar or an alias holds no position but its own."""
        mark = start.start_mark
        end = mark.index
        if type(start) is _MappingStart or type(start) is _SequenceStart:
            closing, after = self.closed.args
            end = after.index if start.args[5] else closing.index - closing.column
        return mark.index, end, mark.line + self.line_offset, mark.column

    def record(self, path: Path, event) -> None:
        """The position of a key or list item; _Found when it is the one to read up to."""
        self.positions[path] = mark = _mark(event, self.line_offset)
        if path == self.until:
            raise _Found(mark)

    def merged(self, event, path: Path, depth: int, flow: bool, column: int) -> Any:
        """The value of a merge key (<<). Its keys keep the mapping's path, and their positions give way
        to those of the same keys written in the mapping itself, before or after the merge key, as
        their values do; so a read up to a key never stops at one of them."""
        if not self.track:
            return self.value(event, path, depth, flow, column)
        outer, until = self.positions, self.until
        self.positions, self.until = {}, None
        try:
            value = self.value(event, path, depth, flow, column)
        finally:
            merged, self.positions, self.until = self.positions, outer, until
        for merged_path, mark in merged.items():
            if type(value) is list:  # of mappings: their keys are the mapping's, the first one's first
                merged_path = path + merged_path[len(path) + 1:]
                if merged_path == path:
                    continue  # a list item itself
            outer.setdefault(merged_path, mark)
        return value

    def close(self, start_mark, end_mark, flow: bool, parent_flow: bool, parent_column: int) -> None:
        """The end of a collection, as strict.collection_end requires. (It has nothing to say of a
        collection without a '#' just after it, or inside it for an outermost flow one, unless that is
        a top-level value: most are not asked.)"""
        text = self.yaml_text
        if text is None or end_mark is None:
            return
        outermost_flow, top_level = flow and not parent_flow, parent_column == 1
        end = end_mark.index
        if outermost_flow and top_level or text.find("#", start_mark.index if outermost_flow else end, end + 1) >= 0:
            problem = strict.collection_end(text, start_mark.index, end_mark, outermost_flow, top_level)
            if problem:
                raise _LoadError(*problem)


# -- YAML ------------------------------------------------------------------------------------------


def _yaml_parser(text: str):
    """A parser whose get_event() yields the events the builder reads: the C one (in _lean_events()),
    else the pure-Python one."""
    return _CParser(text) if _CParser is not None else _PureParser(text)


# libyaml's refusals of what go-yaml (kubectl) reads: a colon in a flow collection's plain scalar
# (`{image: nats:2.10}`), and the escape \' in a double-quoted scalar (Kubernetes' own EnvFiles example).
_GO_YAML_READS = ("found unexpected ':'", "found unknown escape character")


class _PureParser:
    def __init__(self, text: str):
        from ruamel.yaml import YAML
        from ruamel.yaml.scanner import Scanner

        class GoScanner(Scanner):  # the escapes of go-yaml's quoted scalars: \' is one, \/ is none
            ESCAPE_REPLACEMENTS = {**{k: v for k, v in Scanner.ESCAPE_REPLACEMENTS.items() if k != "/"}, "'": "'"}

        yaml = YAML(typ="safe", pure=True)
        yaml.version = (1, 1)  # as libyaml and go-yaml scan: `?` ends a plain scalar in a flow collection
        yaml.Scanner = GoScanner
        self.events = yaml.parse(text)

    def get_event(self):
        try:
            return _lean(next(self.events))
        except (AssertionError, TypeError, ValueError) as error:  # its checks of %YAML versions and the like
            raise _LoadError(f"invalid YAML: {error}", 1, 1) from None


def _read_yaml(text: str, source: SourceFile, lazy: _Positions | None) -> None:
    """Every document of `text`; after an error, reading resumes at the next `---` line, with that
    document alone and then twice as much at a time, in pieces cut at `---` lines (as cut() cuts):
    a long file with many broken documents is not read on to its end after each. An error in a
    piece's last document, which what follows the piece may change, is read again in a piece twice
    as long."""
    if text.startswith("%") or "\n%" in text:
        problem = strict.directives(text)
        if problem is not None:
            message, line, column = problem
            source.errors.append(ParseError(line, column, message))
            return
    start, end, line_offset, index = 0, len(text), 0, 0  # the first read goes to the end
    odd = None  # whether libyaml breaks lines where '\n' does not (a `---` line after '\n' is one it counts too)
    while True:
        piece = text if start == 0 and end == len(text) else text[start:end]
        documents_before = len(source.documents)
        builder = _Builder(_yaml_parser(piece).get_event, line_offset, piece, lazy)
        try:
            with _lean_events():
                index = builder.read(index, source.documents)
        except (_LoadError, YAMLError) as error:
            line, column, message = _describe(error, piece)
            odd = _odd_breaks(text) if odd is None else odd
            resume = _next_document_start(piece, line, odd)
            if resume is None and end < len(text):
                del source.documents[documents_before:]
                end = _document_after(text, end + (end - start))
                continue
            if _CParser is not None and getattr(error, "problem", None) in _GO_YAML_READS and not odd:
                begin = _document_begin(piece, line)
                try:  # libyaml refuses what go-yaml reads (see _document_begin): the document again, alone
                    document = piece[begin:resume]
                    index = _Builder(_PureParser(document).get_event, line_offset + piece.count("\n", 0, begin), document,
                                     None).read(builder.index, source.documents)
                except (_LoadError, YAMLError) as pure_error:  # then its own error, not libyaml's
                    line, column, message = _describe(pure_error, document)
                    line += piece.count("\n", 0, begin)
                else:
                    if resume is None:
                        return
                    line_offset += _breaks(piece, resume, odd)
                    start += resume
                    end = _document_after(text, start + 1)
                    continue
            found = ParseError(line_offset + line + 1, column, message)
            if not source.errors or source.errors[-1] != found:  # (resumed at its own `--- …` line, it recurs)
                source.errors.append(found)
            index = len(source.documents) + len(source.errors)
            if resume is None:
                return
            line_offset += _breaks(piece, resume, odd)
            start += resume
            end = _document_after(text, start + 1)
        else:
            if end == len(text):
                return
            line_offset += _breaks(piece, len(piece), odd)
            start, end = end, _document_after(text, end + 2 * (end - start))


# A line that begins a document (`---`) or ends one (`...`).
_DOCUMENT_BOUNDARY = re.compile(r"(?:\A|\n)(---|\.\.\.)(?=[ \t\r\n]|\Z)")


def _document_begin(text: str, line: int) -> int:
    """Where the document holding 0-based line `line` of `text` begins (a text without a line break
    that only libyaml counts). For a document that libyaml 0.1, the C parser's, refuses because a plain
    scalar in a flow collection holds a colon (`{image: nats:2.10}`), which go-yaml, kubectl's, reads
    as part of the scalar when no ',?[]{}' follows it: the pure-Python parser reads that document as
    go-yaml does, the documents before and after it are the C parser's."""
    offset = _line_start(text, line, False) or 0
    begin = 0
    for boundary in _DOCUMENT_BOUNDARY.finditer(text, 0, offset + 4):
        at = boundary.start(1)
        if at > offset:
            break
        begin = at if boundary.group(1) == "---" else (text.find("\n", at) + 1 or len(text))
    return begin


def _document_after(text: str, offset: int) -> int:
    """Where the first `---` line at or after `offset` begins; the end of the text if none does."""
    following = _DOCUMENT_START.search(text, offset - 1)  # (offset > 0: never the text's first line)
    return following.start() + 1 if following else len(text)


def _describe(error: Exception, text: str) -> tuple[int, int, str]:
    """Position (0-based line of the error within `text`, 1-based column) and a one-line message."""
    if isinstance(error, _LoadError):
        return error.line - 1, error.column, error.message
    if isinstance(error, ReaderError):
        position = error.position
        if _CParser is not None:  # the C parser counts the bytes of the text's UTF-8
            position = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
        breaks = list(_BREAK.finditer(text, 0, position))
        line_start = breaks[-1].end() if breaks else 0
        return len(breaks), position - line_start + 1, f"{error.reason} (character {error.character!r})"
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        message = " ".join(part for part in (error.problem, error.context and f"({error.context})") if part)
        if mark is not None:
            return mark.line, mark.column + 1, message or "invalid YAML"
        return 0, 1, message or "invalid YAML"
    return 0, 1, str(error).splitlines()[0] if str(error) else "invalid YAML"


# A `---` line after the first, found at the '\n' before it: a search with re.M's `^` tries every
# character, ten times slower (35 ms on a 5 MB text without one).
_DOCUMENT_START = re.compile(r"\n---(?=[ \t\r\n]|\Z)")


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # where libyaml breaks lines


def _line_start(text: str, line: int, odd: bool) -> int | None:
    """Where 0-based line `line` of `text` begins, as libyaml counts lines (`odd`: the text has a
    line break that '\n' is not); None past its end."""
    offset = 0
    for _ in range(line):
        if odd:
            found = _BREAK.search(text, offset)
            offset = found.end() if found else 0
        else:
            offset = text.find("\n", offset) + 1
        if offset == 0:
            return None
    return offset


def _breaks(text: str, end: int, odd: bool) -> int:
    """How many line breaks libyaml counts in text[:end]."""
    return len(_BREAK.findall(text, 0, end)) if odd else text.count("\n", 0, end)


def _next_document_start(text: str, error_line: int, odd: bool) -> int | None:
    """Offset of the next `---` line at or after the line of an error, past the start of `text`."""
    offset = _line_start(text, error_line, odd)
    match = None if offset is None else _DOCUMENT_START.search(text, max(offset - 1, 0))
    return match.start() + 1 if match else None


# -- JSON ------------------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'[ \t\n\r]*(?:([{\[])|([}\]])|(")|([,:])|(-?[0-9][0-9.eE+-]*|true|false|null))')


class _Mark:
    __slots__ = ("line", "column", "index")

    def __init__(self, line: int, column: int, index: int):
        self.line, self.column, self.index = line, column, index


def _json_events(text: str):
    """The JSON text as the parser events the builder reads (0-based marks, as the YAML parser gives)."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def mark(offset: int) -> _Mark:
        line = bisect.bisect_right(line_starts, offset) - 1
        return _Mark(line, offset - line_starts[line], offset)

    pos = 0
    while True:
        match = _JSON_TOKEN.match(text, pos)
        if match is None:
            rest = text[pos:].lstrip()
            if rest:  # what json.loads accepts beyond JSON: NaN, Infinity, -Infinity
                at = mark(len(text) - len(rest))
                word = re.match(r"-?\w{1,20}|.", rest).group()
                raise _LoadError(f"invalid JSON: {word!r} is not a JSON value", at.line + 1, at.column + 1)
            break
        opening, closing, quote, _punctuation, literal = match.groups()
        start = match.end() - 1 if (opening or closing or quote) else match.start(match.lastindex)
        pos = match.end()
        if opening == "{":
            yield _MappingStart(None, None, True, mark(start), None, None)
        elif opening == "[":
            yield _SequenceStart(None, None, True, mark(start), None, None)
        elif closing == "}":
            yield _MappingEnd(mark(start), None)
        elif closing == "]":
            yield _SequenceEnd(mark(start), None)
        elif quote:
            string, pos = json.decoder.scanstring(text, pos)
            yield _Scalar(None, None, (False, True), string, mark(start), None, '"')
        elif literal:  # numbers, true, false, null: their plain YAML reading is their JSON value
            yield _Scalar(None, None, (True, False), literal, mark(start), None, "")
    yield ev.DocumentEndEvent(mark(pos))
    yield ev.StreamEndEvent(mark(pos))


class _Irregular(Exception):
    """What json.loads accepts but the builder reads otherwise: a repeated key, NaN or Infinity."""


def _unique_keys(pairs: list) -> dict:
    mapping = {sys.intern(key): value for key, value in pairs}
    if len(mapping) != len(pairs):
        raise _Irregular
    return mapping


def _json_int(literal: str) -> int | float:
    """An integer as resolve_plain reads it: beyond 64 bits, a float."""
    value = resolve_plain(literal)
    return value if type(value) is int else float(literal)


def _irregular(_constant: str):
    raise _Irregular


def _nested_within(value: dict | list, room: int) -> bool:
    """Whether collections nest no more than `room` deep in `value`, itself one."""
    if room == 0:
        return False
    for item in value.values() if type(value) is dict else value:
        if (type(item) is dict or type(item) is list) and not _nested_within(item, room - 1):
            return False
    return True


def _read_json(text: str, source: SourceFile, lazy: _Positions | None) -> None:
    """The data comes from json.loads, at C speed, when it reads the text as the builder would (no
    repeated key, no NaN, no deeper than MAX_DEPTH) and no positions are wanted now; else from the
    builder over _json_events, which says where what it rejects is."""
    data = _Irregular
    try:
        try:
            data = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_json_int, parse_constant=_irregular)
        except (_Irregular, RecursionError):  # a syntax error still comes first, as the json module finds it
            json.loads(text, parse_int=float)
    except RecursionError:
        pass  # too deep for the json module; the builder stops at MAX_DEPTH, with a position
    except json.JSONDecodeError as error:
        source.errors.append(ParseError(error.lineno, error.colno, f"invalid JSON: {error.msg}"))
        return
    if lazy is not None and data is not _Irregular:
        try:
            within = type(data) not in (dict, list) or _nested_within(data, MAX_DEPTH)
        except RecursionError:  # (a caller deep in its own stack: the builder says so, with a position)
            within = False
        if within:
            if data is not None:
                source.documents.append(Document(data, lazy, 0))
            return
    try:
        _Builder(_json_events(text).__next__, 0, None, lazy).read(0, source.documents)
    except _LoadError as error:
        source.errors.append(ParseError(error.line, error.column, error.message))


_SPACE = re.compile(r"[ \t\n\r]*")


def _json_items(text: str) -> list[tuple[int, int, int, int]]:
    """Where each item of the top-level object's "items" list begins and ends in a JSON text that
    _read_json has read (so: valid, with no key twice), and its line and column (0-based)."""
    scan, spans = json.JSONDecoder().scan_once, []
    at = _SPACE.match(text).end()
    if text[at:at + 1] != "{":
        return spans
    at = _SPACE.match(text, at + 1).end()
    while text[at] == '"':
        key, at = json.decoder.scanstring(text, at + 1)
        at = _SPACE.match(text, _SPACE.match(text, at).end() + 1).end()  # past the colon
        if key == "items" and text[at] == "[":
            at = _SPACE.match(text, at + 1).end()
            while text[at] != "]":
                end = scan(text, at)[1]
                spans.append((at, end))
                at = _SPACE.match(text, end).end()
                at = _SPACE.match(text, at + 1).end() if text[at] == "," else at
            break
        at = _SPACE.match(text, scan(text, at)[1]).end()
        at = _SPACE.match(text, at + 1).end() if text[at] == "," else at
    line, counted, items = 0, 0, []
    for start, end in spans:
        line += text.count("\n", counted, start)
        counted = start
        items.append((start, end, line, start - (text.rfind("\n", 0, start) + 1)))
    return items


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


def is_template(text: str) -> bool:
    """Whether the text holds what looks like a Helm action. (A file that also fails to parse, and
    parses once they are blanked out, is a template to render first; one that parses holds them in
    strings, as a PrometheusRule's `{{ $labels.instance }}` or a Vault agent's template annotation
    do, and is linted.)"""
    return "{{" in text and _HELM_ACTION.search(text) is not None


_ACTION = re.compile(r"\{\{.*?\}\}", re.S)
_MARK = "\ue000"  # (a private-use character: no manifest holds one)


def _broken_by_actions(text: str, errors: list[ParseError], as_json: bool) -> bool:
    """Whether the text's parse errors are its Go-template actions': none is a repeated key (a text
    whose actions stand in YAML's structure fails before its keys can repeat), and with each action on
    a line of its own (`{{- if … }}`, `{{- toYaml … | nindent 8 }}`) blanked out and each other one
    (`name: {{ .x }}-db`) made a plain word, it reads; keys an if and its else both write may then repeat."""
    if any(error.message.startswith("duplicate key ") for error in errors):
        return False
    end = text.rfind("}}") + 2  # (a `{{` that nothing closes is searched no further: no scan to the end from each)
    marked = _ACTION.sub(lambda m: re.sub(r"[^\r\n]", _MARK, m.group()), text[:end]) + text[end:]
    lines = [line.replace(_MARK, " ") if not line.replace(_MARK, "").strip() else line.replace(_MARK, "x")
             for line in marked.split("\n")]
    blanked = SourceFile("")
    _read("\n".join(lines), blanked, as_json, None)
    return all(error.message.startswith("duplicate key ") for error in blanked.errors)


def load(raw: bytes, path: str, as_json: bool = False, pieces: tuple[str, list] | None = None) -> SourceFile:
    """Read one file's bytes into its documents, parse errors and suppression comments; with
    `pieces`, cut(raw)'s text and what read_piece() gave for each of its pieces, joined (unless one
    of them could not be read alone: then the whole text is read, as its errors are reported)."""
    source = SourceFile(path)
    try:
        text = decode(raw) if pieces is None else pieces[0]
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        source.errors.append(ParseError(line, column, f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded"))
        return source
    if "sslint-ignore" in text:
        for number, line in enumerate(text.splitlines(), 1):
            match = _PRAGMA.search(line)
            if match:
                source.pragmas[number] = (match.group(1), line.lstrip().startswith("#"))
    source.text, source.as_json = text, as_json
    lazy = _Positions(text, as_json)
    joined = None
    if pieces is not None and all(piece is not None for piece in pieces[1]):
        joined = _join(pieces[1], source, lazy)
        if joined is None:  # a List's pieces that do not join
            source.documents, lazy = [], _Positions(text, as_json)
    if joined is None:
        _read(text, source, as_json, lazy)
        firsts = headings = None
    else:
        firsts, headings = joined
    if source.errors and is_template(text) and _broken_by_actions(text, source.errors, as_json):  # Helm's, in YAML's structure
        source.documents, source.errors, source.pragmas, source.text, source.template = [], [], {}, "", True
        return source
    if source.errors:  # a message may name a position read before the error: read again, with positions
        source.documents, source.errors = [], []
        _read(text, source, as_json, None)
    else:
        if text.startswith("\ufeff"):  # a second BOM, which the C parser does not count: offsets one short
            lazy.starts.clear()  # (each document's positions are then read from the whole file)
            lazy.items.clear()
        source.starts, source.items = lazy.starts, lazy.items
    if not as_json and _SOURCE in text:
        if firsts is None:
            firsts, headings = [_first_line(d) for d in source.documents], _headings(text, 0)
        _rendered_origins(source.documents, firsts, headings)
    return source


def _read(text: str, source: SourceFile, as_json: bool, lazy: _Positions | None) -> None:
    (_read_json if as_json else _read_yaml)(text, source, lazy)


# -- a long stream in pieces ----------------------------------------------------------------------
# A line that begins with `---` always begins a document (YAML lets no scalar or collection hold
# one, and libyaml ends or rejects whatever is open there), and documents share no anchors: cut at
# such lines, a long stream reads as its pieces do, one after another, and worker processes can
# read the pieces at once (`helm template` or `kustomize build` output is one file).

PIECE = 2**16  # characters: a YAML text at least twice as long is cut into pieces of about this size


def cut(raw: bytes) -> tuple[str, list[tuple[int, int, int, bool, bool]]] | None:
    """A long YAML file's text and its pieces: (start, end, lines before start, whether the text has
    helm's `# Source:` comments, whether the piece continues a List), each but the first beginning
    at a `---` line, or in a single List document at the line of an item (_list_pieces); None for a file read
    whole: short, not UTF-8, with a second byte order mark (which the C parser does
    not count), a directive (which belongs to the document after it) or a line break that only
    libyaml counts, or with no `---` line to cut at."""
    if len(raw) < 2 * PIECE or _CParser is None:
        return None
    try:
        text = decode(raw)
    except UnicodeDecodeError:
        return None
    if text.startswith(("\ufeff", "%")) or "\n%" in text or _odd_breaks(text):
        return None
    rendered = _SOURCE in text
    spans, start, line = [], 0, 0
    while start < len(text):
        end = _document_after(text, start + PIECE)
        spans.append((start, end, line, rendered, False))
        line += text.count("\n", start, end)
        start = end
    if len(spans) == 1 and not rendered:
        spans = _list_pieces(text)
    return (text, spans) if len(spans) > 1 else None


# A List (`kubectl get -o yaml` dumps a cluster as one document: its objects are the items of its
# root key `items`) is cut between its items. A line that begins with `-` and a blank at the column
# of the first item, before any other line that begins at or left of that column (but comments),
# starts an item of that list; unless it lies inside a quoted scalar or a flow collection, and then
# the piece that ends there ends inside that token: an error, and the file is read whole. (Nothing
# else spans lines there: a plain or block scalar ends at a line so little indented, and a block
# collection nested in an item lies right of it.) Each piece after the first is read behind a line
# `items:` of its own, so that its lines are read in the context the whole text gives them: in a
# block mapping at the first column, in the block sequence of `items`. The last piece holds the
# root keys after the list too. Reading the whole text instead is left to anything else a
# document's root can hold: another document after the List, a merge key or a complex key at the
# root (they change what the root's keys mean, or their order).
# (Each pattern that must begin a line is searched for after a '\n', as _DOCUMENT_START is, and
# matched at the text's start.)
_ITEMS_KEY = re.compile(r"items:[ \t]*(?:#[^\r\n]*)?\r?\n")
_FIRST_ITEM = re.compile(r"(?:[ \t]*(?:#[^\r\n]*)?\r?\n)*( *)-(?=[ \t\r\n]|\Z)")
_ROOT_OTHERWISE = re.compile(r"<<|\?(?:[ \t\r\n]|\Z)|\.\.\.(?=[ \t\r\n]|\Z)")  # merge, complex key, document end
_ITEMS_KEY_LATER, _ROOT_OTHERWISE_LATER = (re.compile(f"\n(?:{p.pattern})") for p in (_ITEMS_KEY, _ROOT_OTHERWISE))
_ITEMS_LINE = "items:\n"


def _list_pieces(text: str) -> list[tuple[int, int, int, bool, bool]]:
    """A List document's pieces (as cut() gives them; whether each continues the document the piece
    before it left open), cut at lines that begin an item of the root's `items`; [] for no List."""
    key = _ITEMS_KEY.match(text) or _ITEMS_KEY_LATER.search(text)
    first = key and _FIRST_ITEM.match(text, key.end())
    if not first or _DOCUMENT_START.search(text, key.end() - 1) or _ROOT_OTHERWISE.match(text) \
            or _ROOT_OTHERWISE_LATER.search(text):
        return []
    column = len(first.group(1))
    beyond = re.compile(rf"\n(?! {{{column}}}-(?:[ \t\r\n]|\Z)) {{0,{column}}}[^ \r\n#]").search(text, first.start(1))
    items_end = beyond.start() + 1 if beyond else len(text)  # the first line the list cannot go on at
    item = re.compile(rf"\n {{{column}}}-(?=[ \t\r\n]|\Z)")  # (at its '\n', as _DOCUMENT_START)
    spans, start, line, after = [], 0, 0, first.start(1) + 1  # after: the first item's line is the first piece's
    while (found := item.search(text, max(start + PIECE, after) - 1, items_end)) is not None:
        end = found.start() + 1
        spans.append((start, end, line, False, bool(spans)))
        line += text.count("\n", start, end)
        start, after = end, end + 1
    return [*spans, (start, len(text), line, False, bool(spans))]


def _odd_breaks(text: str) -> bool:
    """Whether libyaml breaks a line of `text` where '\\n' does not: a CR alone, NEL, LS or PS."""
    return "\x85" in text or "\u2028" in text or "\u2029" in text or text.count("\r") != text.count("\r\n")


def read_piece(text: str, start: int, end: int, line: int, rendered: bool, continues: bool) -> tuple | None:
    """A piece of cut(): its documents' (data, index, first line), indexes counted from 0, where they
    begin in the whole text (_Positions.starts), how many indexes it took (an empty document takes
    one), in `rendered` output its headings (_headings), its List items (_Positions.items), whether
    it `continues` the List the piece before it left open (read behind an `items:` line), and the
    nodes its last document's aliases stand for; None when it has an error."""
    piece = _ITEMS_LINE + text[start:end] if continues else text[start:end]
    shift = start - len(_ITEMS_LINE) if continues else start  # (offsets in the piece → in the text)
    lazy = _Positions(piece, False)
    documents: list[Document] = []
    try:
        with _lean_events():
            builder = _Builder(_CParser(piece).get_event, line - continues, piece, lazy)
            count = builder.read(0, documents)
    except (_LoadError, YAMLError):
        return None
    starts = {index: (first, offset + shift) for index, (first, offset) in lazy.starts.items()}
    items = {index: [(begin + shift, end + shift, *rest) for begin, end, *rest in spans]
             for index, spans in lazy.items.items()}
    return ([(d.data, d.index, _first_line(d) if rendered else 0) for d in documents], starts, count,
            _headings(piece, line) if rendered else {}, items, continues, builder.nodes)


def _join(pieces: list[tuple], source: SourceFile, lazy: _Positions) -> tuple[list[int], dict] | None:
    """The pieces' documents into `source`; their first lines and their headings. None when a List's
    pieces do not join as its whole text reads: a root key twice, or aliases that stand for too many
    nodes in all."""
    before, firsts, headings = 0, [], {}  # before: indexes taken by the pieces before
    for documents, starts, count, piece_headings, items, continues, nodes in pieces:
        if continues:  # (as _list_pieces cuts, a List's first piece leaves it open and the others read as {items: […], …})
            head = source.documents[-1] if source.documents else None
            last, data = (head.data if head else None), (documents[0][0] if len(documents) == 1 else None)
            if not (_open_list(last) and head.index in lazy.items and _open_list(data, first=True)):
                return None  # (not as _list_pieces cuts: never met)
            if any(key in last for key in [*data][1:]) or nodes + last_nodes > MAX_NODES:
                return None
            last["items"] += data.pop("items")
            last.update(data)
            lazy.items[head.index] += items[0]
            last_nodes += nodes
            continue
        last_nodes = nodes
        source.documents += [Document(data, lazy, before + index) for data, index, _ in documents]
        firsts += [first for _, _, first in documents]
        headings.update(piece_headings)
        lazy.starts.update((before + index, start) for index, start in starts.items())
        lazy.items.update((before + index, spans) for index, spans in items.items())
        before += count
    return firsts, headings


def _open_list(data: Any, first: bool = False) -> bool:
    """Whether `data` is a mapping whose last (or `first`) key is `items`, holding a list."""
    if type(data) is not dict or not data:
        return False
    keys = [*data]
    return (keys[0] if first else keys[-1]) == "items" and type(data["items"]) is list


_SOURCE = "# Source: "


def _headings(text: str, line: int) -> dict[int, tuple[int, str]]:
    """`helm template` heads each document it renders with `# Source: chart/templates/x.yaml`. The
    line under each such comment in `text` (which follows `line` lines) where a document's content
    begins, with only comments and blank lines between → (the comment's line, the template). A
    comment that a `---` line follows heads no document (a template that renders nothing)."""
    headings = {}
    lines = _lines(text)
    for number, comment in enumerate(lines):
        if comment.startswith(_SOURCE) and comment[len(_SOURCE):len(_SOURCE) + 1].strip():
            content = number + 1
            while content < len(lines) and (not lines[content].strip() or lines[content].lstrip().startswith("#")):
                content += 1
            if content < len(lines) and not lines[content].startswith(("---", "...")):
                headings[line + content + 1] = (line + number + 1, comment[len(_SOURCE):].rstrip())
    return headings


def _lines(text: str) -> list[str]:
    """The lines of `text`, broken where libyaml breaks them (str.splitlines also breaks at control
    characters, which libyaml refuses)."""
    if any(control in text for control in "\x0b\x0c\x1c\x1d\x1e"):
        return _BREAK.split(text)
    return text.splitlines()


def _rendered_origins(documents: list[Document], firsts: list[int], headings: dict) -> None:
    """Each document comes from the `# Source:` comment that heads it (above its first key or list
    item): a document without one (a manifest added after a rendered chart) is no template's."""
    for document, first in zip(documents, firsts):
        if first in headings:
            document.origin_line, document.origin = headings[first]


def _first_line(document: Document) -> int:
    """The line of a document's first key or list item, where its positions begin (read only that
    far); 0 for a document that has none."""
    data = document.data
    if type(data) is dict and data:
        position = document.position_of((next(iter(data)),), counted=False)
    elif type(data) is list and data:
        position = document.position_of((0,), counted=False)
    else:
        return 0
    return position[0] if position else 0

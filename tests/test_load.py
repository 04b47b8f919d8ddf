"""The loader: values as kubectl reads them, positions of every key, and errors that lose nothing."""

import marshal
import math

import pytest

from sslint.load import MAX_NODES, SourceFile, _CParser, load


def passed_on(source: SourceFile) -> SourceFile:
    """A copy of a file as the cache and the worker processes pass it on: in its plain form."""
    return SourceFile.from_plain(source.path, marshal.loads(marshal.dumps(source.to_plain())))


def one(text: str):
    source = load(text.encode(), "t.yaml")
    assert source.errors == []
    assert len(source.documents) == 1
    return source.documents[0]


# Plain scalars as go-yaml v2 (sigs.k8s.io/yaml, kubectl) types them: YAML 1.1.
@pytest.mark.parametrize(
    "text, value",
    [
        ("yes", True), ("Yes", True), ("on", True), ("ON", True), ("y", True), ("true", True),
        ("no", False), ("off", False), ("n", False), ("False", False),
        ("~", None), ("null", None), ("", None), ("Null", None),
        ("0777", 0o777), ("0o17", 0o17), ("0x1F", 31), ("0b101", 5), ("1_000", 1000), ("-12", -12), ("+3", 3),
        ("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5), ("-.inf", -math.inf),
        ("08", 8.0),  # not octal: Go's ParseInt refuses it, the float pattern takes it
        ("1e400", "1e400"), ("-2_e308", "-2_e308"), ("1e-400", 0.0),  # Go's ParseFloat fails only on overflow
        ("!!float 1e308", 1e308),
        # Compared with gopkg.in/yaml.v2 2.4.0 (resolve.go) on 43,000 generated scalars: a sign limits an
        # integer to int64 (ParseUint takes none); after a leading dot, underscores go to ParseFloat as
        # they are, and must stand between digits; 0b may be followed by a sign (its own ParseInt).
        ("18446744073709551615", 2**64 - 1), ("-9223372036854775808", -(2**63)),
        ("+9223372036854775808", 9.223372036854776e18), ("+0x8000000000000000", "+0x8000000000000000"),
        (".5_5", 0.55), ("._5", "._5"), (".5_", ".5_"), ("1_", 1), ("0b-101", -5), ("-0b-1", "-0b-1"),
        ("3Gi", "3Gi"), ("None", "None"), ("1.2.3", "1.2.3"), ("0.0.0.0", "0.0.0.0"), ("yes please", "yes please"),
        ("'yes'", "yes"), ('"0777"', "0777"), ("!!str 12", "12"), ("!!int '12'", 12), ("!!float 1", 1.0),
        ("2001-12-14", "2001-12-14"),  # a timestamp stays a string for kubectl
    ],
)
def test_scalars_are_typed_as_kubectl_types_them(text, value):
    got = one(f"v: {text}\n").data["v"]
    if isinstance(value, float) and math.isnan(value):
        assert math.isnan(got)
    else:
        assert got == value and type(got) is type(value)


def test_keys_stay_strings():
    assert one("on: 1\n1: 2\nnull: 3\n").data == {"on": 1, "1": 2, "null": 3}


def test_positions_of_keys_and_items_are_one_based():
    doc = one("spec:\n  containers:\n    - name: a\n      image: x\n    - name: b\n")
    assert doc.positions[("spec",)] == (1, 1)
    assert doc.positions[("spec", "containers")] == (2, 3)
    assert doc.positions[("spec", "containers", 0)] == (3, 7)
    assert doc.positions[("spec", "containers", 0, "image")] == (4, 7)
    assert doc.positions[("spec", "containers", 1, "name")] == (5, 7)


def test_anchors_aliases_and_merge_keys_resolve():
    doc = one(
        "base: &base {a: 1, b: 2}\n"
        "other: &other {c: 3}\n"
        "x:\n  <<: *base\n  b: 9\n"
        "y:\n  <<: [*other, *base]\n"
        "z: *base\n"
    )
    assert doc.data["x"] == {"a": 1, "b": 9}
    assert doc.data["y"] == {"c": 3, "a": 1, "b": 2}
    assert doc.data["z"] == {"a": 1, "b": 2}


def test_a_key_written_out_is_where_a_merged_key_of_the_same_name_points():
    """As go-yaml v2 (kubectl) reads a mapping: in order, so a key written after the merge key wins
    over a merged one, and a merge overwrites a key written before it (y). The position of a key
    written in the mapping itself wins either way, whether read whole or up to one key."""
    text = ("x:\n  <<: {a: 1, b: 2}\n  b: 9\n"
            "y:\n  b: 9\n  <<: {a: 1, b: 2}\n"
            "z:\n  <<: {<<: {a: 1}, a: 2}\n"  # a merge in a merge: its own written key wins there
            "w:\n  <<:\n    <<: {a: 1, b: {c: 1}}\n    b: {c: 2}\n  a: 3\n"
            "v:\n  <<: [{a: 1}, {a: 2, b: 3}]\n")  # a list of them: the first one's keys first
    source = load(text.encode(), "t.yaml")
    assert source.documents[0].data == {"x": {"a": 1, "b": 9}, "y": {"a": 1, "b": 2}, "z": {"a": 2},
                                        "w": {"a": 3, "b": {"c": 2}}, "v": {"a": 1, "b": 3}}
    expected = {("x", "b"): (3, 3), ("y", "b"): (5, 3), ("x", "a"): (2, 8), ("y", "a"): (6, 8),
                ("z", "a"): (8, 20), ("w", "a"): (13, 3), ("w", "b"): (12, 5), ("w", "b", "c"): (12, 9),
                ("v", "a"): (15, 9), ("v", "b"): (15, 23)}
    whole = source.documents[0].positions
    assert {path: whole[path] for path in expected} == expected
    for path in whole:  # read up to each key, a copy gives what the whole read gives
        assert passed_on(source).documents[0].position_of(path) == whole[path], path


@pytest.mark.skipif(_CParser is None, reason="the pure parser reads the whole file for positions")
def test_a_documents_first_question_reads_it_up_to_the_key_and_the_next_read_it_whole(monkeypatch):
    """Most documents are asked one position, of a key near the top: only that much is read. A
    document with more findings is read whole once, not again for each of them."""
    from sslint import load as loader

    text = "kind: ConfigMap\nmetadata:\n  name: c\ndata:\n" + "".join(f"  k{n}: v\n" for n in range(100))
    document = load(text.encode(), "t.yaml").documents[0]
    read_up_to = []
    builder = loader._Builder

    def counting(*arguments, **named):
        read_up_to.append(named.get("until", arguments[4] if len(arguments) > 4 else None))
        return builder(*arguments, **named)

    monkeypatch.setattr(loader, "_Builder", counting)
    assert document.position_of(("metadata", "name")) == (3, 3)
    assert document.position_of(("data", "k7")) == (12, 3)
    assert document.position_of(("data", "k99")) == (104, 3)
    assert document.position_of(("data", "nothing")) is None
    assert read_up_to == [("metadata", "name"), None]
    read_up_to.clear()
    monkeypatch.setattr(loader, "_Builder", builder)
    rendered = load(f"---\n# Source: c/templates/cm.yaml\n{text}".encode(), "out.yaml").documents[0]
    assert rendered.origin == "c/templates/cm.yaml"  # (its first key's line: the loader's own question)
    monkeypatch.setattr(loader, "_Builder", counting)
    assert rendered.position_of(("data", "k7")) == (14, 3)
    assert read_up_to == [("data", "k7")]  # a finding's question is still the first


def test_a_quoted_merge_key_is_an_ordinary_key():
    assert one("x:\n  '<<': 1\n").data == {"x": {"<<": 1}}


def test_tags_never_construct_objects(tmp_path):
    marker = tmp_path / "touched"
    doc = one(
        f"a: !!python/object/apply:os.system ['touch {marker}']\n"
        "b: !!python/name:os.system\n"
        "c: !Ref Something\n"
    )
    assert not marker.exists()
    assert doc.data == {"a": [f"touch {marker}"], "b": None, "c": "Something"}


def test_multi_document_files_and_empty_documents():
    source = load(b"---\na: 1\n---\n---\nb: 2\n...\n", "t.yaml")
    assert [d.data for d in source.documents] == [{"a": 1}, {"b": 2}]
    assert [d.index for d in source.documents] == [0, 2]


@pytest.mark.skipif(_CParser is None, reason="the pure parser reads the whole file for positions")
def test_a_copy_of_a_file_reads_one_documents_positions_from_its_own_lines(monkeypatch):
    """The cache and the worker processes pass a file on in its plain form; a finding in a bundle
    read that way must cost one document's parse, not the whole file's, and give the same position."""
    from sslint import load as loader

    text = "".join(f"---\nkind: ConfigMap\nmetadata:\n  name: c{n}\ndata: {{k: v}}\n" for n in range(50))
    source = load(text.encode(), "bundle.yaml")
    copy = passed_on(source)
    whole_reads = []
    monkeypatch.setattr(loader, "_read", lambda *arguments: whole_reads.append(arguments))
    assert copy.documents[42].positions[("metadata", "name")] == (42 * 5 + 4, 3)
    assert copy.documents[42].positions == source.documents[42].positions
    assert whole_reads == []


def test_a_file_that_begins_with_two_byte_order_marks_keeps_its_positions():
    """The text of such a file begins with the second mark, which the C parser does not count: where
    its documents begin is one character short, so their positions are read from the whole file."""
    source = load(b"\xef\xbb\xbf\xef\xbb\xbfa: 1\nb: {c: 2}\n---\nd: 1\n", "boms.yaml")
    assert [d.data for d in source.documents] == [{"a": 1, "b": {"c": 2}}, {"d": 1}]
    assert source.documents[1].position_of(("d",)) == (4, 1)
    copy = passed_on(source)
    assert copy.documents[1].position_of(("d",)) == (4, 1)
    assert copy.documents[0].positions[("b", "c")] == (2, 5)


def test_a_copy_of_a_file_with_a_parse_error_keeps_its_positions():
    """After an error, reading resumes at the next document, in a shorter text: a copy reads the
    positions of what follows from the whole file again, not from where documents began in that text."""
    text = "a: 1\n---\nb: [\n---\nx: 1\n---\nkind: ConfigMap\nmetadata:\n  name: c\n"
    source = load(text.encode(), "broken.yaml")
    copy = passed_on(source)
    assert [(e.line, e.column) for e in source.errors] == [(4, 1)]
    assert [d.positions for d in copy.documents] == [d.positions for d in source.documents]
    assert copy.documents[2].positions[("metadata", "name")] == (9, 3)


@pytest.mark.parametrize(
    "text, line, column, words",
    [
        ("a: [1\nb: 2\n", 2, 2, "expected ',' or ']'"),
        ("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first defined on line 1)"),
        ("a: &x [*x]\n", 1, 8, "recursive alias"),
        ("a: *nothing\n", 1, 4, "names no anchor"),
        ("? [a]\n: 1\n", 1, 3, "keys are strings"),
        ("a: !!int twelve\n", 1, 4, "not a valid int"),
        ("a:\n  <<: 3\n", 2, 7, "merge key"),
        ("a: b\n\tc: d\n", 2, 1, "tab character"),
        ('a: "x"# glued\n', 1, 7, "separated from a quoted value"),
        ("a: [1, 2]#glued\n", 1, 10, "separated from ']' or '}'"),
        ("a: [1,#glued\n  2]\n", 1, 7, "separated from ','"),
        ("a:\n  b: [1,#glued\n    2]\n", 2, 9, "separated from ','"),
        ("a:\n  - {b: [1]}#glued\n", 2, 13, "separated from ']' or '}'"),
        ("a: >#glued\n  text\n", 1, 4, "block scalar header"),
        ("a: [-]\n", 1, 5, "a plain '-'"),
        ("- !!str, x\n", 1, 3, "a tag cannot end"),
        ("a: 1\n%YAML 1.2\n---\nb: 2\n", 2, 1, "needs a '...' line"),
        ('a: "one\ntwo"\n', 2, 1, "continuation line of a top-level value"),
        ("a: [1,\n2]\n", 2, 1, "continuation line of a top-level value"),
        ('a: é\nb: "中中\x01"\n', 2, 7, "control characters"),  # (the C parser counts bytes: the line was off)
    ],
)
def test_errors_have_the_parser_position(text, line, column, words):
    source = load(text.encode(), "t.yaml")
    assert len(source.errors) == 1
    error = source.errors[0]
    assert (error.line, error.column) == (line, column)
    assert words in error.message


def test_reading_resumes_after_a_broken_document():
    source = load(b"a: 1\n---\nb: [\n---\nc: 1\nc: 2\n---\nd: 4\n", "t.yaml")
    assert [d.data for d in source.documents] == [{"a": 1}, {"d": 4}]
    assert [(e.line, "duplicate" in e.message) for e in source.errors] == [(4, False), (6, True)]


@pytest.mark.skipif(_CParser is None, reason="without the C parser a file is never cut")
def test_a_stream_with_a_line_break_only_libyaml_counts_is_read_whole(monkeypatch):
    """Pieces begin at lines counted by '\\n'; libyaml also breaks lines at a CR alone, NEL, LS and
    PS, so a text with one of them is read whole (its later documents' lines would be off)."""
    from sslint import load as loader
    from sslint.load import cut

    monkeypatch.setattr(loader, "PIECE", 1)
    for odd in ("\u2028", "\x85", "\u2029"):
        assert cut(f'a: "x{odd}y"\n---\nc: 3\n'.encode()) is None
    assert cut(b"a: 1\rb: 2\n---\nc: 3\n") is None
    assert len(cut(b"a: 1\r\nb: 2\r\n---\r\nc: 3\r\n")[1]) == 2  # CR LF: one line break for both


@pytest.mark.parametrize("odd", ["\r", "\x85", "\u2028", "\u2029"])
def test_errors_after_a_line_break_only_libyaml_counts_lose_no_document_and_keep_their_lines(odd):
    """libyaml also breaks lines at a CR alone, NEL, LS and PS; after an error, reading resumes at a
    line it counts. (Counted by '\n', the document after a broken one was skipped, and every later
    line was one short.) Lines are the same as with a '\n' in its place."""
    for text, errors, positions in (
        ('a: "x{}  y"\n---\nb: [\n---\nc: 1\n---\ne: {{x: 1}}\n', [(5, 1)],
         [{("a",): (1, 1)}, {("c",): (6, 1)}, {("e",): (8, 1), ("e", "x"): (8, 5)}]),
        ('a: "x{}  y"\nb: "\x01"\n---\nc: 1\n', [(3, 5)], [{("c",): (5, 1)}]),  # a control character
    ):
        for breaking in (odd, "\n"):
            source = load(text.format(breaking).encode(), "odd.yaml")
            assert [(e.line, e.column) for e in source.errors] == errors, breaking
            assert [d.positions for d in source.documents] == positions, breaking


@pytest.mark.parametrize("text", [
    "a: 1\n---\nb: [\n---\nc: 1\nc: 2\n---\nd: 4\n---\ne: 'open\n---\nf: 6\n",  # the quote: open up to a `---` line
    "a: [\n" + "---\nb: 1\n---\nc: {\n" * 5 + "---\nd: 1\n",
    "a: [\n---\nb: 1\n...\n%YAML 1.1\n---\nc: 2\n",  # a directive at the end of a piece, after `...`
])
def test_reading_resumed_in_pieces_after_an_error_is_reading_on_to_the_end(text, monkeypatch):
    """After an error, the rest of a file is read in pieces cut at `---` lines (a long file with many
    broken documents would otherwise be read on to its end after each): documents and errors are
    those of reading on to the end, an error in a piece's last document included."""
    from sslint import load as loader

    after = loader._document_after
    monkeypatch.setattr(loader, "_document_after", lambda text, offset: len(text))
    expected = load(text.encode(), "t.yaml")
    monkeypatch.setattr(loader, "_document_after", after)
    source = load(text.encode(), "t.yaml")
    assert expected.errors and source.to_plain() == expected.to_plain()


def test_an_error_on_a_document_start_line_is_reported_once():
    """Reading resumes at the `---` line of an error; when the error is on that very line (`--- c: 1`),
    reading it again finds it again: it is one error."""
    source = load(b"a: [\n---\nb: 1\n--- c: 1\n---\nd: 1\n", "t.yaml")
    assert [(e.line, e.column) for e in source.errors] == [(2, 1), (4, 6)]
    assert [d.data for d in source.documents] == [{"b": 1}, {"d": 1}]
    source = load(b"a: 1\n--- c: 1\n---\nd: 1\n", "t.yaml")
    assert [(e.line, e.column) for e in source.errors] == [(2, 6)] and [d.data for d in source.documents] == [{"a": 1}, {"d": 1}]


def test_a_long_file_of_broken_documents_is_read_about_once(monkeypatch):
    from sslint import load as loader

    read = []
    parser = loader._yaml_parser
    monkeypatch.setattr(loader, "_yaml_parser", lambda text: read.append(len(text)) or parser(text))
    text = "".join(f"---\nname: doc{n}\nlabels: {{a: [}}\n" for n in range(3000))  # each one broken
    source = load(text.encode(), "broken.yaml")
    assert len(source.errors) == 3000 and [e.line for e in source.errors[:2]] == [3, 6]
    # A file with errors is read twice (the second time recording positions); each time the text
    # whole once and each broken document again about three times (alone, then with the next one,
    # which is then read again): about eight times the text. Read on to the end after each error,
    # it would be some 1,500 times.
    assert sum(read) < 10 * len(text)
    read.clear()  # an error placed past its line (the position of a control character after wide characters)
    text = 'a: "\x01"\n---\nb: "' + "中" * 2000 + '\x01"\n' + "---\n" * 2000
    assert [(e.line, e.column) for e in load(text.encode(), "wide.yaml").errors] == [(1, 5), (3, 2005)]
    assert sum(read) < 10 * len(text)


def test_bytes_that_are_not_utf8_are_an_error_at_their_position():
    source = load(b"a: 1\nb: caf\xe9\n", "t.yaml")
    assert [(e.line, e.column) for e in source.errors] == [(2, 7)]
    assert "0xe9" in source.errors[0].message


def test_utf16_with_a_bom_is_read():
    source = load("a: é\n".encode("utf-16"), "t.yaml")
    assert source.documents[0].data == {"a": "é"}


def test_alias_expansion_is_bounded():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        levels.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    source = load("\n".join(levels).encode(), "bomb.yaml")
    assert source.documents == []
    assert f"more than {MAX_NODES:,} nodes" in source.errors[0].message


def test_json_with_tabs_reports_positions():
    source = load(b'{\n\t"kind": "Service",\n\t"spec": {\n\t\t"clusterIP": "None"\n\t}\n}\n', "s.json", as_json=True)
    doc = source.documents[0]
    assert doc.data == {"kind": "Service", "spec": {"clusterIP": "None"}}
    assert doc.positions[("spec", "clusterIP")] == (4, 3)


def test_json_errors_and_duplicate_keys():
    assert [(e.line, e.column) for e in load(b'{\n  "a": 1,\n}', "x.json", True).errors] == [(3, 1)]
    errors = load(b'{"a": 1, "a": 2}', "x.json", True).errors
    assert [(e.line, e.column) for e in errors] == [(1, 10)] and "duplicate key 'a'" in errors[0].message


def test_json_values_keep_json_types():
    assert load(b'{"a": "yes", "b": 1.5, "c": null, "d": [true, 7]}', "x.json", True).documents[0].data == {
        "a": "yes", "b": 1.5, "c": None, "d": [True, 7]
    }


def test_json_is_typed_and_rejected_as_the_builder_reads_it():
    """JSON data comes from the json module when it reads the text as the builder would: integers
    beyond 64 bits are floats, a repeated key, NaN or nesting deeper than MAX_DEPTH an error at its
    position; a syntax error is reported first, as the json module finds it."""
    data = load(b'{"a": 18446744073709551615, "b": 18446744073709551616, "c": -9223372036854775809, '
                b'"d": 1e5, "e": -0, "f": "\\u00e9"}', "x.json", True).documents[0].data
    assert data == {"a": 2**64 - 1, "b": 2.0**64, "c": -(2.0**63), "d": 100000.0, "e": 0, "f": "é"}
    assert [type(data[k]) for k in "abcde"] == [int, float, float, float, int]
    errors = load(b'{"a": {"b": 1,\n  "b": 2}}', "x.json", True).errors
    assert [(e.line, e.column, e.message) for e in errors] == [(2, 3, "duplicate key 'b' (first defined on line 1)")]
    errors = load(b'{"a": 1, "a": 2, ]', "x.json", True).errors
    assert [(e.line, e.column) for e in errors] == [(1, 18)] and errors[0].message.startswith("invalid JSON: ")
    assert load(b"[" * 256 + b"]" * 256, "x.json", True).errors == []
    errors = load(b'{"a":' * 257 + b"1" + b"}" * 257, "x.json", True).errors
    assert [(e.line, e.column) for e in errors] == [(1, 1281)] and "nested more than 256 levels" in errors[0].message


LISTS = {
    "yaml": ("apiVersion: v1\nkind: List\nitems:\n- kind: A\n  metadata:\n    name: a\n# between\n"
             "- kind: B\n  spec:\n    x: [1,\n      2]\n  metadata: {name: b}\n- just text\n"
             "- - nested\nmetadata: {}\n"),
    "yaml, indented": "items:\n  - kind: A\n    spec: {a: 1}\n  -   kind: B\n      spec:\n        b: 2\nkind: List\n",
    "json, one line": '{"kind":"List","items":[{"kind":"A","spec":{"a":[1,{"b":2}]}},{"kind":"B"},null,[3]]}',
    "json, tabs": '{\n\t"items": [\n\t\t{\t"kind": "A",\n\t\t\t"spec": {"a": 1}},\n\t\t{"kind": "é", "b": [{"c": 1}]}\n\t]\n}\n',
}


@pytest.mark.parametrize("name", LISTS)
def test_a_position_in_a_list_item_is_read_from_that_item_alone(name, monkeypatch):
    """A List (kubectl get -o yaml|json, a cluster's dump) is one document of thousands of objects:
    a finding in one item reads that item's text, at the position the whole document gives, in the
    file as loaded, in its copy (the cache, a worker) and in a stream read in pieces."""
    from sslint import load as loader

    as_json = name.startswith("json")
    raw = LISTS[name].encode()
    whole = load(raw, "l", as_json).documents[0].positions
    read = []
    parser, events = loader._yaml_parser, loader._json_events
    monkeypatch.setattr(loader, "_yaml_parser", lambda text: read.append(text) or parser(text))
    monkeypatch.setattr(loader, "_json_events", lambda text: read.append(text) or events(text))
    stream = b"---\nkind: Other\n---\n" + raw  # (the List's lines three further down)
    pieces = loader.cut(stream * (2 * loader.PIECE // len(stream) + 1)) if not as_json else None
    copies = [(load(raw, "l", as_json).documents[0], 0),
              (SourceFile.from_plain("l", load(raw, "l", as_json).to_plain()).documents[0], 0)]
    if pieces:
        text, spans = pieces
        copies.append((load(text.encode(), "l", pieces=(text, [loader.read_piece(text, *span) for span in spans])).documents[1], 3))
    items = [path for path in whole if len(path) > 1 and path[0] == "items"]
    assert len(items) > 4
    for document, below in copies:
        read.clear()
        for path in sorted(items, key=len, reverse=True):
            assert document.position_of(path) == (whole[path][0] + below, whole[path][1]), path
        assert len(read) == len({path[1] for path in items})  # once each, and not the document
        assert sum(map(len, read)) < len(raw)


def test_a_list_item_that_cannot_be_read_alone_is_read_with_its_document():
    raw = b"items:\n- &a {x: 1}\n- b: *a\n  c: 1\n"
    document = load(raw, "l.yaml").documents[0]
    assert document.position_of(("items", 1, "c")) == (4, 3) and document.position_of(("items", 0, "x")) == (2, 7)


def test_list_items_that_are_scalars_or_out_of_range_hold_no_positions():
    """An empty item's text is not read on into the next item's `-` line (read alone, that is a list)."""
    for raw in (b"items:\n-\n-\n  b: 1\n", b"items:\n- &x\n-\n  b: 1\n"):
        document = load(raw, "l.yaml").documents[0]
        assert document.position_of(("items", 0, 0)) is None and document.position_of(("items", 1, "b")) == (4, 3)
    for raw, as_json in ((b"items:\n- a: 1\n- b: 2\n", False), (b'{"items": [{"a": 1}, {"b": 2}]}', True)):
        document = load(raw, "l", as_json).documents[0]
        assert document.position_of(("items", -1)) is None and document.position_of(("items", 2)) is None


def test_an_integer_of_thousands_of_digits_is_not_a_crash():
    """Python converts at most 4,300 decimal digits (sys.get_int_max_str_digits). In YAML, such a
    number is a string, as go-yaml reads it; in JSON, a number beyond 64 bits."""
    digits = b"1" * 5000
    assert load(b"a: " + digits, "x.yaml").documents[0].data == {"a": digits.decode()}  # as a float, beyond 64 bits too
    assert [e.message for e in load(b"a: !!float " + digits, "x.yaml").errors] == [f"{digits.decode()!r} is not a valid float"]
    assert load(b'{"a": ' + digits + b"}", "x.json", True).documents[0].data == {"a": math.inf}
    source = load(b'{"a": ' + digits + b', "a": 1}', "x.json", True)
    assert [e.message for e in source.errors] == ["duplicate key 'a' (first defined on line 1)"]


def test_helm_templates_are_recognised_not_parsed():
    """Actions where YAML has structure make a template (no parse error); actions in strings are text."""
    for template in (b"metadata:\n  name: {{ .Release.Name }}\n", b"{{- if .Values.on }}\na: 1\n{{- end }}\n"):
        source = load(template, "t.yaml")
        assert source.template and source.errors == [] and source.documents == []
    assert not load(b"annotations:\n  summary: '{{inputs.parameters.x}}'\n", "t.yaml").template
    # an if and its else that write one key twice, once the actions are blanked out: still a template
    branches = b"spec:\n{{- if .Values.ha }}\n  replicas: 3\n{{- else }}\n  replicas: 1\n{{- end }}\n  x: {{ .Values.x }}-y\n"
    assert load(branches, "t.yaml").template
    # a YAML error of its own (a repeated key, a bad flow) is no template's, whatever strings or comments hold
    for broken in (b"a: '{{ $labels.x }}'\nb: 1\nb: 2\n", b"# {{ .Values.x }}\na: [1\n"):
        source = load(broken, "t.yaml")
        assert not source.template and len(source.errors) == 1
    rule = b"annotations:\n  summary: Instance {{ $labels.instance }} down\n  vault: |\n    {{- with secret \"db\" -}}\n    {{ .Data.password }}\n    {{- end }}\n"
    source = load(rule, "t.yaml")
    assert not source.template and source.documents[0].data["annotations"]["summary"] == "Instance {{ $labels.instance }} down"


def test_suppression_comments_are_collected_from_the_raw_lines():
    source = load(b"# sslint-ignore-file: SS101\na: 1  # sslint-ignore: SS102\n", "t.yaml")
    assert source.pragmas == {1: ("sslint-ignore-file: SS101", True), 2: ("sslint-ignore: SS102", False)}


def test_the_pure_python_parser_reads_the_same(monkeypatch):
    import sslint.load

    text = b"a: &x {p: [1, yes, '3']}\nb: *x\nm:\n  <<: *x\n  q: 0777\n---\nbad: [\n---\nz: ~\n"
    fast = load(text, "t.yaml")
    monkeypatch.setattr(sslint.load, "_CParser", None)
    slow = load(text, "t.yaml")
    assert [(d.data, d.positions) for d in slow.documents] == [(d.data, d.positions) for d in fast.documents]
    assert [(e.line, e.column) for e in slow.errors] == [(e.line, e.column) for e in fast.errors]


def test_a_colon_inside_a_plain_scalar_of_a_flow_collection_is_part_of_it_as_kubectl_reads_it():
    """libyaml 0.1, which the C parser carries, stops at `nats:2.10` in a flow mapping; go-yaml reads one
    scalar, as YAML 1.2 does: the piece is read again by the pure-Python parser, its documents kept whole."""
    text = b"a: 1\n---\nspec:\n  containers: [{name: nats, image: nats:2.10.20-alpine, ports: [{p: 1}]}]\n---\nb: [\n---\nc: 2\n"
    source = load(text, "t.yaml")
    assert [d.data for d in source.documents] == [
        {"a": 1}, {"spec": {"containers": [{"name": "nats", "image": "nats:2.10.20-alpine", "ports": [{"p": 1}]}]}},
        {"c": 2}]
    assert source.documents[1].position_of(("spec", "containers", 0, "ports")) == (4, 57)
    assert [(e.line, e.column) for e in source.errors] == [(7, 1)]
    # go-yaml reads `d:,` as "d:", and refuses a colon before '[' or '{', and a '?' in a flow scalar (YAML 1.1):
    assert one("a: {b: nats:1, c: d:, e: '{\"k\":[1]}'}\n").data == {"a": {"b": "nats:1", "c": "d:", "e": '{"k":[1]}'}}
    for refused in (b"a: {b: nats:1, c: d:[1]}\n", b"a: [nats:1, http://x/health?full=1]\n"):
        assert [(e.line, e.column) for e in load(refused, "t.yaml").errors] != []
    # Where libyaml breaks a line that the pure parser does not (U+2028), the lines would part: libyaml's error stays.
    assert [(e.line, e.column) for e in load("a: {b: nats:1}\nc: \"x\u2028y\"\n".encode(), "t.yaml").errors] == [(1, 12)]


def test_quoted_escapes_are_those_kubectl_reads():
    """go-yaml reads \\' in a double-quoted scalar (Kubernetes' own EnvFiles example has one), which libyaml
    refuses, and refuses \\/, which libyaml reads; kubectl reads a text that begins like JSON as JSON."""
    source = load(b'a: 1\n---\nnote: "the database\\\'s service"\nspec: {x: 1}\n', "t.yaml")
    assert [d.data for d in source.documents] == [{"a": 1}, {"note": "the database's service", "spec": {"x": 1}}]
    assert source.documents[1].position_of(("spec", "x")) == (4, 8) and source.errors == []
    slash = load(b'a:\n  url: "http:\\/\\/backend"\n', "t.yaml")
    assert [(e.line, e.column, e.message) for e in slash.errors] == [
        (2, 14, "found unknown escape character '/': kubectl refuses \\/ in a double-quoted value (write / alone)")]
    assert load(b'a: "a\\\\/b"\n', "t.yaml").documents[0].data == {"a": "a\\/b"}  # an escaped backslash, then /
    assert load(b'{"a": "http:\\/\\/backend"}\n', "t.yaml").errors == []
    assert [(e.line, e.column) for e in load(b'a: "\\q"\n', "t.yaml").errors] != []  # unknown to both


def test_ruamel_yamls_own_parser_still_makes_its_events_after_sslint_has_read():
    """sslint lends the C parser event classes of its own while it reads (sslint.load, events): a
    library caller parsing with ruamel.yaml afterwards, after an error too, gets ruamel.yaml's."""
    from ruamel.yaml import YAML, events

    load(b"a: [1, {b: c}]\n", "good.yaml")
    assert load(b"a: [1,\n", "bad.yaml").errors
    parsed = list(YAML(typ="safe").parse("a: [1, {b: c}]\n"))
    assert all(isinstance(event, events.Event) for event in parsed)
    assert [e.value for e in parsed if isinstance(e, events.ScalarEvent)] == ["a", "1", "b", "c"]


def test_strictness_leaves_valid_yaml_alone():
    doc = one(
        'a: ["x,#y", \'p,#q\'] # a comment\n'
        'b: "#not a comment"\n'
        "c: http://example.com/#fragment\n"
        "d: |\n  #!/bin/sh\n  echo [1,#2]\n"
        "e: [\n  1,\n]\n"
        "h:\n  deep: 'a\n  b'\n"
        "f: -1\n"
        "g: [-1, -x]\n"
    )
    assert doc.data == {"a": ["x,#y", "p,#q"], "b": "#not a comment", "c": "http://example.com/#fragment",
                        "d": "#!/bin/sh\necho [1,#2]\n", "e": [1], "f": -1, "g": [-1, "-x"],
                        "h": {"deep": "a b"}}


@pytest.mark.skipif(_CParser is None, reason="ruamel.yaml's pure-Python parser makes cycles of its own")
def test_loading_leaves_no_reference_cycles():
    """A run turns the cyclic collector off (engine.run): what loading leaves behind, reading
    positions included, must be freed by reference counting alone, or a large run keeps every
    file's parser and text until it ends."""
    import gc

    text = (b"a: &x {b: [1, {c: d}]}\nm:\n  <<: *x\n  e: *x\n---\n- [x, y]\n- {k: v}\n---\nbroken: [\n---\n"
            b"s: 'quoted'\n")
    load(text, "warm.yaml")  # whatever the first call imports
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for as_json, raw in ((False, text), (True, b'{"a": [1, {"b": null}]}')):
            source = load(raw, "t.json" if as_json else "t.yaml", as_json=as_json)
            assert source.documents
            for document in source.documents:
                assert document.positions
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_an_anchor_names_its_newest_node():
    """YAML lets an anchor be defined again; an alias means the newest definition, even inside a
    collection that carries the same anchor (which is then not a recursive alias)."""
    assert one("x: &a\n  y: &a 1\n  z: *a\n").data == {"x": {"y": 1, "z": 1}}
    source = load(b"x: &a\n  y: 1\n  z: *a\n", "t.yaml")
    assert [(e.line, e.column) for e in source.errors] == [(3, 6)] and "recursive" in source.errors[0].message


def test_a_caller_with_a_deep_stack_gets_a_parse_error_not_a_crash():
    """Collections are read by recursive calls: a library caller already deep in its own stack
    gets an error with a position for a deeply nested document, never a RecursionError."""
    import sys

    raw = ("[" * 256 + "]" * 256).encode()
    assert load(raw, "t.yaml").errors == []

    def at(depth):
        return load(raw, "t.yaml") if depth == 0 else at(depth - 1)

    source = at(sys.getrecursionlimit() - 400)
    assert source.documents == []
    assert [e.line for e in source.errors] == [1] and "nested too deeply" in source.errors[0].message


@pytest.mark.parametrize("text, column", [('{"a": NaN}', 7), ('[1, -Infinity]', 5), ('Infinity', 1)])
def test_what_python_reads_as_json_but_kubectl_does_not_is_a_parse_error(text, column):
    source = load(text.encode(), "t.json", as_json=True)
    assert source.documents == []
    assert [(e.line, e.column) for e in source.errors] == [(1, column)] and "not a JSON value" in source.errors[0].message


def test_a_rendered_document_comes_from_the_source_comment_that_heads_it():
    """`helm template` heads each document with `# Source: <template>`. A document without one of its
    own (a manifest added after the chart) is no template's, nor is one after a template that renders
    nothing (its comment, then `---`); a comment below a document's first key heads nothing, and a
    document with no key or item has no origin. Lines are counted where libyaml breaks them (a
    line separator in a quoted value too). A file with a parse error reads the same."""
    text = ("# Source: c/templates/a.yaml\nkind: A\n"  # 1-2
            "---\nkind: B\n"  # 3-4
            "---\n# Source: c/templates/list.yaml\n- kind: C\n"  # 5-7
            "---\njust text\n"  # 8-9
            "---\nkind: D\n# Source: c/templates/below.yaml\nname: d\n"  # 10-13
            "---\nkind: F\n"  # 14-15
            "---\n# Source: c/templates/notes.yaml\n# nothing rendered\n"  # 16-18
            "---\nkind: G\n"  # 19-20
            "---\n# Source: c/templates/e.yaml\n\n# (a comment)\nkind: E\nnote: \"a\u2028b\"\n"  # 21-26
            "---\n# Source: c/templates/h.yaml\nkind: H\n")  # 27-29
    expected = [("c/templates/a.yaml", 1), (None, None), ("c/templates/list.yaml", 6), (None, None), (None, None),
                (None, None), (None, None), ("c/templates/e.yaml", 22), ("c/templates/h.yaml", 29)]
    for source in (load(text.encode(), "out.yaml"), load((text + "---\nbroken: [\n").encode(), "out.yaml")):
        assert [(d.origin, d.origin_line) for d in source.documents] == expected
        assert [(d.origin, d.origin_line) for d in passed_on(source).documents] == expected
        assert source.documents[-1].position_of(("kind",)) == (30, 1)  # (libyaml counts the line separator)
    # a form feed is no line break to libyaml (and an error): the lines after it are counted as it counts them
    source = load(b"# \x0c\x0c\n---\n# Source: a.yaml\nk: 1\n---\nkind: z\n", "out.yaml")
    assert [(d.origin, d.origin_line) for d in source.documents] == [("a.yaml", 3), (None, None)]


@pytest.mark.skipif(_CParser is None, reason="without the C parser a file is never cut")
@pytest.mark.parametrize("text", [
    "a: 1\n---\nb: 2\n---\n---\nc: [3]\n...\n# after\n---\n- d\n",  # empty documents, `...`, a comment
    "# Source: x/a.yaml\nkind: A\n---\n# Source: x/b.yaml\nkind: B\n---\nkind: C\n",  # origins across pieces
    "a: &x {b: 1}\nc: *x\n---\nd: 1\n--- |\n  text\n--- plain\n",  # anchors, scalars on the `---` line
    "a: 'open\n---\nb: 1\n",  # a quote open at a `---` line: an error there, whole or in pieces
    "a: [1,\n---\nb: 1\n",  # a flow collection open at it
    "a: 1\n---\nb: \"x\"#glued\n---\nc: 1\n---\nd: [\n",  # strict checks' errors, one at the end
    "a: 1\n---\n\tb: 2\n---\nc: 3\n---\nd: 4\n",  # a tab: reading resumes after the broken document
])
def test_a_stream_read_in_pieces_is_the_stream_read_whole(text, monkeypatch):
    """A long stream is cut at `---` lines and its pieces read at once by worker processes: joined,
    they are the whole file's documents, document numbers, positions and origins; a piece with an
    error gives way to reading the whole file, whose errors are the ones reported."""
    from sslint import load as loader
    from sslint.load import cut, read_piece

    monkeypatch.setattr(loader, "PIECE", 1)
    raw = text.encode()
    whole = load(raw, "stream.yaml")
    text_read, spans = cut(raw)
    assert text_read == text and len(spans) == 1 + len(loader._DOCUMENT_START.findall(text))  # one per document
    pieces = [read_piece(text, *span) for span in spans]
    joined = load(raw, "stream.yaml", pieces=(text, pieces))
    assert (None in pieces) == bool(whole.errors)
    assert joined.to_plain() == whole.to_plain()
    assert [d.positions for d in joined.documents] == [d.positions for d in whole.documents]


_LISTS = {  # List documents (`kubectl get -o yaml`) that read the same in pieces, one item each
    "kubectl's layout": "apiVersion: v1\nitems:\n- a: 1\n  b: [x,\n    y]\n- kind: K\n  spec:\n    list:\n    - p\n"
                        "    - q\n- plain\n-\n  k: v\n- - nested\n  - seq\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
    "indented, with comments": "apiVersion: v1\nitems:  # the objects\n  # first\n  - a: 1\n\n# between, leftmost\n"
                               "  - b: |\n      text\n      - no item\n    c: 'two\n      lines'\n  - d: plain\n"
                               "      continued\nkind: List\n",
    "anchors and merge keys within items": "items:\n- a: &x {y: 1}\n  b: *x\n- <<: {c: 1}\n  d: 2\n- &z e\n",
    "a document before it": "a: 1\n---\napiVersion: v1\nitems:\n- x: 1\n- y: 2\nkind: List\n",
    "CR LF, no line break at the end": "apiVersion: v1\r\nitems:\r\n- a: 1\r\n- b: 2\r\nkind: List",
    "nothing after the list": "items:\n- a: 1\n- b: 2\n",
    "values a line after their dash": "items:\n- a: 1\n- # note\n  b: 2\n-\n  c: 3\n- {d: 1,\n   e: 2}  # flow\n- f: 4\n",
    "a sequence under a later root key": "items:\n- a: 1\n- b: 2\nkind: List\nmetadata:\n- c: 3\n",  # (no item)
}
_LISTS_READ_WHOLE = {  # ... that do not: a piece fails, or the pieces do not join (the whole text says why)
    "a quoted scalar across an item's line": 'items:\n- a: "x\n- b: y"\n- c: 1\n',
    "a flow collection across it": "items:\n- [1,\n- 2]\n- c: 1\n",
    "an alias to another item": "items:\n- &a {x: 1}\n- *a\n",
    "a root key twice": "kind: A\nitems:\n- a: 1\n- b: 2\nkind: B\n",
    "an error in an item": "items:\n- a: 1\n- b: [\n- c: 2\n",
    "a tab": "items:\n- a: 1\n- b: 2\n\t- c: 3\n- d: 4\n",  # (the list cannot go on past it: no cut after it)
}


@pytest.mark.skipif(_CParser is None, reason="without the C parser a file is never cut")
@pytest.mark.parametrize("name", [*_LISTS, *_LISTS_READ_WHOLE])
def test_a_list_read_in_pieces_is_the_list_read_whole(name, monkeypatch):
    """A cluster's dump is one List document: a long one is cut between its items, and the pieces,
    read at once by worker processes, join into the document the whole text is, with each item's
    place in the text (_Positions.items); where they cannot, the whole text is read."""
    from sslint import load as loader
    from sslint.load import cut, read_piece

    monkeypatch.setattr(loader, "PIECE", 1)
    text = {**_LISTS, **_LISTS_READ_WHOLE}[name]
    raw = text.encode()
    whole = load(raw, "list.yaml")
    text_read, spans = cut(raw)
    pieces = [read_piece(text, *span) for span in spans]
    joined = load(raw, "list.yaml", pieces=(text, pieces))
    assert joined.to_plain() == whole.to_plain()
    assert [d.positions for d in joined.documents] == [d.positions for d in whole.documents]
    pieces = [read_piece(text, *span) for span in spans]  # (joining takes them apart)
    joins = None not in pieces and loader._join(pieces, SourceFile(""), loader._Positions(text, False)) is not None
    assert joins == (name in _LISTS)
    if name in _LISTS:
        assert len(spans) == len(whole.documents[-1].data["items"]) and not whole.errors
        lazy, index = passed_on(whole).documents[-1]._positions, whole.documents[-1].index
        assert all(lazy._item(index, n) is not None for n in range(len(spans)))  # each item's text reads alone


@pytest.mark.skipif(_CParser is None, reason="without the C parser a file is never cut")
def test_aliases_count_over_a_whole_list_read_in_pieces(monkeypatch):
    """The bound on what aliases stand for is the document's: pieces each under it but over it in
    all are read whole, and the error is the whole text's."""
    from sslint import load as loader
    from sslint.load import cut, read_piece

    monkeypatch.setattr(loader, "PIECE", 1)
    monkeypatch.setattr(loader, "MAX_NODES", 10)
    raw = "".join(f"- a: &x [1, 2, 3]\n  b: *x\n" for _ in range(3)).join(["items:\n", "kind: List\n"]).encode()
    text, spans = cut(raw)
    pieces = [read_piece(text, *span) for span in spans]
    assert len(spans) == 3 and None not in pieces
    joined = load(raw, "list.yaml", pieces=(text, pieces))
    assert [e.message for e in joined.errors] == [e.message for e in load(raw, "list.yaml").errors]
    assert "aliases expand to more than 10 nodes" in joined.errors[0].message


@pytest.mark.skipif(_CParser is None, reason="without the C parser a file is never cut")
@pytest.mark.parametrize("text", [
    "<<: {x: 1}\nitems:\n- a: 1\n- b: 2\n",  # a merge key at the root
    "? items\n: - a\nitems:\n- a: 1\n- b: 2\n",  # a complex key
    "items:\n- a: 1\n- b: 2\n...\n",  # the document's end
    "items: [a, b]\n",  # a flow sequence: one line
    "items: &all\n- a: 1\n- b: 2\n",  # an anchor on the list
])
def test_a_list_is_cut_only_where_its_root_holds_nothing_but_plain_keys(text, monkeypatch):
    from sslint import load as loader

    monkeypatch.setattr(loader, "PIECE", 1)
    assert loader.cut(text.encode()) is None

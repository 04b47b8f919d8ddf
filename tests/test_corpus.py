"""Real manifests and the YAML test suite: sslint never crashes, and its SARIF is always valid."""

import csv
import marshal
from pathlib import Path

import pytest

from conftest import SHARED
from sslint.load import _CParser
from test_reports import validate_sarif

REAL = SHARED / "corpus" / "real"
YAML_SUITE = SHARED / "corpus" / "yaml-test-suite"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the shared corpus is not at {SHARED} (set SSLINT_SHARED)")

PROJECTS = sorted(p.name for p in REAL.iterdir() if p.is_dir()) if REAL.is_dir() else []


def lint_directory(sslint, directory):
    run = sslint("--format", "sarif", "-o", "out.sarif", str(directory))
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    return validate_sarif(Path("out.sarif").read_text())


@pytest.mark.parametrize("project", PROJECTS)
def test_real_projects_lint_without_a_crash(sslint, project):
    sarif = lint_directory(sslint, REAL / project)
    assert all(r["ruleId"] != "SS001" for r in sarif["runs"][0]["results"])  # real manifests all parse


# Invalid YAML that libyaml (like go-yaml, and so kubectl) accepts, and sslint accepts too: a block
# scalar whose leading blank lines are indented deeper than its content. (sslint checks continuation
# lines of a value only in a top-level block: deeper, kubectl accepts too little indentation and real
# manifests rely on it, as kubernetes-retired/contrib's zookeeper annotation does.) And HRE5, the escape
# \' in a double-quoted scalar, which go-yaml reads (Kubernetes' own EnvFiles example has one).
ACCEPTED_INVALID = "HRE5 S98Z"
# Valid YAML 1.2 that libyaml (a YAML 1.1 parser, as kubectl's) cannot read: each is an SS001. (UDM2,
# `{ url: http://example.org }`, and 4ABK, `{ omitted value:, }`, read as go-yaml reads them: the colon is
# the scalar's.) 3UYS, the escape \/, libyaml reads but go-yaml refuses: sslint refuses it as kubectl does.
UNREADABLE_VALID = (
    "2JQS 2LFX 2SXE 3UYS 4FJ6 4MUZ-1 4MUZ-2 4MUZ 58MP 5MUD 5T43 6BCT 6BFJ 6CA3 6LVF 6M2F 6PBE 7Z25 8XYN 96NN-1 96NN "
    "9MMW 9SA2 A2M4 BEC7 CFD4 DBG4 DK3J DK95-3 DK95-4 DK95 FP8R FRK4 HM87 HWV9 JR7V K3WX KK5P LX3P M2N8-1 M2N8 M5DY "
    "M7A3 MUS6-5 MUS6-6 NHX8 NJ66 NKF9 Q5MG Q9WF QT73 R4YG RZP5 S3PD SBG9 SM9W-1 UKK6 UT92 V9D5 VJP3-1 W4TN "
    "W5VH WZ62 X38W XW4D Y79Y-1 Y79Y-10"
)


def test_yaml_test_suite_lints_and_rejected_inputs_are_parse_errors(sslint):
    sarif = lint_directory(sslint, YAML_SUITE)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"SS001"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)
    flagged = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1] for r in results}
    with open(YAML_SUITE / "MANIFEST.tsv") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    rejected = {row["file"] for row in rows if row["fail"] == "true"}
    valid = {row["file"] for row in rows if row["fail"] == "false"}
    assert rejected - flagged == {f"{name}.yaml" for name in ACCEPTED_INVALID.split()}
    assert valid & flagged == {f"{name}.yaml" for name in UNREADABLE_VALID.split()}


@pytest.mark.parametrize("parser", ["C", "pure Python"])
def test_positions_read_on_demand_equal_those_recorded_while_loading(parser, monkeypatch):
    """A document's positions are read again, from its own lines, only when a finding needs them:
    they must be the very positions a full read records, in every real and test-suite file, with
    either parser (the pure one starts a document after its directives). A copy of the file, as the
    cache and the worker processes pass it, reads them the same way: from the document's own lines,
    never the whole file where the original would not."""
    from sslint import load as loader
    from sslint.load import SourceFile, _Positions, _read, load

    if parser != "C":
        monkeypatch.setattr(loader, "_CParser", None)
    whole_reads = []
    monkeypatch.setattr(loader, "_read", lambda text, *rest: whole_reads.append(text) or _read(text, *rest))

    for path in sorted([*REAL.rglob("*.y*ml"), *REAL.rglob("*.json"), *YAML_SUITE.glob("*.yaml")]):
        source = load(path.read_bytes(), str(path), as_json=path.suffix == ".json")
        if source.errors or source.template:
            continue
        copy = SourceFile.from_plain(source.path, marshal.loads(marshal.dumps(source.to_plain())))
        eager = type(source)("")
        _read(source.text, eager, source.as_json, None)
        # (a document libyaml refuses for a colon in a flow scalar or an escaped quote, which go-yaml reads,
        # is read again alone, by the pure parser, and keeps the positions recorded then)
        refused = parser == "C" and _refused_by_libyaml(source.text)
        kinds = {type(d._positions) for d in source.documents}
        assert (dict in kinds and kinds <= {dict, _Positions}) if refused else kinds <= {_Positions}, path
        whole_reads.clear()
        expected = [(d.index, d.positions) for d in reversed(eager.documents)]
        assert [(d.index, d.positions) for d in reversed(source.documents)] == expected, path
        original_whole_reads = len(whole_reads)
        assert [(d.index, d.positions) for d in reversed(copy.documents)] == expected, path
        assert len(whole_reads) == 2 * original_whole_reads + refused, path  # (a copy reads that document's from the whole)


def _refused_by_libyaml(text: str) -> bool:
    """Whether libyaml refuses what go-yaml reads in the text (a colon in a plain scalar of a flow
    collection, the escape \\' in a double-quoted one)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    from sslint.load import _GO_YAML_READS

    try:
        list(YAML(typ="safe").parse(text))
    except MarkedYAMLError as error:
        return error.problem in _GO_YAML_READS
    return False


@pytest.mark.skipif(_CParser is None, reason="the pure parser reads the whole file for positions")
def test_a_position_read_up_to_its_key_is_the_one_a_whole_read_gives():
    """A document's first question reads it only up to that key: in every real and test-suite file,
    for keys and list items all through each document, it gives what reading it whole gives."""
    from sslint.load import _Positions, load

    for path in sorted([*REAL.rglob("*.y*ml"), *REAL.rglob("*.json"), *YAML_SUITE.glob("*.yaml")]):
        source = load(path.read_bytes(), str(path), as_json=path.suffix == ".json")
        if source.errors or source.template:
            continue
        for document in source.documents:
            whole = document.positions
            keys = list(whole)
            for key in keys[:: max(1, len(keys) // 30)] + [("no such key",)]:
                fresh = _Positions(source.text, source.as_json, source.starts)
                assert fresh.find(document.index, key) == whole.get(key), (path, document.index, key)


@pytest.mark.skipif(_CParser is None, reason="without the C parser a file is never cut")
def test_a_stream_cut_at_every_document_reads_as_it_does_whole(monkeypatch):
    """A long stream is read in pieces cut at `---` lines (by worker processes, at once): cut before
    every document, every real and test-suite file must give what reading it whole gives — its data,
    document numbers, where each begins and its errors (a piece with an error: the file is read whole)."""
    from sslint import load as loader
    from sslint.load import cut, load, read_piece

    monkeypatch.setattr(loader, "PIECE", 1)
    joined = fell_back = 0
    for path in sorted([*REAL.rglob("*.y*ml"), *YAML_SUITE.glob("*.yaml")]):
        raw = path.read_bytes()
        text_and_spans = cut(raw)
        if text_and_spans is None:
            continue
        text, spans = text_and_spans
        pieces = [read_piece(text, *span) for span in spans]
        whole = load(raw, str(path))
        assert load(raw, str(path), pieces=(text, pieces)).to_plain() == whole.to_plain(), path
        joined += None not in pieces
        fell_back += None in pieces
        assert (None in pieces) == bool(whole.errors), path  # no piece fails where the whole reads
    assert joined > 30 and fell_back > 0  # what the corpus holds: streams, and a few broken ones

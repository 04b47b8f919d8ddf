"""docs/rules.md: generated from rules/*.yaml with the text of `--explain`, current, and where SARIF points."""

import importlib.util
import json
import re

import pytest

from conftest import ROOT
from sslint import catalogue

SCRIPT = ROOT / "scripts" / "generate_rule_docs.py"
DOCS = ROOT / "docs" / "rules.md"

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="not a source tree (scripts/ is not shipped)")


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("generate_rule_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rules_md_is_current(generator):
    assert DOCS.exists(), "run: python scripts/generate_rule_docs.py"
    assert DOCS.read_text(encoding="utf-8") == generator.render(), "run: python scripts/generate_rule_docs.py"
    assert generator.main(["--check"]) == 0


def sections() -> dict[str, str]:
    """Each rule's section of docs/rules.md, by anchor."""
    text = DOCS.read_text(encoding="utf-8")
    parts = re.split(r'\n<a id="([a-z0-9]+)"></a>\n\n', text)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_rule_has_its_anchor_toc_entry_and_explain_text(sslint, generator):
    found = sections()
    rules = catalogue.rules()
    assert list(found) == [rule_id.lower() for rule_id in rules]
    text = DOCS.read_text(encoding="utf-8")
    for rule_id, rule in rules.items():
        assert f"| [{rule_id}](#{rule_id.lower()}) | {rule.name} | {rule.severity} |" in text
        explained = sslint("--explain", rule_id).out
        assert explained == rule.documentation()
        assert found[rule_id.lower()].rstrip("\n") == generator.demote(explained).rstrip("\n")
        assert found[rule_id.lower()].startswith(f"## {rule_id} {rule.name} ({rule.severity})\n")


def test_demote_leaves_yaml_comments_in_examples_alone(generator):
    text = "# Title\n\n## Part\n\n```yaml\n# a comment\nkey: 1\n```\n#hashtag\n"
    assert generator.demote(text) == "## Title\n\n### Part\n\n```yaml\n# a comment\nkey: 1\n```\n#hashtag\n"


def test_sarif_help_uris_point_at_the_anchors(sslint):
    driver = json.loads(sslint("--format", "sarif", files={"a.yaml": "kind: x\n"}).out)["runs"][0]["tool"]["driver"]
    anchors = set(sections())
    for rule in driver["rules"]:
        base, anchor = rule["helpUri"].split("#")
        assert base == f"{driver['informationUri']}/blob/main/docs/rules.md"
        assert anchor == rule["id"].lower() and anchor in anchors


def test_the_readme_lists_every_rule_with_its_summary():
    readme = (ROOT / "README.md").read_text()
    for rule in catalogue.rules().values():
        row = next(line for line in readme.splitlines() if line.startswith(f"| [{rule.id}](docs/rules.md#{rule.id.lower()}) | {rule.name} |"))
        assert row.endswith(f" | {rule.summary.strip()} |"), rule.id

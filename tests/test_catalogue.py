"""Every rule file is valid, has a check, and its documented examples hold: the docs cannot rot."""

import subprocess

import pytest

from sslint import catalogue
from sslint.checks import CHECKS, LOADER_RULES

RULES = catalogue.rules()
EXAMPLES = [(rule, n, example) for rule in RULES.values() for n, example in enumerate(rule.examples)]


def test_every_rule_file_is_valid_against_the_rule_schema():
    assert catalogue.problems() == []


def test_every_rule_file_has_a_check_and_every_check_a_rule_file():
    assert set(RULES) == set(CHECKS) | LOADER_RULES
    assert not set(CHECKS) & LOADER_RULES


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_every_rule_has_a_failing_and_a_passing_example(rule):
    assert any(e["findings"] for e in rule.examples), "no example that must trigger the rule"
    assert any(not e["findings"] for e in rule.examples), "no example that must pass"


def test_names_are_unique():
    assert len({rule.name for rule in RULES.values()}) == len(RULES)


def commit(directory, name: str, text: str) -> None:
    (directory / name).write_text(text)
    for command in (["init", "-q"], ["add", name], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"]):
        subprocess.run(["git", "-C", str(directory), *command], check=True, capture_output=True)


@pytest.mark.parametrize("rule, n, example", EXAMPLES, ids=[f"{r.id}-{n}" for r, n, _ in EXAMPLES])
def test_documented_example(sslint, tmp_path, rule, n, example):
    name = example.get("filename", "example.yaml")
    args = ["--format", "json", "--select", rule.id, "--fail-on", "never", name]
    if "kubernetes-version" in example:
        args += ["--kubernetes-version", example["kubernetes-version"]]
    if "previous" in example:
        commit(tmp_path, name, example["previous"])
        args += ["--diff-base", "HEAD"]
    run = sslint(*args, files={name: example["manifest"]})
    assert run.code == 0, run.err
    assert [f"{line}:{column}" for _, line, column in run.positions(rule.id)] == example["findings"]
    for finding in run.findings(rule.id):
        assert finding["message"] and finding["fix"]


@pytest.mark.parametrize(
    "tokens, expected",
    [(["SS102"], {"SS102"}), (["governing-service-missing"], {"SS102"}), (["ss10"], {"SS101", "SS102", "SS103", "SS104", "SS105"})],
)
def test_rules_are_chosen_by_id_name_or_prefix(tokens, expected):
    assert catalogue.resolve(tokens, "--select") == expected


@pytest.mark.parametrize("token", ["SS999", "nonsense", "S"])
def test_unknown_rule_tokens_are_refused(token):
    with pytest.raises(ValueError, match=token):
        catalogue.resolve([token], "--select")


def test_documentation_follows_the_template():
    text = RULES["SS102"].documentation()
    for heading in ("# SS102 governing-service-missing (error)", "## Why is this bad?", "## How to fix it",
                    "## Example", "## Use instead", "## References"):
        assert heading in text

"""The rule catalogue: rules/<ID>.yaml (metadata, documentation, examples) beside their checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import jsonschema

from sslint.data import data_dir
from sslint.load import load


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    kinds: tuple[str, ...]
    summary: str
    why: str
    fix: str
    references: tuple[dict, ...]
    examples: tuple[dict, ...]

    @property
    def fix_summary(self) -> str:
        return self.fix.strip().split("\n\n")[0].replace("\n", " ")

    def documentation(self) -> str:
        """The full text of `--explain`, in Markdown."""
        parts = [f"# {self.id} {self.name} ({self.severity})", "", self.summary.strip(), "",
                 "## Why is this bad?", "", self.why.strip(), "", "## How to fix it", "", self.fix.strip()]
        for heading, triggers in (("## Example", True), ("## Use instead", False)):
            example = next((e for e in self.examples if bool(e["findings"]) == triggers), None)
            if example:
                parts += ["", heading, "", example["description"].strip(), "", "```yaml",
                          example["manifest"].rstrip(), "```"]
        parts += ["", "## References", ""] + [f"- [{r['title']}]({r['url']})" for r in self.references]
        return "\n".join(parts) + "\n"


class CatalogueError(Exception):
    pass


@cache
def rules() -> dict[str, Rule]:
    """Every rule by id, in id order; each file validated against schemas/rule.schema.json."""
    schema = json.loads((data_dir("schemas") / "rule.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    found = {}
    for path in sorted(data_dir("rules").glob("*.yaml")):
        source = load(path.read_bytes(), str(path))
        if source.errors or len(source.documents) != 1:
            raise CatalogueError(f"{path}: not one valid YAML document")
        data = source.documents[0].data
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
        if error is not None:
            raise CatalogueError(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        if path.stem != data["id"]:
            raise CatalogueError(f"{path}: the file of rule {data['id']} must be named {data['id']}.yaml")
        found[data["id"]] = Rule(
            data["id"], data["name"], data["severity"], tuple(data["kinds"]), data["summary"], data["why"],
            data["fix"], tuple(data["references"]), tuple(data["examples"]),
        )
    return found


def resolve(tokens: list[str], what: str) -> set[str]:
    """Rule ids named by ids, names or id prefixes (`SS1`); an unknown token is a usage error."""
    catalogue = rules()
    names = {rule.name: rule.id for rule in catalogue.values()}
    chosen = set()
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        if token in names:
            chosen.add(names[token])
            continue
        matching = {rule_id for rule_id in catalogue if rule_id.startswith(token.upper())}
        if not matching or not token.upper().startswith("SS"):
            raise ValueError(f"{what}: {token!r} is not a rule id, name or id prefix (see --list-rules)")
        chosen |= matching
    return chosen

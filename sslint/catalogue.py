"""The rule catalogue: rules/<ID>.yaml (metadata, documentation, examples) beside their checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from sslint import cache as stored
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


use_cache = True  # the command line's --no-cache turns it off: the rule files are then parsed each time


@cache
def rules() -> dict[str, Rule]:
    """Every rule by id, in id order. The files ship with sslint and the test suite validates each
    against schemas/rule.schema.json (see `problems`), so a run only reads them: parsed once, and
    then from the cache."""
    paths = sorted(data_dir("rules").glob("*.yaml"))
    raws = [path.read_bytes() for path in paths]
    entry = stored.rules_entry(raws) if use_cache else None
    documents = stored.fetch(entry) if entry else None
    if documents is not None:
        try:
            return _rules(documents)
        except (TypeError, KeyError, IndexError, ValueError):
            pass  # an entry of another shape: parse them again
    documents = [_parse(path, raw) for path, raw in zip(paths, raws)]
    if entry:
        stored.store(entry, documents)
    return _rules(documents)


def _rules(documents: list[dict]) -> dict[str, Rule]:
    return {data["id"]: Rule(data["id"], data["name"], data["severity"], tuple(data["kinds"]), data["summary"],
                             data["why"], data["fix"], tuple(data["references"]), tuple(data["examples"]))
            for data in documents}


def _parse(path, raw: bytes) -> dict:
    source = load(raw, str(path))
    if source.errors or len(source.documents) != 1 or not isinstance(source.documents[0].data, dict):
        raise CatalogueError(f"{path}: not one valid YAML mapping")
    return source.documents[0].data


def problems() -> list[str]:
    """What is wrong with the rule files: schema violations and misnamed files."""
    import jsonschema

    schema = json.loads((data_dir("schemas") / "rule.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    found = []
    for path in sorted(data_dir("rules").glob("*.yaml")):
        data = _parse(path, path.read_bytes())
        for error in validator.iter_errors(data):
            found.append(f"{path.name}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        if path.stem != data.get("id"):
            found.append(f"{path.name}: the file of rule {data.get('id')} must be named {data.get('id')}.yaml")
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

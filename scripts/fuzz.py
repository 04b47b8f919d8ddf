#!/usr/bin/env python3
"""Coverage-guided fuzzing of the loader and every rule with atheris (pip install '.[fuzz]').

    python scripts/fuzz.py                       # 20,000 inputs, seeded from examples/ and rules/
    python scripts/fuzz.py -runs=200000 corpus/  # any libFuzzer flag; a directory keeps the corpus

Each input is read as YAML and as JSON; whatever loads becomes a model on which every check runs.
A crash is any exception escaping the loader or a check (the engine would report it as an internal
error): atheris stops and writes the input to crash-<hash>.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from sslint import catalogue
    from sslint.checks import CHECKS
    from sslint.load import load
    from sslint.model import Model

ROOT = Path(__file__).resolve().parents[1]
RULES = catalogue.rules()


def check_everything(data: bytes) -> None:
    for as_json in (False, True):
        source = load(data, "fuzz.json" if as_json else "fuzz.yaml", as_json=as_json)
        model = Model()
        model.add(source, context=False)
        for rule_id, check in CHECKS.items():
            for kind in RULES[rule_id].kinds:
                for obj in model.of_kind(kind):
                    for finding in check(obj, model, "1.37"):
                        obj.position(finding.path)


def seeds(directory: Path) -> None:
    for path in sorted(ROOT.glob("examples/**/*.yaml")):
        (directory / path.name).write_bytes(path.read_bytes())
    for rule in RULES.values():
        for n, example in enumerate(rule.examples):
            (directory / f"{rule.id}-{n}.yaml").write_text(example["manifest"])


def main() -> None:
    arguments = sys.argv[1:]
    if not any(a.startswith("-runs=") for a in arguments):
        arguments.append("-runs=20000")
    if not any(not a.startswith("-") for a in arguments):
        corpus = Path(tempfile.mkdtemp(prefix="sslint-fuzz-"))
        seeds(corpus)
        arguments.append(str(corpus))
    atheris.Setup([sys.argv[0], *arguments], check_everything)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

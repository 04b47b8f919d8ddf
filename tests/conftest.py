"""Helpers: lint files in a temporary directory, in process, as the command line does."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from sslint.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SSLINT_SHARED", ROOT.parent / "shared"))


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def findings(self, rule: str | None = None) -> list[dict]:
        return [f for f in self.json["findings"] if rule is None or f["rule"] == rule]

    def positions(self, rule: str | None = None) -> list[tuple[str, int, int]]:
        return [(f["file"], f["line"], f["column"]) for f in self.findings(rule) if not f["suppressed"]]


@pytest.fixture
def sslint(capsys, monkeypatch, tmp_path):
    """sslint(*args, files={name: text}) runs the CLI inside tmp_path and returns a Run."""

    def invoke(*args: str, files: dict[str, str] | None = None, stdin: str | None = None) -> Run:
        for name, text in (files or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        monkeypatch.chdir(tmp_path)
        if stdin is not None:
            import io
            import sys

            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        captured = capsys.readouterr()
        return Run(exit_info.value.code, captured.out, captured.err)

    return invoke


def statefulset(name="web", service="web", labels="{app: web}", namespace=None, extra="", replicas=3) -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    service_line = f"\n  serviceName: {service}" if service is not None else ""
    return f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}{ns}
spec:{service_line}
  replicas: {replicas}
  selector:
    matchLabels: {labels}
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
        - name: main
          image: nginx:1.27{extra}
"""


def service(name="web", selector="{app: web}", namespace=None, spec="clusterIP: None") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    selector_line = f"\n  selector: {selector}" if selector is not None else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}{ns}
spec:
  {spec}{selector_line}
"""


def docs(*documents: str) -> str:
    return "---\n".join(documents)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Runs in the test suite use a cache of their own, never the user's, and print what a terminal
    gets even when the suite itself runs under GitHub Actions (--format auto)."""
    monkeypatch.setenv("SSLINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "sslint-cache"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    from sslint import cache

    cache.directory.cache_clear()
    cache._remove_old_generations.cache_clear()

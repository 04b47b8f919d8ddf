"""The manifests of a git revision, read from the object store (the working tree is not touched)."""

from __future__ import annotations

from pathlib import Path

from sslint.discover import SUFFIXES
from sslint.load import SourceFile, load


class HistoryError(Exception):
    """A usage error: not a git repository, or an unknown revision."""


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    import subprocess  # only with --diff-base: the command line imports this module for HistoryError

    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise HistoryError("--diff-base needs git, which is not installed") from None
    if done.returncode != 0:
        raise HistoryError(done.stderr.decode(errors="replace").strip().splitlines()[-1] if done.stderr else "git failed")
    return done.stdout


def revision_sources(ref: str, cwd: Path) -> list[SourceFile]:
    """Every manifest file (*.yaml, *.yml, *.json) in the whole tree of `ref`, named `ref:path`."""
    try:
        _git(["rev-parse", "--show-toplevel"], cwd)
    except HistoryError:
        raise HistoryError(f"--diff-base {ref}: {cwd} is not inside a git repository") from None
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd).decode().strip()
    except HistoryError:
        raise HistoryError(f"--diff-base {ref}: no such revision in this repository") from None
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit], cwd).split(b"\0")
    blobs = []
    for entry in listing:
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        if meta.split()[1] == b"blob" and path.decode(errors="replace").endswith(SUFFIXES):
            blobs.append((meta.split()[2].decode(), path.decode(errors="replace")))
    if not blobs:
        return []
    output = _git(["cat-file", "--batch"], cwd, stdin="".join(f"{sha}\n" for sha, _ in blobs).encode())
    sources, offset = [], 0
    for _, path in blobs:
        header_end = output.index(b"\n", offset)
        size = int(output[offset:header_end].split()[2])
        raw = output[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1
        source = load(raw, f"{ref}:{path}", as_json=path.endswith(".json"))
        if not source.template:
            sources.append(source)
    return sources

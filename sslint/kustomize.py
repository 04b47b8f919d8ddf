"""Kustomize: the patch files a kustomization names, and (with --kustomize) its build, traced back
to the files its objects come from."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sslint.discover import SUFFIXES
from sslint.load import ParseError, SourceFile, load

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
ORIGIN = "config.kubernetes.io/origin"


class KustomizeError(Exception):
    """A usage error: no kubectl or kustomize to build with."""


def kustomization(directory: Path) -> Path | None:
    return next((directory / n for n in NAMES if (directory / n).is_file()), None)


def _listed(directory: Path) -> Callable[[str], list]:
    """The lists of the directory's kustomization, by key ([] for a key it lacks or holds otherwise);
    every list is empty when there is none or it cannot be read (another user's, a directory above
    the linted ones)."""
    try:
        found = kustomization(directory)
        source = load(found.read_bytes(), str(found)) if found is not None else None
    except OSError:
        source = None
    spec = source.documents[0].data if source and source.documents and isinstance(source.documents[0].data, dict) else {}
    return lambda key: spec[key] if isinstance(spec.get(key), list) else []


def patch_files(directory: Path) -> list[Path]:
    """The files the directory's kustomization applies as patches (resolved paths), as it lists them;
    none when it cannot be read or lists them in another shape."""
    return [path for path, _ in _patches(directory)]


def _patches(directory: Path) -> list[tuple[Path, dict | None]]:
    """Each patch file the directory's kustomization lists, with its entry's target (a patch so aimed
    may name the object as it likes)."""
    listed = _listed(directory)
    entries = [(p, None) for p in listed("patchesStrategicMerge") if isinstance(p, str)]
    entries += [(e["path"], e["target"] if isinstance(e.get("target"), dict) else None)
                for e in listed("patches") + listed("patchesJson6902") if isinstance(e, dict) and isinstance(e.get("path"), str)]
    try:
        return [((directory / name).resolve(), target) for name, target in entries]
    except (OSError, ValueError, RuntimeError):  # (a path with a NUL; a symlink loop, which 3.11 raises as RuntimeError)
        return []


def aims_at(target: dict, kind: str, names: set[str]) -> bool:
    """Whether a patch entry's target selects an object of this kind that has one of these names (at
    some level of the build): its kind and name, a regular expression, when it gives them."""
    import re

    if target.get("kind") not in (None, kind):
        return False
    name = target.get("name")
    if not isinstance(name, str):
        return True
    try:
        return any(re.fullmatch(name, n) for n in names)
    except re.error:
        return name in names


def resource_files(directory: Path) -> list[Path]:
    """The manifest files a build of the directory's kustomization reads as resources: those its
    `resources` (and the older `bases`) and `components` name, and theirs through every directory
    they name, once each; remote ones (URLs) are not fetched."""
    return [path for _, files in _build_tree(directory) for path in files]


def build_changes(directory: Path) -> list[tuple[Path, dict | None, tuple | None]]:
    """What every kustomization a build of the directory reads changes in its objects, in the order it
    applies (the deepest bases' first, the directory's own last): each patch file it lists, with its
    entry's target; each patch written inline, as the kustomization file and the key that holds it;
    then the kustomization file itself (its `replicas` field, applied after them)."""
    return [change for current, _ in reversed(_build_tree(directory)) if (found := kustomization(current))
            for change in [*((path, target, None) for path, target in _patches(current)),
                           *((found, target, key) for key, target in _inline_patches(current)), (found, None, None)]]


def _inline_patches(directory: Path) -> list[tuple[tuple, dict | None]]:
    """The patches the directory's kustomization writes inline: the key that holds each, and its target."""
    listed = _listed(directory)
    found = [(("patchesStrategicMerge", n), None) for n, p in enumerate(listed("patchesStrategicMerge"))
             if isinstance(p, str) and "\n" in p]
    for key in ("patches", "patchesJson6902"):
        found += [((key, n, "patch"), e["target"] if isinstance(e.get("target"), dict) else None)
                  for n, e in enumerate(listed(key)) if isinstance(e, dict) and isinstance(e.get("patch"), str)]
    return found


def _build_tree(directory: Path) -> list[tuple[Path, list[Path]]]:
    """Each directory a build of this one reads (its own first, then those it names), with the
    manifest files it names."""
    tree: list[tuple[Path, list[Path]]] = []
    pending, seen = [directory], set()
    while pending:
        current = pending.pop()
        try:
            key = current.resolve()
        except (OSError, ValueError, RuntimeError):
            continue
        if key in seen:
            continue
        seen.add(key)
        listed, files = _listed(current), []
        for entry in listed("resources") + listed("bases") + listed("components"):
            if not isinstance(entry, str) or "://" in entry or entry.startswith(("git@", "github.com/")):
                continue
            path = current / entry
            try:
                if path.is_dir():
                    pending.append(path)
                elif path.name.endswith(SUFFIXES) and path.is_file():
                    files.append(path)
            except (OSError, ValueError):
                continue
        tree.append((current, files))
    return tree


def build(directory: Path, shown: str) -> SourceFile:
    """`kubectl kustomize` (or `kustomize build`) of the directory, each document's origin recorded.
    A wrapper kustomization asks for origin annotations without touching the user's files."""
    import shutil
    import subprocess
    import tempfile

    command = ["kubectl", "kustomize"] if shutil.which("kubectl") else ["kustomize", "build"] if shutil.which("kustomize") else None
    if command is None:
        raise KustomizeError("--kustomize needs kubectl (or kustomize) on PATH, and neither is installed")
    with tempfile.TemporaryDirectory(prefix="sslint-kustomize-") as wrapper:
        target = os.path.relpath(directory.resolve(), wrapper)
        Path(wrapper, "kustomization.yaml").write_text(
            f"resources: [{target!r}]\nbuildMetadata: [originAnnotations]\n")
        done = subprocess.run([*command, wrapper], capture_output=True)
        source = load(done.stdout, shown)
        if done.returncode != 0:
            # The last line that says something: kubectl (klog) closes a quoted error with a lone ">".
            message = [line.strip().lstrip("`:").strip() for line in done.stderr.decode(errors="replace").splitlines()]
            reason = next((line for line in reversed(message) if line not in ("", ">")), "no output")
            source.errors.append(ParseError(1, 1, f"kustomize build failed: {reason}",
                                            f"Run `{' '.join(command)} {directory}` to see the whole error, "
                                            "and correct the kustomization or the files it names."))
            return source
        for document in source.documents:
            # Where it comes from: a resource's file (path:), else the kustomization whose generator made it
            # (configuredIn:), else (a patch replaced its annotations) the kustomization built, since the
            # built stream's lines are no file's.
            path = None
            annotations = document.data.get("metadata", {}).get("annotations") if isinstance(document.data, dict) else None
            if isinstance(annotations, dict) and isinstance(annotations.get(ORIGIN), str):
                origin = annotations.pop(ORIGIN)
                if not annotations:
                    del document.data["metadata"]["annotations"]
                said = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in origin.splitlines())}
                path = said.get("path") or said.get("configuredIn")
            document.origin = os.path.normpath(os.path.join(wrapper, path)) if path else str(kustomization(directory))
    return source

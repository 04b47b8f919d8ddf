#!/usr/bin/env python3
"""Regenerate schemas/kubernetes/ from the Kubernetes JSON Schemas in the kubernetes-validate wheel.

    python scripts/generate_kubernetes_schemas.py [--wheel PATH] [--output DIR]

Without --wheel, `pip download --no-deps kubernetes-validate==PINNED` fetches the wheel into a
temporary directory. kubernetes-validate is used here only; sslint never imports it.

What comes out (compact JSON, byte-for-byte the same on every run from the same wheel):
- definitions.json: {id: schema} for every definition the bundled kinds reach, in every version,
  each stored once. An id is `<TypeName>.<hash>`, the hash covering the trimmed schema with its
  references already rewritten to ids, so a definition that is the same in two versions (down to
  everything it references) is the same entry, and one that differs anywhere below is not.
  References read {"$ref": "#/$defs/<id>"}. Mutually recursive definitions are hashed together.
- index.json: the Kubernetes versions, and per version "apiVersion/kind" -> the root's id.
- LICENSE (the wheel's own) and README.md (where it all came from, how to regenerate).

Trimming keeps what validation needs (type, properties, additionalProperties, items, required,
enum, format, oneOf, $ref) and drops descriptions and x-kubernetes-* extensions; that is most of
the bytes, and descriptions change between versions far more often than the structure does.
IntOrString's oneOf of two nullable types becomes one type list, which admits its null. The fields
of ACCEPTED_MISSING, which the API server accepts missing, are not required.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

PACKAGE = "kubernetes-validate"
PINNED_VERSION = "1.37.0"
VARIANT = "local-strict"  # additionalProperties: false everywhere, so unknown fields are errors
SOURCE_DRAFT = "https://json-schema.org/draft/2020-12/schema"
SIZE_BUDGET = 5_000_000
MIN_VERSIONS = 6

# apiVersion -> kinds sslint inspects; those a Kubernetes version does not serve are simply absent.
KINDS = {
    "apps/v1": ("StatefulSet", "Deployment", "ReplicaSet"),
    "v1": ("Service", "PersistentVolumeClaim", "PersistentVolume", "ReplicationController"),
    "policy/v1": ("PodDisruptionBudget",),
    "policy/v1beta1": ("PodDisruptionBudget",),
    "autoscaling/v1": ("HorizontalPodAutoscaler",),
    "autoscaling/v2": ("HorizontalPodAutoscaler",),
    "autoscaling/v2beta2": ("HorizontalPodAutoscaler",),
}
KEPT_KEYWORDS = {"type", "properties", "additionalProperties", "items", "required", "enum", "format",
                 "oneOf", "$ref"}
# Fields the OpenAPI definitions list as required (a Go field without omitempty) that the API server
# accepts when missing: the JSON decoder leaves the zero value, and validation does not check it.
# They are taken out of `required`, so SS002 does not report them. (definition, field) -> the first
# Kubernetes version it holds for. Source: kubernetes/kubernetes, pkg/apis/core/validation/validation.go
# (surveyed by helper-30, see the function named in each line).
ACCEPTED_MISSING = {
    ("io.k8s.api.core.v1.HTTPHeader", "value"): "1.0",  # validateHTTPGetAction checks the header's name only
    ("io.k8s.api.core.v1.Sysctl", "value"): "1.0",  # validateSysctls checks the name only
    ("io.k8s.api.core.v1.ISCSIVolumeSource", "lun"): "1.0",  # 0 is a valid LUN (0 to 255)
    ("io.k8s.api.core.v1.ISCSIPersistentVolumeSource", "lun"): "1.0",
    ("io.k8s.api.core.v1.PreferredSchedulingTerm", "preference"): "1.0",  # ValidateNodeSelectorTerm: an empty term passes
    ("io.k8s.api.core.v1.ScaleIOVolumeSource", "secretRef"): "1.0",  # validateScaleIOVolumeSource never reads it
    ("io.k8s.api.core.v1.ScaleIOPersistentVolumeSource", "secretRef"): "1.0",
    # validateSleepAction accepts 0 seconds once PodLifecycleSleepActionAllowZero is on: beta (on) in 1.33.
    ("io.k8s.api.core.v1.SleepAction", "seconds"): "1.33",
}
DEFS_PREFIXES = ("#/$defs/", "/api/_definitions.json#/$defs/")
SCHEMA_ROOT = PurePosixPath("kubernetes_validate/kubernetes-json-schema")
OUTPUT = Path(__file__).resolve().parent.parent / "schemas" / "kubernetes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"a {PACKAGE} wheel (default: pip download {PINNED_VERSION})")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: schemas/kubernetes/")
    args = parser.parse_args(argv)
    if args.wheel:
        files = generate(args.wheel)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            files = generate(download(Path(tmp)))
    args.output.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (args.output / name).write_bytes(content)
    total = sum(len(content) for content in files.values())
    print(f"wrote {len(files)} files, {total:,} bytes, to {args.output}")
    return 0


def download(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "--dest", str(directory), f"{PACKAGE}=={PINNED_VERSION}"], check=True)
    [wheel] = directory.glob("*.whl")
    return wheel


def generate(wheel: Path) -> dict[str, bytes]:
    """The output files, by name, from the wheel at `wheel`."""
    with zipfile.ZipFile(wheel) as archive:
        package_version, licence = read_metadata(archive)
        sources = {version: read_version(archive, version) for version in available_versions(archive)}
    chosen = sorted(sources, key=version_key)
    while True:
        definitions, roots = bundle({version: sources[version] for version in chosen})
        definitions_json = dump(definitions)
        if len(definitions_json) <= SIZE_BUDGET or len(chosen) <= MIN_VERSIONS:
            break
        chosen = chosen[1:]  # over budget: drop the oldest version
    index = {
        "source": {"package": PACKAGE, "version": package_version, "variant": VARIANT,
                   "draft": SOURCE_DRAFT, "licence": "Apache-2.0"},
        "versions": chosen,
        "kinds": roots,
    }
    return {
        "definitions.json": definitions_json,
        "index.json": dump(index),
        "LICENSE": licence,
        "README.md": readme(package_version, chosen, roots).encode(),
    }


def read_metadata(archive: zipfile.ZipFile) -> tuple[str, bytes]:
    names = archive.namelist()
    [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
    [licence] = [n for n in names if ".dist-info/" in n and PurePosixPath(n).name.startswith("LICENSE")]
    fields = dict(line.split(": ", 1) for line in archive.read(metadata).decode().splitlines()
                  if ": " in line and not line.startswith(" "))
    if fields.get("Name") != PACKAGE:
        raise SystemExit(f"not a {PACKAGE} wheel: {fields.get('Name')}")
    return fields["Version"], archive.read(licence)


def available_versions(archive: zipfile.ZipFile) -> list[str]:
    """The Kubernetes minor versions ("1.37") the wheel has strict schemas for."""
    found = set()
    for name in archive.namelist():
        path = PurePosixPath(name)
        if path.parent.parent == SCHEMA_ROOT and path.name == "_definitions.json":
            directory = path.parent.name  # v1.37.0-local-strict
            if directory.endswith("-" + VARIANT):
                major, minor, _patch = directory[1:-len(VARIANT) - 1].split(".")
                found.add(f"{major}.{minor}")
    return sorted(found, key=version_key)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def read_version(archive: zipfile.ZipFile, version: str) -> tuple[dict, dict]:
    """(definitions by OpenAPI name, root schema by "apiVersion/kind") for one Kubernetes version."""
    directory = SCHEMA_ROOT / f"v{version}.0-{VARIANT}"
    definitions = json.loads(archive.read(str(directory / "_definitions.json")))
    if definitions.get("$schema") != SOURCE_DRAFT:
        raise SystemExit(f"{version}: unexpected draft {definitions.get('$schema')}")
    roots = {}
    for api_version, kinds in KINDS.items():
        for kind in kinds:
            try:
                root = json.loads(archive.read(str(directory / file_name(api_version, kind))))
            except KeyError:
                continue
            group, _, group_version = api_version.rpartition("/")
            declared = {(g["group"], g["version"], g["kind"]) for g in root["x-kubernetes-group-version-kind"]}
            if (group, group_version, kind) not in declared:
                raise SystemExit(f"{version}: {file_name(api_version, kind)} declares {declared}")
            roots[f"{api_version}/{kind}"] = root
    return definitions["$defs"], roots


def file_name(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    group = group.split(".")[0]
    return f"{kind.lower()}-{group}-{version}.json" if group else f"{kind.lower()}-{version}.json"


def trim(schema: object, where: str) -> object:
    """The schema with only validation keywords left; references become ("ref", name) markers."""
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        raise SystemExit(f"{where}: a schema that is not an object: {schema!r}")
    if "$ref" in schema:
        reference = schema["$ref"]
        target = next((reference[len(p):] for p in DEFS_PREFIXES if reference.startswith(p)), None)
        if target is None or "/" in target:
            raise SystemExit(f"{where}: unexpected reference {reference}")
        if set(schema) & KEPT_KEYWORDS != {"$ref"}:
            # Draft 4/7 would ignore these siblings, 2020-12 would not: keep the meaning explicit.
            raise SystemExit(f"{where}: $ref with validation siblings: {sorted(schema)}")
        return {"$ref": ("ref", target)}
    out = {}
    for key, value in schema.items():
        if key not in KEPT_KEYWORDS:
            continue
        if key == "properties":
            value = {name: trim(sub, f"{where}.{name}") for name, sub in value.items()}
        elif key in ("additionalProperties", "items"):
            value = trim(value, f"{where}[{key}]")
        elif key == "oneOf":
            value = [trim(sub, f"{where}[oneOf]") for sub in value]
            if where.endswith("IntOrString") and all(isinstance(sub, dict) and set(sub) == {"type"} for sub in value):
                # [{type: [string, null]}, {type: [integer, null]}]: a null matches both branches, so
                # oneOf refuses it, while the API server reads it as unset (every such field is a
                # pointer, or defaulted from 0, as a Service's targetPort). The two types are otherwise
                # exclusive, so one type list means the same for every other value. (A Quantity keeps
                # its oneOf: in requests and limits a null is an amount of 0, not an unset one.)
                out["type"] = list(dict.fromkeys(t for sub in value for t in _listed(sub["type"])))
                continue
        elif key == "required" and not value:
            continue  # Draft 4 forbids an empty list; it means nothing anyway
        out[key] = value
    return out


def accept_missing(schema: object, name: str, version: str) -> None:
    """Take the fields of ACCEPTED_MISSING out of the definition's `required`, from their version on."""
    if isinstance(schema, dict) and "required" in schema:
        kept = [field for field in schema["required"]
                if version_key(version) < version_key(ACCEPTED_MISSING.get((name, field), "99.0"))]
        if kept:
            schema["required"] = kept
        else:
            del schema["required"]


def _listed(kind: str | list) -> list:
    return [kind] if isinstance(kind, str) else kind


def references(schema: object) -> set[str]:
    found = set()

    def walk(node: object) -> None:
        if isinstance(node, tuple):
            found.add(node[1])
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def resolve(schema: object, ids: dict[str, str]) -> object:
    """The trimmed schema with ("ref", name) markers replaced by ids (or by ids[name] markers)."""
    if isinstance(schema, tuple):
        return f"#/$defs/{ids[schema[1]]}"
    if isinstance(schema, dict):
        return {key: resolve(value, ids) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve(value, ids) for value in schema]
    return schema


def dump(data: object) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def digest(data: object) -> str:
    return hashlib.sha256(dump(data)).hexdigest()[:12]


def bundle(sources: dict[str, tuple[dict, dict]]) -> tuple[dict, dict]:
    """All versions' definitions stored once, by content; and per version "apiVersion/kind" -> root id."""
    definitions: dict[str, object] = {}
    roots: dict[str, dict[str, str]] = {}
    for version, (source_definitions, source_roots) in sources.items():
        graph: dict[str, object] = {}
        pending = []
        for key, root in source_roots.items():
            graph["root:" + key] = trim(root, f"{version} {key}")
            pending.extend(references(graph["root:" + key]))
        while pending:
            name = pending.pop()
            if name not in graph:
                if name not in source_definitions:
                    raise SystemExit(f"{version}: dangling reference to {name}")
                graph[name] = trim(source_definitions[name], f"{version} {name}")
                accept_missing(graph[name], name, version)
                pending.extend(references(graph[name]))
        ids = content_ids(graph)
        for name, schema in graph.items():
            stored = resolve(schema, ids)
            if definitions.setdefault(ids[name], stored) != stored:
                raise SystemExit(f"hash collision on {ids[name]}: lengthen the digest")
        roots[version] = {key[len("root:"):]: ids[key] for key in sorted(graph) if key.startswith("root:")}
    return dict(sorted(definitions.items())), roots


def content_ids(graph: dict[str, object]) -> dict[str, str]:
    """An id for every definition in `graph` that names its content, including all it references.

    Definitions are hashed after everything they reference (Tarjan's strongly connected components
    come out in that order). A cycle's members are hashed as one unit: their bodies by name, with
    references inside the cycle left as names and those leaving it as the ids already computed.
    """
    ids: dict[str, str] = {}
    for component in strongly_connected(graph):
        members = set(component)
        if len(component) == 1 and component[0] not in references(graph[component[0]]):
            [name] = component
            ids[name] = f"{type_name(name)}.{digest(resolve(graph[name], ids))}"
            continue
        local = {**ids, **{name: "~" + name for name in members}}
        unit = digest([[name, resolve(graph[name], local)] for name in sorted(members)])
        for name in members:
            ids[name] = f"{type_name(name)}.{digest([unit, name])}"
    return ids


def type_name(name: str) -> str:
    return name.rpartition("/")[2] if name.startswith("root:") else name.rpartition(".")[2]


def strongly_connected(graph: dict[str, object]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components come out dependencies first. Deterministic order."""
    edges = {name: sorted(references(schema)) for name, schema in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            for i in range(position, len(edges[node])):
                child = edges[node][i]
                if child not in index:
                    work.append((node, i + 1))
                    work.append((child, 0))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return components


def readme(package_version: str, versions: list[str], roots: dict[str, dict[str, str]]) -> str:
    kinds = sorted({key for per_version in roots.values() for key in per_version})
    lines = [
        "# Bundled Kubernetes JSON Schemas",
        "",
        "Generated by `scripts/generate_kubernetes_schemas.py`; do not edit by hand. Read at run time by",
        "`sslint/kubeschema.py`.",
        "",
        f"Source: the `{VARIANT}` JSON Schemas (draft 2020-12, built from the Kubernetes OpenAPI",
        f"definitions) in the PyPI package `{PACKAGE}` {package_version}",
        "(https://github.com/willthames/kubernetes-validate), used at generation time only.",
        "Licence: Apache-2.0 (see `LICENSE`, copied from that wheel; the full licence text is at",
        "https://www.apache.org/licenses/LICENSE-2.0). The Kubernetes API definitions themselves are",
        "Apache-2.0, by The Kubernetes Authors.",
        "",
        "Changes from the source: descriptions and `x-kubernetes-*` extensions are dropped; only",
        "`type properties additionalProperties items required enum format oneOf $ref` are kept; the",
        "fields the API server accepts missing (`ACCEPTED_MISSING` in the script: HTTPHeader.value,",
        "Sysctl.value, …) are not required; IntOrString's oneOf is one type list; every",
        "definition is stored once across versions in `definitions.json`, under an id naming its",
        "content (`<TypeName>.<sha256 prefix>`, references included), and `index.json` maps each",
        "version's `apiVersion/kind` to its root id.",
        "",
        f"Kubernetes versions: {', '.join(versions)}.",
        "",
        "| apiVersion/kind | versions |",
        "| --- | --- |",
    ]
    for key in kinds:
        present = [v for v in versions if key in roots[v]]
        first = versions.index(present[0])
        contiguous = versions[first:first + len(present)] == present
        span = f"{present[0]} to {present[-1]}" if contiguous and len(present) > 1 else ", ".join(present)
        lines.append(f"| `{key}` | {span} |")
    lines += [
        "",
        "To regenerate (downloads the pinned wheel unless given one):",
        "",
        "    python scripts/generate_kubernetes_schemas.py [--wheel kubernetes_validate-*.whl]",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

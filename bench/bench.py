#!/usr/bin/env python3
"""Benchmark sslint as a whole process against the floor (the C parser's event stream over the same
bytes) and, when installed, yamllint and checkov, on deterministic generated trees.

    python bench/bench.py                      # 100, 1,000 and 10,000 objects, 5 runs each
    python bench/bench.py --sizes 10000 50000 --runs 3 --json bench/results.json
    python bench/bench.py --sizes 100 --runs 1 --markdown   # the README's performance table

Every figure is a median of --runs runs measured in this one invocation, so ratios compare like with
like on a shared, noisy machine. Peak RSS is the largest resident set of one sslint process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# -- the tree ---------------------------------------------------------------------------------------


def _app(n: int) -> list[str]:
    """One stateful application: a StatefulSet, its headless and client Services, a budget, a config,
    and (every third app) a Deployment with an autoscaler and a shared claim. Some carry mistakes."""
    name = f"app{n}"
    ns = f"team{n % 7}"
    service = name if n % 11 else f"{name}-typo"  # a missing governing Service now and then
    docs = [
        f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
  namespace: {ns}
  labels: {{app.kubernetes.io/name: {name}, app.kubernetes.io/part-of: bench}}
spec:
  serviceName: {service}
  replicas: {3 if n % 5 else 1}
  podManagementPolicy: Parallel
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: {name}, tier: data}}
      annotations: {{prometheus.io/scrape: "true", prometheus.io/port: "9090"}}
    spec:
      terminationGracePeriodSeconds: 30
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels: {{app.kubernetes.io/name: {name}}}
      containers:
        - name: db
          image: postgres:17.2
          args: ["-c", "max_connections=200", "-c", "shared_buffers=256MB"]
          ports:
            - {{name: sql, containerPort: 5432}}
          env:
            - {{name: PGDATA, value: /var/lib/postgresql/data/pgdata}}
            - name: POSTGRES_PASSWORD
              valueFrom: {{secretKeyRef: {{name: {name}-secret, key: password}}}}
          resources:
            requests: {{cpu: 250m, memory: 512Mi}}
            limits: {{memory: 1Gi}}
          readinessProbe:
            exec: {{command: [pg_isready, -U, postgres]}}
            periodSeconds: 10
          volumeMounts:
            - {{name: data, mountPath: /var/lib/postgresql/data}}
            - {{name: config, mountPath: /etc/postgresql}}
      volumes:
        - name: config
          configMap: {{name: {name}-config}}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: {n % 50 + 1}Gi}}}}
""",
        f"""apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  clusterIP: None
  selector: {{app.kubernetes.io/name: {name}}}
  ports: [{{name: sql, port: 5432}}]
""",
        f"""apiVersion: v1
kind: Service
metadata: {{name: {name}-client, namespace: {ns}}}
spec:
  selector: {{app.kubernetes.io/name: {name}}}
  ports: [{{name: sql, port: 5432, targetPort: sql}}]
""",
        f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}, namespace: {ns}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}
""",
        f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}-config, namespace: {ns}}}
data:
  postgresql.conf: |
    listen_addresses = '*'
    max_wal_size = 1GB
    wal_level = replica
""",
    ]
    if n % 3 == 0:
        docs += [
            f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}-web, namespace: {ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app.kubernetes.io/name: {name}-web}}}}
  template:
    metadata: {{labels: {{app.kubernetes.io/name: {name}-web}}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          volumeMounts: [{{name: uploads, mountPath: /srv}}]
      volumes:
        - name: uploads
          persistentVolumeClaim: {{claimName: {name}-uploads}}
""",
            f"""apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: {name}-uploads, namespace: {ns}}}
spec:
  accessModes: [ReadWriteMany]
  resources: {{requests: {{storage: 5Gi}}}}
""",
            f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}-web, namespace: {ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}-web}}
  minReplicas: 2
  maxReplicas: 6
""",
        ]
    return docs


def generate(objects: int, directory: Path) -> tuple[int, int]:
    """Write a tree of about `objects` objects: one file per application, and every tenth
    application's documents into one of a few large bundles, as `helm template` renders a chart (a
    `# Source:` comment above each document). Returns (documents, bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    bundles: dict[int, list[str]] = {}
    count = size = n = 0
    while count < objects:
        docs = _app(n)
        if n % 10 == 0:
            text = "---\n".join(f"# Source: app{n}/templates/{k}.yaml\n{doc}" for k, doc in enumerate(docs))
            bundles.setdefault(n // 10 % 4, []).append(text)
        else:
            text = "---\n".join(docs)
            (directory / f"team{n % 7}").mkdir(exist_ok=True)
            (directory / f"team{n % 7}" / f"app{n}.yaml").write_text(text)
        count += len(docs)
        size += len(text.encode())
        n += 1
    for index, texts in bundles.items():
        (directory / f"bundle-{index}.yaml").write_text("---\n".join(texts))
    return count, size


def stream(tree: Path, directory: Path) -> Path:
    """The tree's files as one stream, as `helm template` or `kustomize build` prints a whole
    deployment: one file that only pieces of it can share out between cores."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "all.yaml"
    path.write_text("---\n".join(p.read_text() for p in sorted(tree.rglob("*.yaml"))))
    return path


# Written by a process of its own: the objects held while writing them would otherwise stay in this
# one, and every process it starts afterwards would count them in its peak RSS (a forked child's
# starts from its parent's).
DUMP = """
import json, sys
from pathlib import Path
from ruamel.yaml import YAML
from sslint.load import load
stream_file, as_yaml, as_json = map(Path, sys.argv[1:])
items = [d.data for d in load(stream_file.read_bytes(), stream_file.name).documents]
dump = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
with as_yaml.open("w") as out:
    YAML(typ="safe").dump(dump, out)
as_json.write_text(json.dumps(dump, indent=4))
"""


def dumped(stream_file: Path, directory: Path) -> tuple[Path, Path]:
    """The same objects as one List document, in YAML and in JSON, as `kubectl get -o yaml|json`
    dumps a cluster: one document that only its items' own positions keep a finding cheap. Run
    with the Python that sslint is installed in."""
    as_yaml, as_json = directory / "yaml" / "list.yaml", directory / "json" / "list.json"  # (a file's siblings are its context)
    for path in (as_yaml, as_json):
        path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", DUMP, str(stream_file), str(as_yaml), str(as_json)], check=True)
    return as_yaml, as_json


# -- measuring -------------------------------------------------------------------------------------

FLOOR = """
import sys, pathlib
from _ruamel_yaml import CParser
from ruamel.yaml.events import StreamEndEvent
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml")):
    parser = CParser(path.read_text())
    while not isinstance(parser.get_event(), StreamEndEvent):
        pass
"""

# How much a second core can give on this machine: `n` processes each running the same pure-Python
# loop at once. On a shared or virtual machine two busy processes can each run slower than one alone,
# which caps the speedup of any work shared between two cores.
BUSY = """
import subprocess, sys
loop = "s = 0\\nfor i in range(3_000_000):\\n    s += i * i % 7"
for process in [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(int(sys.argv[1]))]:
    process.wait()
"""


# The rules alone (every check of every object, and the positions of its findings), on one core, timed
# inside a process that has loaded the tree: how rule time grows with the tree. CPU time, which leaves
# out the time a shared machine gives to others. Run with the Python that sslint is installed in.
RULES = """
import gc, sys, time
from sslint import catalogue, engine
gc.disable()  # as engine.run does
from sslint.model import Model
options = engine.Options(paths=[sys.argv[1]])
built, targets, context = engine._discover(options)
sources, _ = engine._gather(options, built, engine._read(options, targets, context))
model = Model()
for source in sources:
    model.add(source, context=False)
rules = catalogue.rules()
start = time.process_time()
engine._check(model, rules, set(rules), options.kubernetes_version, 1)
print(time.process_time() - start)
"""


def rule_times(trees: list[Path], runs: int) -> list[tuple[float, float]]:
    """The fastest and the median rule time of each tree, the trees taking turns (as median_runs
    does), so that the growth from one size to the next is not a slow spell of the machine. The
    same computation's CPU time is only ever lengthened by what else runs (caches and memory shared
    with other processes), so the fastest is the best estimate of its own cost (as Python's timeit
    documentation says of its repeats); the median shows how far the machine moved it."""
    times: list[list[float]] = [[] for _ in trees]
    for _ in range(runs):
        for tree, seconds in zip(trees, times):
            seconds.append(float(subprocess.run([sys.executable, "-c", RULES, str(tree)], check=True,
                                                capture_output=True, text=True).stdout))
    return [(round(min(seconds), 4), round(statistics.median(seconds), 4)) for seconds in times]


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, int]:
    """Seconds, exit code and peak RSS (KiB, the process and the workers it waited for) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, process.returncode, usage.ru_maxrss


def median_run(command: list[str], cwd: Path, runs: int, env: dict | None = None) -> dict:
    return median_runs({"run": (command, env)}, cwd, runs)["run"]


def median_runs(commands: dict[str, tuple], cwd: Path, runs: int) -> dict[str, dict]:
    """Each command (command, env, and optionally what to do before each run of it, untimed) run
    `runs` times, taking turns (run 1 of each, then run 2 of each …), so that a slow spell of a
    shared machine falls on all of them alike; their medians and peak RSS."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[int]] = {name: [] for name in commands}
    codes: dict[str, int] = {}
    for _ in range(runs):
        for name, (command, env, *before) in commands.items():
            for step in before:
                step()
            elapsed, codes[name], peak = timed(command, cwd, env)
            times[name].append(elapsed)
            peaks[name].append(peak)
    return {name: {"median_s": round(statistics.median(times[name]), 4), "runs_s": [round(t, 4) for t in times[name]],
                   "exit": codes[name], "peak_rss_mb": round(max(peaks[name]) / 1024, 1)} for name in commands}


def _cache_env(workdir: Path) -> dict:
    """An environment whose sslint keeps its cache in workdir/cache, whatever the caller's says."""
    env = {name: value for name, value in os.environ.items() if name not in ("SSLINT_CACHE_DIR", "SSLINT_NO_CACHE")}
    return {**env, "XDG_CACHE_HOME": str(workdir / "cache")}


STREAM_UP_TO = 10_000  # objects: the one-stream and List runs are timed up to this size (they add half to a size's time)


def measure(objects: int, runs: int, workdir: Path, sslint: list[str], peers: bool = True) -> dict:
    tree = workdir / f"tree-{objects}"
    documents, size = generate(objects, tree)
    record = {"objects": documents, "bytes": size, "files": sum(1 for _ in tree.rglob("*.yaml"))}
    env = {**os.environ, "SSLINT_NO_CACHE": "1"}
    cache_env = _cache_env(workdir)
    streams = {}
    if objects <= STREAM_UP_TO:
        one = stream(tree, workdir / f"stream-{objects}")
        as_yaml, as_json = dumped(one, workdir / f"list-{objects}")
        streams = {"stream": ([*sslint, "--no-cache", "--format", "json", "-o", os.devnull, str(one)], env),
                   "stream_1_core": ([*sslint, "--no-cache", "--jobs", "1", "--format", "json", "-o", os.devnull, str(one)], env),
                   "list_yaml": ([*sslint, "--no-cache", "--format", "json", "-o", os.devnull, str(as_yaml)], env),
                   "list_json": ([*sslint, "--no-cache", "--format", "json", "-o", os.devnull, str(as_json)], env)}
    record.update(median_runs({
        "floor": ([sys.executable, "-c", FLOOR, str(tree)], None),
        "sslint": ([*sslint, "--no-cache", "--format", "json", "-o", os.devnull, str(tree)], env),
        "sslint_1_core": ([*sslint, "--no-cache", "--jobs", "1", "--format", "json", "-o", os.devnull, str(tree)], env),
        # a first run, or CI that keeps no cache: everything is parsed and stored
        "sslint_empty_cache": ([*sslint, "--format", "json", "-o", os.devnull, str(tree)], cache_env,
                               lambda: shutil.rmtree(workdir / "cache", ignore_errors=True)),
        "busy_1": ([sys.executable, "-c", BUSY, "1"], None),
        "busy_2": ([sys.executable, "-c", BUSY, "2"], None),
        **streams,
    }, workdir, runs))
    shutil.rmtree(workdir / "cache", ignore_errors=True)
    timed([*sslint, "--format", "json", "-o", os.devnull, str(tree)], workdir, cache_env)  # fills the cache
    record["sslint_cached"] = median_run([*sslint, "--format", "json", "-o", os.devnull, str(tree)], workdir, runs, cache_env)
    for peer, arguments in (("yamllint", ["-d", "relaxed", str(tree)]),
                            ("checkov", ["--quiet", "--framework", "kubernetes", "-d", str(tree)])) if peers else ():
        beside = Path(sys.executable).with_name(peer)  # installed in this environment, or on PATH
        executable = str(beside) if beside.exists() else shutil.which(peer)
        if executable:
            record[peer] = median_run([executable, *arguments], workdir, runs)
    seconds = record["sslint"]["median_s"]
    record["documents_per_s"] = round(documents / seconds)
    record["mb_per_s"] = round(size / 1e6 / seconds, 2)
    record["ratio_to_floor"] = round(seconds / record["floor"]["median_s"], 2)
    record["ratio_to_floor_1_core"] = round(record["sslint_1_core"]["median_s"] / record["floor"]["median_s"], 2)
    record["speedup_2_cores"] = round(record["sslint_1_core"]["median_s"] / seconds, 2)
    # The same from each command's fastest run: the run that the rest of the machine slowed least (as
    # the rules column is read), which for two processes means the run that had both cores to itself.
    record["speedup_2_cores_fastest"] = round(min(record["sslint_1_core"]["runs_s"]) / min(record["sslint"]["runs_s"]), 2)
    if streams:
        record["stream_speedup_2_cores"] = round(record["stream_1_core"]["median_s"] / record["stream"]["median_s"], 2)
    record["busy_2_slowdown"] = round(record["busy_2"]["median_s"] / record["busy_1"]["median_s"], 2)
    record["speedup_cached"] = round(seconds / record["sslint_cached"]["median_s"], 2)
    record["empty_cache_ratio"] = round(record["sslint_empty_cache"]["median_s"] / seconds, 2)
    return record


def startup(runs: int, workdir: Path, sslint: list[str]) -> dict:
    """A pre-commit run: one small file whose text the cache has not seen (a staged change), in a
    repository with a configuration for each (yamllint's given on its command line), sslint and
    yamllint (when installed) taking turns."""
    one = workdir / "one"
    one.mkdir(exist_ok=True)
    (one / ".sslint.yaml").write_text('kubernetes-version: "1.33"\nfail-on: error\nignore: [SS402]\n')
    edits = iter(range(10**9))

    def edit() -> None:
        (one / "app.yaml").write_text("---\n".join(_app(1)) + f"# edit {next(edits)}\n")

    cache_env = _cache_env(workdir)
    commands = {"sslint": ([*sslint, "app.yaml"], cache_env, edit)}
    beside = Path(sys.executable).with_name("yamllint")
    executable = str(beside) if beside.exists() else shutil.which("yamllint")
    if executable:
        commands["yamllint"] = ([executable, "-d", "relaxed", "app.yaml"], None, edit)
    edit()
    timed(commands["sslint"][0], one, cache_env)  # the cache exists, as it does after a first commit
    return median_runs(commands, one, runs)


def _listed(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def markdown(records: list[dict], machine: dict) -> str:
    lines = [f"Measured by `python bench/bench.py` on {machine['cpus']} cores ({machine['machine']}, Python "
             f"{machine['python']}); medians of {machine['runs']} runs (the rules: the fastest).", "",
             "| objects | MB | floor (C events) | sslint | ×floor | docs/s | 1 core | ×floor, 1 core | rules, 1 core "
             "| cached | peak RSS | yamllint |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in records:
        yamllint = f"{r['yamllint']['median_s']:.2f} s" if "yamllint" in r else "—"
        lines.append(
            f"| {r['objects']:,} | {r['bytes'] / 1e6:.1f} | {r['floor']['median_s']:.2f} s | {r['sslint']['median_s']:.2f} s "
            f"| {r['ratio_to_floor']} | {r['documents_per_s']:,} | {r['sslint_1_core']['median_s']:.2f} s "
            f"| {r['ratio_to_floor_1_core']} | {r['rules_s']:.2f} s | {r['sslint_cached']['median_s']:.2f} s | {r['sslint']['peak_rss_mb']} MB | {yamllint} |")
    slowdowns = _listed([f"×{r['busy_2_slowdown']}" for r in records])
    sizes = _listed([f"{r['objects']:,}" for r in records])
    most = _listed([f"{2 / r['busy_2_slowdown']:.2f}×" for r in records])
    speedups = _listed([f"{r['speedup_2_cores']}×" for r in records])
    fastest = _listed([f"{r['speedup_2_cores_fastest']}×" for r in records])
    cached = _listed([f"{r['speedup_cached']}×" for r in records])
    lines += ["", f"With two cores a run was {speedups} as fast as with one (at {sizes} objects; {fastest} from "
                  f"the fastest of {machine['runs']} runs of each); answered from the cache, {cached} as fast as without it.",
              *(["", "The same objects as one stream (the tree's files in one file, as `helm template` prints a chart): "
                     + _listed([f"{r['stream_1_core']['median_s']:.2f} s on one core, {r['stream']['median_s']:.2f} s on two "
                                f"({r['stream_speedup_2_cores']}×) at {r['objects']:,} objects"
                                for r in records if "stream" in r]) + ". As one `kind: List` document (`kubectl get -o "
                     "yaml|json`), on two cores: " + _listed([f"{r['list_yaml']['median_s']:.2f} s in YAML and "
                                                            f"{r['list_json']['median_s']:.2f} s in JSON at {r['objects']:,} objects"
                                                            for r in records if "stream" in r]) + "."]
                if any("stream" in r for r in records) else []),
              "", f"Two busy processes at once (a pure-Python loop each, taking turns with the runs above) each ran "
                  f"{slowdowns} as long as one alone: the most two cores could give here was {most}."]
    for smaller, larger in zip(records, records[1:]):
        objects = larger["objects"] / smaller["objects"]
        growth, median_growth = (larger[key] / smaller[key] / objects for key in ("rules_s", "rules_median_s"))
        lines += ["", f"Rule time from {smaller['objects']:,} to {larger['objects']:,} objects (the fastest of "
                      f"{machine['runs']}): ×{larger['rules_s'] / smaller['rules_s']:.1f} for ×{objects:.1f} the objects "
                      f"({growth:.2f} per object; {median_growth:.2f} from the medians)."]
    ratios = _listed([f"{r['empty_cache_ratio']}×" for r in records])
    lines += ["", f"A run on an empty cache (a first run, or CI that keeps none), which parses and stores everything, "
                  f"took {ratios} as long as a run without the cache (at {sizes} objects)."]
    if "startup" in machine:
        first = machine["startup"]
        versus = f", yamllint {first['yamllint']['median_s']:.3f} s" if "yamllint" in first else ""
        lines += ["", f"A pre-commit run over one small file that the cache has not seen, in a repository with a .sslint.yaml "
                      f"(medians of {len(first['sslint']['runs_s'])} runs): sslint {first['sslint']['median_s']:.3f} s{versus}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the record there")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--peers-up-to", type=int, default=10000, help="time yamllint/checkov only up to this size")
    parser.add_argument("--sslint", default=str(Path(sys.executable).with_name("sslint")), help="the sslint executable")
    arguments = parser.parse_args()
    machine = {"cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
               "runs": arguments.runs}
    with tempfile.TemporaryDirectory(prefix="sslint-bench-") as scratch:
        # a run takes a fifth of a second: enough of them that one slow spell moves the median little
        machine["startup"] = startup(max(arguments.runs, 15), Path(scratch), [arguments.sslint])
        records = []
        for size in arguments.sizes:
            records.append(measure(size, arguments.runs, Path(scratch), [arguments.sslint], size <= arguments.peers_up_to))
            print(json.dumps(records[-1]), flush=True)
        trees = [Path(scratch) / f"tree-{size}" for size in arguments.sizes]
        for record, (fastest, median) in zip(records, rule_times(trees, arguments.runs)):
            record["rules_s"], record["rules_median_s"] = fastest, median
        print(json.dumps({"rules_s": [r["rules_s"] for r in records],
                          "rules_median_s": [r["rules_median_s"] for r in records]}), flush=True)
    if arguments.json:
        arguments.json.write_text(json.dumps({"machine": machine, "records": records}, indent=2) + "\n")
    if arguments.markdown:
        print(markdown(records, machine))


if __name__ == "__main__":
    main()

"""The command line: options, configuration, exit codes (0 clean, 1 findings, 2 the run failed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from sslint import __version__, catalogue, versions
from sslint.cache import replace_file
from sslint.config import Config, ConfigError, find, read
from sslint.finding import SEVERITIES
from sslint.progress import Progress
from sslint.report import FORMATS, render, statistics


class UsageError(Exception):
    pass


def _tokens(values) -> list[str]:
    return [token.strip() for value in values or () for token in str(value).split(",") if token.strip()]


def _write(text: str, output: str | None) -> None:
    """The report to standard output, or to --output: a regular file is replaced atomically (a killed
    run never leaves half a report); anything else (/dev/null, a FIFO, /dev/stdout) is written to."""
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output)
    try:
        if target.exists() and not target.is_file():
            with open(target, "w", encoding="utf-8") as stream:
                stream.write(text)
            return
        replace_file(target, text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"--output {output}: {error.strerror or error}") from None


def _list_rules() -> str:
    return "".join(
        f"{rule.id}  {rule.name:<38} {rule.severity:<8} {rule.summary.strip()}\n" for rule in catalogue.rules().values()
    )


def _explain(token: str) -> str:
    try:
        chosen = catalogue.resolve([token], "--explain")
    except ValueError as error:
        raise UsageError(str(error)) from None
    if len(chosen) != 1:
        raise UsageError(f"--explain {token}: names {len(chosen)} rules; give one id or name")
    return catalogue.rules()[chosen.pop()].documentation()


def _options(config: Config, paths, select, ignore, kubernetes_version, context, stdin_filename, build_kustomizations,
             jobs, diff_base):
    """The engine's options: the command line over the configuration over the defaults."""
    from sslint.engine import Options

    rules = catalogue.rules()
    select_tokens = _tokens(select) or config.get("select")
    selected = catalogue.resolve(select_tokens, "--select" if select else f"{config.path}: select") if select_tokens else set(rules)
    selected -= catalogue.resolve(_tokens(ignore), "--ignore") | catalogue.resolve(config.get("ignore", []), f"{config.path}: ignore")
    severities = {}
    for token, severity in config.get("severity", {}).items():
        for rule_id in catalogue.resolve([token], f"{config.path}: severity"):
            severities[rule_id] = severity
    version = kubernetes_version or config.get("kubernetes-version") or versions.default()
    if version not in versions.supported():
        source = "--kubernetes-version" if kubernetes_version else f"{config.path}: kubernetes-version"
        raise UsageError(f"{source} {version} is not supported; supported: {', '.join(versions.supported())}")
    return Options(
        paths=list(paths) or ["."],
        context=list(context) + config.context_paths(),
        selected=selected,
        severities=severities,
        kubernetes_version=version,
        exclude=config.get("exclude", []),
        stdin_filename=stdin_filename,
        use_cache=catalogue.use_cache,
        jobs=jobs or min(_cpus(), 4),
        kustomize=build_kustomizations,
        diff_base=diff_base,
        progress=Progress(sys.stderr),
    )


# A container's CPU limit (a CFS quota, as docker --cpus and Kubernetes limits set), where the
# container sees its own cgroup: cgroup v2's "quota period" (or "max period"), or v1's two files.
CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"
CGROUP_CFS = ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")


def _cpus() -> int:
    """The CPUs this process may use: those it may run on (a container pinned to some, a cpuset, of
    a larger machine), and no more than its CPU limit gives, to the nearest whole CPU (more
    processes would only take turns; at 1.5, a second one still gains a half)."""
    try:
        # Python 3.13 also reads PYTHON_CPU_COUNT; sched_getaffinity is missing on macOS and Windows.
        counted = os.process_cpu_count() if hasattr(os, "process_cpu_count") else len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        counted = None
    cpus = counted or os.cpu_count() or 1
    try:
        quota, period = Path(CGROUP_CPU_MAX).read_text().split()
    except (OSError, ValueError):
        try:
            quota, period = (Path(name).read_text().strip() for name in CGROUP_CFS)
        except (OSError, ValueError):
            return cpus
    if quota.isdigit() and period.isdigit() and int(period) > 0:  # (not "max", nor v1's -1: no limit)
        return max(1, min(cpus, (2 * int(quota) + int(period)) // (2 * int(period))))
    return cpus


def _exit_code(result, threshold: str) -> int:
    if result.internal_errors:
        for error in result.internal_errors:
            click.echo(f"sslint: {error}", err=True)
        click.echo("sslint: the report above is incomplete; please report this bug with the manifest that caused it", err=True)
        return 2
    if threshold == "never":
        return 0
    lowest = SEVERITIES.index(threshold)
    return int(any(not f.suppression and SEVERITIES.index(f.severity) >= lowest for f in result.findings))


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1)
@click.option("-f", "--format", "output_format", type=click.Choice([*FORMATS, "auto"]), default="auto", show_default=True,
              help="auto: github annotations when GITHUB_ACTIONS=true and the report goes to standard output, else text.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of standard output.")
@click.option("--statistics", "show_statistics", is_flag=True, help="After the report, count the findings of each rule.")
@click.option("--select", multiple=True, metavar="RULES", help="Comma-separated rule ids, names or id prefixes to run.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Comma-separated rule ids, names or id prefixes to skip.")
@click.option("--fail-on", type=click.Choice([*reversed(SEVERITIES), "never"]), help="Lowest severity that makes the exit code 1 [default: warning].")
@click.option("--kubernetes-version", metavar="X.Y", help="The target cluster version [default: the newest supported].")
@click.option("--context", multiple=True, metavar="PATH", help="Manifests used to resolve references, never reported on (repeatable).")
@click.option("--kustomize", "build_kustomizations", is_flag=True, help="Lint a directory holding a kustomization as `kubectl kustomize` builds it.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache (of loaded files, whole runs, the rules and the configuration's check).")
@click.option("--jobs", type=click.IntRange(1, 64), metavar="N", help="Processes that load and check large inputs: this one and N-1 workers [default: the CPUs it may use (its cpuset, its container's CPU limit), at most 4].")
@click.option("--diff-base", metavar="GIT_REF", help="Compare StatefulSets with the manifests at this git revision (SS305).")
@click.option("--config", "config_path", metavar="FILE", help="Configuration file [default: .sslint.yaml found upward].")
@click.option("--stdin-filename", metavar="NAME", help="The name findings on standard input are reported under.")
@click.option("--list-rules", is_flag=True, help="List the rule catalogue and exit.")
@click.option("--explain", metavar="RULE", help="Print one rule's full documentation and exit.")
@click.version_option(__version__, "--version", prog_name="sslint")
def command(paths, output_format, output, show_statistics, select, ignore, fail_on, kubernetes_version, context, build_kustomizations,
            no_cache, jobs, diff_base, config_path, stdin_filename, list_rules, explain):
    """Find Kubernetes StatefulSet mistakes in manifests. PATH: a file, a directory (walked), or - for stdin."""
    catalogue.use_cache = not no_cache and "SSLINT_NO_CACHE" not in os.environ
    if list_rules:
        _write(_list_rules(), output)
        return 0
    if explain:
        _write(_explain(explain), output)
        return 0
    if config_path:
        config = read(Path(config_path), catalogue.use_cache)
    else:
        found = find(Path.cwd())
        config = read(found, catalogue.use_cache) if found else Config()
    try:
        options = _options(config, paths, select, ignore, kubernetes_version, context, stdin_filename,
                           build_kustomizations, jobs, diff_base)
    except ValueError as error:
        raise UsageError(str(error)) from None

    from sslint.discover import MissingPath
    from sslint.engine import run
    from sslint.history import HistoryError
    from sslint.kustomize import KustomizeError

    try:
        result = run(options)
        if _kept is not None:
            _kept.append(result)
    except (MissingPath, HistoryError, KustomizeError) as error:
        raise UsageError(str(error)) from None
    finally:
        options.progress.clear()
    if output_format == "auto":  # annotations only work on a workflow step's standard output
        output_format = "github" if output is None and os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    colour = output is None and output_format == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    report = render(output_format, result, catalogue.rules(), color=colour)
    if show_statistics and output_format == "text":
        report += "\n" + statistics.render(result)
    _write(report, output)
    if show_statistics and output_format != "text":  # beside a machine-read report, never inside it
        click.echo(statistics.render(result), nl=False, err=output is None)
    return _exit_code(result, fail_on or config.get("fail-on") or "warning")


_kept: list | None = None  # console(): each run's result (its model), never freed


def console() -> None:
    """The `sslint` command: main(), then the process ends at once. A large run's objects would
    otherwise be freed one by one (its model when `command` returns: 30 ms at 10,000 objects), and
    walked by a last collection, after the report is written."""
    global _kept
    _kept = []
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`sslint … | head`), or a closed stream
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    try:
        code = command.main(args=argv, prog_name="sslint", standalone_mode=False)
    except click.UsageError as error:
        click.echo(f"sslint: error: {error.format_message()}", err=True)
        sys.exit(2)
    except (UsageError, ConfigError) as error:
        click.echo(f"sslint: error: {error}", err=True)
        sys.exit(2)
    except click.Abort:
        sys.exit(130)
    except Exception:  # a bug in sslint: exit 2 (the run failed), never 1 (findings), with its traceback
        import traceback

        traceback.print_exc()
        click.echo("sslint: internal error (a bug in sslint; please report it with the traceback above)", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)

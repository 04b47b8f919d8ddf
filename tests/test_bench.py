"""The benchmark script runs (its figures are produced by running it, never by the test suite)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_on_a_small_tree(tmp_path):
    record = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py"), "--sizes", "40", "--runs", "1",
                           "--json", str(record), "--markdown"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    written = json.loads(record.read_text())
    assert written["machine"]["startup"]["sslint"]["exit"] == 0  # its configuration is accepted
    [run] = written["records"]
    assert run["objects"] >= 40 and run["sslint"]["exit"] == 1  # the generated tree carries mistakes
    assert run["floor"]["median_s"] > 0 and run["sslint"]["peak_rss_mb"] > 0 and 0 < run["rules_s"] <= run["rules_median_s"]
    assert "| objects |" in done.stdout
    assert run["stream"]["exit"] == run["stream_1_core"]["exit"] == 1 and run["stream_speedup_2_cores"] > 0
    fastest = round(min(run["sslint_1_core"]["runs_s"]) / min(run["sslint"]["runs_s"]), 2)
    assert run["speedup_2_cores_fastest"] == fastest and f"; {fastest}× from the fastest of 1 runs of each)" in done.stdout
    assert f"{run['stream']['median_s']:.2f} s on two" in done.stdout
    assert run["list_yaml"]["exit"] == run["list_json"]["exit"] == 1  # the same objects, the same mistakes
    assert f"{run['list_json']['median_s']:.2f} s in JSON" in done.stdout
    startup_runs = len(written["machine"]["startup"]["sslint"]["runs_s"])
    assert startup_runs > 1 and f"(medians of {startup_runs} runs)" in done.stdout  # the line says how many

"""Shared helpers of the benchmark scripts: timing, statistics, memory, child processes, tables.

Every bench_*.py exposes `run(quick: bool) -> Report` and runs alone as a script; run_all.py
imports them and writes one markdown file. Heavy measurements run in a child process (the same
script with a `--child …` argument) so each one starts from a clean interpreter: its memory
figures are then its own, not what an earlier method left behind.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent.parent
RESULTS_DIR = BENCH_DIR / "results"
CLINC_PATH = Path(
    os.environ.get("CLINC150_PATH", "/work/shared/benchmarks/clinc150/data_full.json")
)
RESULT_PREFIX = "RESULT-JSON "
#: RSS figures are in MiB (2**20 bytes), the unit `docker stats` shows.
MB = 1024 * 1024


# --- reports ---------------------------------------------------------------------------------


@dataclass
class Report:
    """One script's output: markdown blocks for people, a dict for machines."""

    title: str
    blocks: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    targets: list[tuple[str, bool | None, str]] = field(default_factory=list)
    seconds: float = 0.0
    load: str = ""

    def add(self, block: str) -> None:
        self.blocks.append(block.rstrip() + "\n")

    def target(self, label: str, ok: bool | None, measured: str) -> None:
        """A goal from the issue, with the measured figure and ✓ / ✗ (– when not measured)."""
        self.targets.append((label, ok, measured))

    def markdown(self, level: int = 2) -> str:
        parts = [f"{'#' * level} {self.title}\n"]
        parts.extend(self.blocks)
        if self.targets:
            parts.append(targets_table(self.targets))
        parts.append(
            f"_({self.title}: {self.seconds:.0f} s; machine load average 1 / 5 min at the end: "
            f"{self.load})_\n"
        )
        return "\n".join(parts)


def mark(ok: bool | None) -> str:
    return "–" if ok is None else ("✓" if ok else "✗")


def targets_table(targets: Sequence[tuple[str, bool | None, str]]) -> str:
    rows = [[label, measured, mark(ok)] for label, ok, measured in targets]
    return table(["Target", "Measured", ""], rows, align="lll")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A markdown table; `align` gives l/r per column (default: first left, the rest right)."""
    headers = list(headers)
    align = align or "l" + "r" * (len(headers) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.{digits}f} %"


def num(value: float | None, digits: int = 2, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}{unit}"


def ms(seconds: float | None, digits: int = 2) -> str:
    return "–" if seconds is None else f"{1000 * seconds:.{digits}f} ms"


# --- statistics ------------------------------------------------------------------------------


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p90/p99/max/mean of latencies (seconds)."""
    if not len(samples):
        return {"p50": math.nan, "p90": math.nan, "p99": math.nan, "max": math.nan, "n": 0}
    values = np.asarray(samples, dtype=np.float64)
    p50, p90, p99 = np.percentile(values, [50, 90, 99])
    return {
        "p50": float(p50),
        "p90": float(p90),
        "p99": float(p99),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "n": len(values),
    }


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Area under the ROC curve (Mann–Whitney U, ties counted half): P(pos score > neg score)."""
    pos = np.asarray(positives, dtype=np.float64)
    neg = np.asarray(negatives, dtype=np.float64)
    if not len(pos) or not len(neg):
        return math.nan
    scores = np.concatenate([pos, neg])
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=np.float64)
    sorted_scores = scores[order]
    # average rank within ties
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_scores)) + 1]
    ends = np.r_[starts[1:], len(scores)]
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    u = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2.0
    return float(u / (len(pos) * len(neg)))


@dataclass
class Timings:
    """What `timed_calls` returns: each call's result, wall time and CPU time (seconds)."""

    results: list[Any]
    seconds: list[float]
    cpu_seconds: list[float]

    def extend(self, other: Timings) -> None:
        self.results += other.results
        self.seconds += other.seconds
        self.cpu_seconds += other.cpu_seconds


def timed_calls(function: Callable[[str], Any], texts: Sequence[str], warmup: int = 50) -> Timings:
    """Call `function` on each text, timing each call alone after `warmup` untimed calls.

    Wall time (perf_counter) is the figure reported; the thread's CPU time (thread_time) is kept
    beside it because on a shared machine the wall time's tail also counts the moments this
    process waited for a CPU, which the CPU time does not.
    """
    for text in texts[:warmup]:
        function(text)
    gc.collect()
    out = Timings([], [], [])
    clock, cpu = time.perf_counter, time.thread_time
    for text in texts:
        start, start_cpu = clock(), cpu()
        result = function(text)
        out.seconds.append(clock() - start)
        out.cpu_seconds.append(cpu() - start_cpu)
        out.results.append(result)
    return out


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log y against log x (1.0 = linear growth, < 1 sub-linear)."""
    lx, ly = np.log(np.asarray(xs, dtype=float)), np.log(np.asarray(ys, dtype=float))
    return float(np.polyfit(lx, ly, 1)[0])


# --- memory ----------------------------------------------------------------------------------


def rss_bytes(pid: int | None = None) -> int:
    import psutil

    return int(psutil.Process(pid or os.getpid()).memory_info().rss)


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far (Linux reports ru_maxrss in KiB)."""
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


# --- child processes -------------------------------------------------------------------------


def emit(result: dict[str, Any]) -> None:
    """A child's answer to its parent: one JSON line on stdout."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def run_child(script: Path, args: Sequence[str], timeout: float = 900) -> dict[str, Any]:
    """Run `python script args…` in a fresh interpreter and return the dict it `emit`s."""
    command = [sys.executable, str(script), *args]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    raise RuntimeError(
        f"{' '.join(command[1:])} failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
    )


def load_clinc() -> dict[str, list[tuple[str, str]]]:
    with open(CLINC_PATH, encoding="utf-8") as file:
        data = json.load(file)
    return {key: [(text, label) for text, label in rows] for key, rows in data.items()}


def script_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smaller samples, a few seconds")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    return parser


def finish(report: Report, args: argparse.Namespace) -> int:
    """The end of a bench script run alone: print its markdown, and its raw figures if asked."""
    print(report.markdown())
    if args.json:
        print(json.dumps(report.data, indent=2, default=str))
    return 0


def run_timed(run: Callable[[bool], Report], quick: bool) -> Report:
    start = time.perf_counter()
    report = run(quick)
    report.seconds = time.perf_counter() - start
    report.load = load_average()
    return report


def machine() -> str:
    import platform

    import psutil

    cpu = platform.processor() or platform.machine()
    return (
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"{psutil.cpu_count()} CPU ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    )

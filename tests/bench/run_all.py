"""Run every benchmark and write one markdown report to tests/bench/results/latest.md.

    python tests/bench/run_all.py            # everything (~10 minutes on 2 idle cores)
    python tests/bench/run_all.py --quick    # subsampled, ~4 minutes: results/latest-quick.md
    python tests/bench/run_all.py --only clinc,kb

The report is printed too; the raw figures go to results/latest.json. A benchmark that fails is
reported as failed and the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import traceback
from pathlib import Path

import bench_clinc
import bench_e2e
import bench_kb
import bench_scaling
import common
from common import Report

BENCHES = {
    "clinc": bench_clinc.run,
    "scaling": bench_scaling.run,
    "kb": bench_kb.run,
    "e2e": bench_e2e.run,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples (~3 minutes)")
    parser.add_argument(
        "--only", default=",".join(BENCHES), help=f"comma-separated subset of {', '.join(BENCHES)}"
    )
    parser.add_argument(
        "--out",
        help="markdown file to write (default results/latest.md for a full run of everything, "
        "results/latest-quick.md or results/latest-partial.md otherwise)",
    )
    args = parser.parse_args()
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    started = dt.datetime.now(dt.UTC)
    load_before = common.load_average()
    clock = time.perf_counter()
    reports: list[Report] = []
    for name in chosen:
        print(f"running {name}…", file=sys.stderr, flush=True)
        try:
            reports.append(common.run_timed(BENCHES[name], args.quick))
        except Exception:
            failed = Report(f"{name}: FAILED")
            failed.add("```\n" + traceback.format_exc()[-4000:] + "\n```")
            failed.load = common.load_average()
            reports.append(failed)
        print(f"  {name}: {reports[-1].seconds:.0f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - clock

    command = "python tests/bench/run_all.py" + " ".join(
        [
            "",
            *(["--quick"] if args.quick else []),
            *(["--only", args.only] if set(chosen) != set(BENCHES) else []),
        ]
    )
    header = [
        "# Benchmarks: engine accuracy and speed, scaling, curated knowledge base, end to end\n",
        f"- Command: `{command}` ({'quick: subsampled' if args.quick else 'full run'})",
        f"- Started {started:%Y-%m-%d %H:%M} UTC, took {total / 60:.1f} min",
        f"- Machine: {common.machine()}",
        f"- Load average (1 / 5 min) at the start: {load_before}; at the end: "
        f"{common.load_average()}. The machine is shared: wall-clock tails (p99) include waits "
        f"for a CPU, so the CPU-time columns are given beside them.",
        "- Every figure below was measured by this run, except the table marked "
        "“published, not measured here”.\n",
    ]
    targets = [t for report in reports for t in report.targets]
    summary = ["## Targets\n", common.targets_table(targets)] if targets else []
    markdown = "\n".join(header + summary + [r.markdown() for r in reports])

    if args.out:
        out = Path(args.out)
    elif set(chosen) != set(BENCHES):
        out = common.RESULTS_DIR / "latest-partial.md"
    else:
        out = common.RESULTS_DIR / ("latest-quick.md" if args.quick else "latest.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown, encoding="utf-8")
    out.with_suffix(".json").write_text(
        json.dumps(
            {
                "command": command,
                "started": started.isoformat(),
                "seconds": total,
                "reports": {r.title: r.data for r in reports},
                "targets": [
                    {"target": label, "ok": ok, "measured": measured}
                    for label, ok, measured in targets
                ],
            },
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    print(markdown)
    print(f"(written to {out})", file=sys.stderr)
    return 1 if any(r.title.endswith("FAILED") for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())

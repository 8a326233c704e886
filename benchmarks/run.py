"""Run the benchmarks and print their figures: ``python -m benchmarks.run [--quick]``.

Each benchmark makes its own PostgreSQL database, uses Redis database 8 (``BENCH_DATABASE_URL``
and ``BENCH_REDIS_URL`` override them), starts one ``o2o serve`` subprocess, and drops the
database at the end. Exit status 0 whatever the figures are (a missed target is a finding,
not a crash); 1 only when a benchmark could not run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence

import uvloop

from benchmarks import (
    callbacks,
    capacity,
    channel,
    loyalty,
    machine,
    offer_latency,
    reroute,
    throughput,
)
from benchmarks.report import Report, progress

Benchmark = Callable[[bool], Awaitable[Report]]

BENCHMARKS: dict[str, Benchmark] = {
    "latency": offer_latency.run,
    "reroute": reroute.run,
    "capacity": capacity.run,
    "throughput": throughput.run,
    "loyalty": loyalty.run,
    "channel": channel.run,
    "callbacks": callbacks.run,
}

OPEN_FILES = 65536


def raise_open_files(wanted: int = OPEN_FILES) -> int:
    """Lift this process's open-files limit (the server subprocess inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about 1/10 of every load")
    parser.add_argument(
        "--only",
        choices=sorted(BENCHMARKS),
        action="append",
        help="run only this benchmark (repeatable)",
    )
    return parser.parse_args(argv)


def print_machine(lines: list[tuple[str, str]], mode: str, open_files: int) -> None:
    print(f"o2o benchmarks ({mode})")
    for label, value in lines:
        print(f"  {label:<11} {value}")
    print(f"  {'open files':<11} {open_files}")
    print()


def print_report(report: Report) -> None:
    print(f"{report.title}  ({report.seconds:.0f} s)")
    for line in report.details:
        print(f"    {line}")


def print_summary(reports: list[Report]) -> None:
    rows = [(r.title.split(".")[0], row) for r in reports for row in r.rows]
    if not rows:
        return
    width = max(len(row.figure) for _, row in rows)
    value_width = max(len(row.value) for _, row in rows)
    target_width = max(len(row.target) for _, row in rows)
    print()
    print("Summary")
    header = f"  {'#':<3} {'figure':<{width}}  {'measured':<{value_width}}  "
    print(header + f"{'target':<{target_width}}  verdict")
    for bench, row in rows:
        print(
            f"  {bench:<3} {row.figure:<{width}}  {row.value:<{value_width}}  "
            f"{row.target:<{target_width}}  {row.verdict}"
        )


async def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    open_files = raise_open_files()
    mode = "quick" if args.quick else "full"
    print_machine(await machine.describe(), mode, open_files)
    sys.stdout.flush()
    reports: list[Report] = []
    crashed = False
    for name, bench in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        progress(f"benchmark {name} ({mode})")
        load = machine.load_average()
        started = time.monotonic()
        try:
            report = await bench(args.quick)
        except Exception:
            crashed = True
            report = Report(f"{name}: could not run")
            report.details.extend(traceback.format_exc().rstrip().splitlines())
        report.seconds = time.monotonic() - started
        report.note(f"load average at start {load} (1/5/15 min)")
        reports.append(report)
        print_report(report)
        sys.stdout.flush()
    print_summary(reports)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(uvloop.run(main()))

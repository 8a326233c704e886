"""stub"""

from benchmarks.report import Report


async def run(quick: bool) -> Report:
    return Report("throughput")

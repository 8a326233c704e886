"""What a benchmark hands back, and progress lines while it runs."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

_START = time.monotonic()


def progress(message: str) -> None:
    """A progress line on stderr (the figures go to stdout)."""
    print(f"[{time.monotonic() - _START:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: no target

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("ok" if self.ok else "MISSED")


@dataclass
class Report:
    title: str
    rows: list[Row] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # printed under the benchmark's heading
    seconds: float = 0.0

    def add(self, figure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.rows.append(Row(figure, value, target, ok))

    def note(self, line: str) -> None:
        self.details.append(line)

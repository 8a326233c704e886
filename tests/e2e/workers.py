"""Real `o2o worker` processes for race and fault tests."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.e2e.server import O2O, ROOT


class Worker:
    def __init__(self, env: dict[str, str], name: str = "worker") -> None:
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"o2o-{name}-{os.getpid()}.log"
        self.log = log
        self.proc = subprocess.Popen(
            [*O2O, "worker"],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no clean-up, exactly like a crash."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

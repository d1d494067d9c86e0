"""Killing a writer mid-write: a child process that writes SIZE bytes to a file through one of
reqforge.editing's atomic writers, killed with SIGKILL after a delay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

_WRITER = """
import sys
from pathlib import Path
from reqforge import editing
print("ready", flush=True)
getattr(editing, sys.argv[1])(Path(sys.argv[2]), b"n" * int(sys.argv[3]))
"""


def kill_mid_write(writer: str, path: Path, size: int, delay: float) -> None:
    """Run `editing.<writer>(path, b"n" * size)` in a child and kill it `delay` seconds after
    it is ready to write."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, writer, str(path), str(size)], stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

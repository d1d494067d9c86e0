"""A throw-away git repository for tests: write files, commit with fixed, increasing dates.

Git runs isolated from the machine's configuration (HOME, GIT_CONFIG_GLOBAL, no system config).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any


def git_env(
    home: Path,
    date: str,
    name: str = "Zhang Wei",
    email: str = "zhang.wei@example.com",
    **extra: Any,
) -> dict[str, Any]:
    """The environment for a test's git commands: no user or system configuration, one author
    and committer, both dates `date` (ISO 8601), the C locale; `extra` overrides any of it."""
    env: dict[str, Any] = {
        key: value for key, value in os.environ.items() if not key.startswith("GIT_")
    }
    env.update(
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME=name,
        GIT_AUTHOR_EMAIL=email,
        GIT_COMMITTER_NAME=name,
        GIT_COMMITTER_EMAIL=email,
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        LC_ALL="C",
    )
    env.update(extra)
    return env


class GitRepo:
    """A throw-away repository: write files, commit with fixed dates, run git."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home
        self.tick = 0
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def env(self, **extra: Any) -> dict[str, Any]:
        date = f"2026-10-01T{self.tick // 60:02d}:{self.tick % 60:02d}:00+08:00"
        return git_env(self.home, date, **extra)

    def git(self, *args: str, **env: Any) -> str:
        proc = subprocess.run(
            ["git", "-C", str(self.root), *args],
            capture_output=True,
            env=self.env(**env),
            check=True,
        )
        return proc.stdout.decode("utf-8", "replace").strip()

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def mv(self, old: str, new: str) -> None:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", old, new)

    def commit(self, message: str | bytes = "change", **env: Any) -> str:
        """Commit everything; each commit is one minute after the previous one."""
        self.tick += 1
        self.git("add", "-A")
        if isinstance(message, bytes):
            message_file = self.home / "message.txt"
            message_file.write_bytes(message)
            self.git("commit", "-q", "--allow-empty", "-F", str(message_file), **env)
        else:
            self.git("commit", "-q", "--allow-empty", "-m", message, **env)
        return self.git("rev-parse", "HEAD")

"""Where `../shared/realworld/` is (real data from other projects: Doorstop's tree, ReqIF files
of six tools), for the import tests. Never copied into this repository: it is found

1. at $REQFORGE_REALWORLD, where set;
2. beside the repository (`<repo>/../shared/realworld`);
3. beside the repository this one was cloned from, when that is a folder on this machine (CI
   runs on a fresh clone of the working repository, in a temporary folder).

None when it is nowhere: the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import os
import subprocess
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _origin_folder() -> Path | None:
    try:
        url = subprocess.run(
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True, text=True, check=False, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if not url or "://" in url or url.startswith("git@"):
        return None
    path = Path(url.removeprefix("file:"))
    return path if path.is_dir() else None


@cache
def realworld() -> Path | None:
    candidates = []
    if os.environ.get("REQFORGE_REALWORLD"):
        candidates.append(Path(os.environ["REQFORGE_REALWORLD"]))
    candidates.append(ROOT.parent / "shared" / "realworld")
    origin = _origin_folder()
    if origin is not None:
        candidates.append(origin.resolve().parent / "shared" / "realworld")
    return next((path for path in candidates if path.is_dir()), None)

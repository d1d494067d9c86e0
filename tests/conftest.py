"""Shared fixtures: a tiny repository builder in tmp_path."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# Under CI the property tests run a fixed, derandomized set of examples: a red build then means a
# change broke something, not that a new random input was drawn. Locally (and in the scheduled
# exploration, HYPOTHESIS_PROFILE=explore) they draw new inputs every run.
# No deadline: on two shared cores a property test that writes files can take longer than
# hypothesis' 200 ms for one example without anything being wrong (speed is bench/'s to measure).
settings.register_profile("local", deadline=None)
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("explore", max_examples=500, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif os.environ.get("CI"):
    settings.load_profile("ci")
else:
    settings.load_profile("local")

GOOD = """\
---
id: {id}
title: {title}
type: functional
status: proposed
owner: zhang.wei
priority:
  moscow: must
  importance: low
  urgency: normal
acceptance:
  - When the user exports 100 rows, the system shall write a CSV file in under 2 seconds.
---
## Scenario

{body}
"""


def requirement_text(
    rid: str, title: str | None = None, body: str | None = None, **extra: str
) -> str:
    """A valid requirement file for `rid`; `extra` lines are appended to the front matter."""
    text = GOOD.format(
        id=rid,
        title=title or f"Export ledger {rid} as CSV",
        body=body or f"The team re-keys ledger {rid} by hand, item number {rid}.",
    )
    if extra:
        lines = "".join(f"{k}: {v}\n" for k, v in extra.items())
        text = text.replace("\n---\n## Scenario", f"\n{lines.rstrip()}\n---\n## Scenario", 1)
    return text


@pytest.fixture(autouse=True)
def _english_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """REQFORGE_LANG in the developer's shell must not change what the tests read."""
    monkeypatch.delenv("REQFORGE_LANG", raising=False)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a repository: make_repo({"reqs/a/X-1.md": text, ...}, config="...")."""

    def build(files: dict[str, str | bytes] | None = None, config: str | None = None) -> Path:
        root = tmp_path / "repo"
        (root / "reqs").mkdir(parents=True, exist_ok=True)
        if config is not None:
            (root / "reqforge.toml").write_text(textwrap.dedent(config), encoding="utf-8")
        for rel, content in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return build


@pytest.fixture
def backlog(make_repo: Callable[..., Path]) -> Path:
    """The hand-built backlog of tests/backlog_fixtures.py (prioritize, list, show)."""
    # Imported here, not at the top: conftest must load even where `tests` is not importable
    # (a bare `pytest` run); only the modules that import tests.backlog_fixtures use this.
    from tests.backlog_fixtures import AREAS, BACKLOG, BODIES, repo_files

    return make_repo(repo_files(BACKLOG, AREAS, BODIES))


@pytest.fixture
def stats_repo(make_repo: Callable[..., Path]) -> Path:
    """The hand-built stats repository of tests/backlog_fixtures.py."""
    from tests.backlog_fixtures import STATS, repo_files

    return make_repo(repo_files(STATS))
